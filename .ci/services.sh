#!/usr/bin/env bash
# PostgreSQL and Redis on loopback for the integration and fleet tests: no containers, no systemd,
# no downloaded binaries.
#
#   .ci/services.sh run CMD [ARG…]   start both (installing them with apt-get when missing and
#                                    allowed), export SWITCHBOARD_TEST_PG and
#                                    SWITCHBOARD_TEST_REDIS, run CMD, stop what this started
#   .ci/services.sh start            start both and print the variables to export (for a shell
#                                    session by hand); stop them with `stop`
#   .ci/services.sh stop             stop what `start` started
#   .ci/services.sh pg stop|start    stop or start again the PostgreSQL this script runs (the
#   .ci/services.sh redis stop|start fleet test takes them down mid-run this way)
#
# When SWITCHBOARD_TEST_PG or SWITCHBOARD_TEST_REDIS is already set and answers, that server is
# used as it is and never stopped. Otherwise this script runs its own: a scratch PostgreSQL
# cluster (initdb, trust authentication, listening on 127.0.0.1 only) and a Redis bound to
# 127.0.0.1 with no persistence, both under one state directory (SWITCHBOARD_SERVICES_DIR,
# default /tmp/switchboard-services), on PG_PORT (55432) and REDIS_PORT (56379).
# apt-get runs only as root, and only when CI=true or INSTALL=1 (it changes the machine).
set -euo pipefail

state=${SWITCHBOARD_SERVICES_DIR:-/tmp/switchboard-services}
pg_port=${PG_PORT:-55432}
redis_port=${REDIS_PORT:-56379}
db=switchboard_test
pg_url="postgres://postgres@127.0.0.1:$pg_port/$db?sslmode=disable"
redis_url="redis://127.0.0.1:$redis_port/0"

say() { echo "services: $*" >&2; }

pg_bin() {
	local d
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && { echo "$d"; return; }
	done
	command -v initdb >/dev/null && dirname "$(command -v initdb)"
}

install_missing() {
	local want=()
	[ -n "$(pg_bin)" ] || want+=(postgresql)
	command -v redis-server >/dev/null || want+=(redis-server)
	[ ${#want[@]} -gt 0 ] || return 0
	if [ "$(id -u)" != 0 ] || { [ "${CI:-}" != true ] && [ "${INSTALL:-}" != 1 ]; }; then
		say "missing ${want[*]}: install them (apt-get install ${want[*]}), or run as root with INSTALL=1"
		return 1
	fi
	say "installing ${want[*]} with apt-get"
	apt-get update -qq
	# policy-rc.d keeps the packages' own services from starting; this script runs its own.
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
}

# as_pg runs a PostgreSQL program as the user that owns the cluster: postgres when we are root
# (PostgreSQL refuses to run as root), ourselves otherwise.
as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_answers() { "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$pg_port" 2>/dev/null; }

pg_start() {
	local bin data=$state/pg
	bin=$(pg_bin)
	if [ ! -s "$data/PG_VERSION" ]; then
		mkdir -p "$data"
		[ "$(id -u)" = 0 ] && chown -R postgres: "$state"
		as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >"$state/initdb.log" 2>&1 ||
			{ cat "$state/initdb.log" >&2; return 1; }
	fi
	as_pg "$bin/pg_ctl" -D "$data" -l "$state/pg.log" -w -t 30 \
		-o "-c listen_addresses=127.0.0.1 -p $pg_port -k $state -c fsync=off -c max_connections=200 -c log_lock_waits=on -c log_min_duration_statement=2000" start >/dev/null ||
		{ tail -20 "$state/pg.log" >&2; return 1; }
	"$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -qtA -c "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 ||
		"$bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres "$db"
}

pg_stop() {
	as_pg "$(pg_bin)/pg_ctl" -D "$state/pg" -m fast -w -t 30 stop >/dev/null
}

redis_answers() { redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null | grep -q PONG; }

redis_start() {
	mkdir -p "$state"
	redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no \
		--dir "$state" --pidfile "$state/redis.pid" --logfile "$state/redis.log"
	for _ in $(seq 50); do redis_answers && return 0; sleep 0.1; done
	tail -20 "$state/redis.log" >&2
	return 1
}

redis_stop() {
	redis-cli -h 127.0.0.1 -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
	for _ in $(seq 50); do redis_answers || return 0; sleep 0.1; done
	return 1
}

# start brings up whichever server is not already given and answering; it records what it
# started in $started, so that stop stops only that.
started=""
start() {
	mkdir -p "$state"
	if [ -z "${SWITCHBOARD_TEST_PG:-}" ]; then
		install_missing
		if pg_answers; then
			say "PostgreSQL already answers on 127.0.0.1:$pg_port; using it"
		else
			pg_start
			started+=" pg"
			say "PostgreSQL started on 127.0.0.1:$pg_port (data in $state/pg)"
		fi
		export SWITCHBOARD_TEST_PG=$pg_url
	fi
	if [ -z "${SWITCHBOARD_TEST_REDIS:-}" ]; then
		install_missing
		if redis_answers; then
			say "Redis already answers on 127.0.0.1:$redis_port; using it"
		else
			redis_start
			started+=" redis"
			say "Redis started on 127.0.0.1:$redis_port"
		fi
		export SWITCHBOARD_TEST_REDIS=$redis_url
	fi
	export SWITCHBOARD_SERVICES_DIR=$state
}

# stop stops what $started names.
stop() {
	if [[ " $started " == *" redis "* ]]; then redis_stop && say "Redis stopped"; fi
	if [[ " $started " == *" pg "* ]]; then pg_stop && say "PostgreSQL stopped"; fi
	started=""
}

case "${1:-}" in
run)
	shift
	[ $# -gt 0 ] || { say "run needs a command"; exit 2; }
	trap stop EXIT
	start
	# On a failure, what PostgreSQL logged (statements over 2 s, lock waits, errors) goes with it.
	"$@" || {
		rc=$?
		if [[ " $started " == *" pg "* ]] && [ -s "$state/pg.log" ]; then
			say "the command failed (exit $rc); the last lines of PostgreSQL's log ($state/pg.log):"
			grep -v 'checkpoint \(starting\|complete\)' "$state/pg.log" | tail -40 >&2 || true
		fi
		exit $rc
	}
	;;
start)
	start
	echo "$started" >>"$state/started"
	echo "export SWITCHBOARD_TEST_PG='$SWITCHBOARD_TEST_PG' SWITCHBOARD_TEST_REDIS='$SWITCHBOARD_TEST_REDIS' SWITCHBOARD_SERVICES_DIR='$state'"
	;;
stop)
	started=$(cat "$state/started" 2>/dev/null || true)
	stop
	rm -f "$state/started"
	;;
pg)
	case "${2:-}" in
	stop) pg_stop ;;
	start) pg_start ;;
	*) say "usage: $0 pg stop|start"; exit 2 ;;
	esac
	;;
redis)
	case "${2:-}" in
	stop) redis_stop ;;
	start) redis_start ;;
	*) say "usage: $0 redis stop|start"; exit 2 ;;
	esac
	;;
*)
	sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
