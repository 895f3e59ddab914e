#!/usr/bin/env bash
# bench/load.sh loads switchboard and two floors on loopback with a signed 30-field <Gather>
# callback (and a forged one) and prints req/s, p50, p99 and peak RSS, with the ratios of
# switchboard to the floors against the targets, all from one run. The floors are bench/bare
# twice: a bare Echo route answering the same bytes with no checks, and the same route reading
# the whole body and computing one HMAC-SHA1 over URL+body first (--hmac), the least any server
# that checks a signature pays. See README.md, "Performance".
#
# Each server is loaded ROUNDS times, the rounds interleaved (every other round in reverse order,
# so that a machine that speeds up or slows down during the run weighs on every row alike); the
# table shows each column's median over the rounds, and each ratio is the median of the rounds'
# own ratios, with the rounds' values beside it.
#
# Environment (all optional):
#   DURATION=6s  THREADS=2  CONNS=32    wrk's -d, -t and -c for every load
#   ROUNDS=3                            loads of each server, interleaved
#   WORK=4us        also load the HMAC floor with that much CPU work per request before it answers
#                   (bench/bare --work): what handler work costs under load, one more row
#   WARMUP=2s                           a load before each measured one, not reported
#   SB_PORT=18080 SB_OPEN_PORT=18082 BARE_PORT=18081 HMAC_PORT=18083   loopback ports
#   PERF_OUT=file   record switchboard's CPU during the first round's valid load with `perf record
#                   -e cpu-clock -g` (read it with perf report -i file); that run's numbers carry perf's cost
set -euo pipefail

DURATION=${DURATION:-6s}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
CONNS=${CONNS:-32}
WARMUP=${WARMUP:-2s}
SB_PORT=${SB_PORT:-18080}
SB_OPEN_PORT=${SB_OPEN_PORT:-18082}
BARE_PORT=${BARE_PORT:-18081}
HMAC_PORT=${HMAC_PORT:-18083}
WORK_PORT=${WORK_PORT:-18084}
WORK=${WORK:-}

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-load.XXXXXX")
pids=()

cleanup() {
	local pid
	for pid in "${pids[@]}"; do # only the servers this script started
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*" >&2; }
die() { say "load.sh: $*"; exit 1; }

# The load generator: wrk from Debian/Ubuntu when it is missing.
if ! command -v wrk >/dev/null; then
	say "installing wrk (apt-get install -y wrk)"
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get install -y wrk >/dev/null 2>&1 ||
		{ $sudo apt-get update >/dev/null && $sudo apt-get install -y wrk >/dev/null; } ||
		die "could not install wrk; install it and run again"
fi
command -v curl >/dev/null || die "curl is needed"

# Built as the release is (Dockerfile): static, without cgo; stripped too, unless perf needs the
# symbols. The floors are built the same way, so that no row gains from its build.
build=(go build -trimpath)
[ -n "${PERF_OUT:-}" ] || build+=(-ldflags "-s -w")
say "building switchboard and bench/bare: CGO_ENABLED=0 ${build[*]}"
(cd "$root" && CGO_ENABLED=0 "${build[@]}" -o "$work/switchboard.out" ./cmd/switchboard &&
	CGO_ENABLED=0 "${build[@]}" -o "$work/bare.out" ./bench/bare)
# Run copies written front to back, as an installed binary is. Peak RSS counts the binary's pages
# mapped from the page cache, and how the linker's own output sits there moves that count: the
# same switchboard binary idled at 24.9 MiB run as linked and 21.5 MiB run from a copy.
for bin in switchboard bare; do
	cat "$work/$bin.out" >"$work/$bin" && chmod +x "$work/$bin" && rm "$work/$bin.out"
done

# The callback: signed for the URL Twilio was configured with, and forged with another token.
public=https://ivr.example.com
target=/ivr/welcome/gather?i=0\&n=0
token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
state_key=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')   # seals call state; --public-url requires one
forger=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')

# urlencode writes $1 form-encoded: unreserved bytes as they are, space as '+', the rest %XX.
urlencode() {
	local LC_ALL=C s=$1 out="" c i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[A-Za-z0-9._~-]) out+=$c ;;
		' ') out+=+ ;;
		*) out+=$(printf '%%%02X' "'$c") ;;
		esac
	done
	printf '%s' "$out"
}

params=()
body=""
while IFS= read -r line; do
	case $line in '' | '#'*) continue ;; esac
	params+=(--param "$line")
	key=${line%%=*} value=${line#*=}
	body+="${body:+&}$(urlencode "$key")=$(urlencode "$value")"
done <"$root/bench/callback.fields"
sign() { "$work/switchboard" signature sign --token "$1" --url "$public$target" "${params[@]}"; }
valid_sig=$(sign "$token")
forged_sig=$(sign "$forger")
say "callback: $((${#params[@]} / 2)) fields, ${#body} bytes, POST $target"

# wait_up waits for a server to answer on port $1.
wait_up() {
	local i
	for ((i = 0; i < 100; i++)); do
		curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
		sleep 0.1
	done
	die "nothing answers on 127.0.0.1:$1; see $work/*.log"
}

# post sends the callback with signature $2 to port $1 and prints the response body.
post() {
	curl -sf -X POST -H 'Content-Type: application/x-www-form-urlencoded' -H "X-Twilio-Signature: $2" \
		--data-binary "$body" "http://127.0.0.1:$1$target"
}

# Two switchboards: the default failed-signature limit (20/s per address), and none, so that
# every forged request is verified to the end.
start_switchboard() { # port, extra flags...
	local port=$1
	shift
	TWILIO_AUTH_TOKEN=$token SWITCHBOARD_STATE_KEY=$state_key SWITCHBOARD_LOG_LEVEL=warn "$work/switchboard" serve \
		--addr "127.0.0.1:$port" --public-url "$public" "$@" >"$work/switchboard-$port.log" 2>&1 &
	pids+=($!)
}
start_switchboard "$SB_PORT"
sb=${pids[-1]}
start_switchboard "$SB_OPEN_PORT" --failed-auth-limit -1
sb_open=${pids[-1]}
wait_up "$SB_PORT"
wait_up "$SB_OPEN_PORT"

post "$SB_PORT" "$valid_sig" >"$work/twiml.xml" || die "switchboard refused the signed callback"
grep -q '<Redirect' "$work/twiml.xml" || die "unexpected answer to Digits=1: $(cat "$work/twiml.xml")"
forbidden=$(post "$SB_OPEN_PORT" "$forged_sig") || die "switchboard failed the forged callback"
[ "$forbidden" != "$(cat "$work/twiml.xml")" ] || die "switchboard accepted the forged signature"

"$work/bare" --addr "127.0.0.1:$BARE_PORT" --body "$work/twiml.xml" >"$work/bare.log" 2>&1 &
pids+=($!)
bare=${pids[-1]}
wait_up "$BARE_PORT"
cmp -s <(post "$BARE_PORT" x) "$work/twiml.xml" || die "bare answers other bytes than switchboard"

"$work/bare" --addr "127.0.0.1:$HMAC_PORT" --body "$work/twiml.xml" --hmac --public-url "$public" >"$work/bare-hmac.log" 2>&1 &
pids+=($!)
hmac=${pids[-1]}
wait_up "$HMAC_PORT"
cmp -s <(post "$HMAC_PORT" x) "$work/twiml.xml" || die "bare --hmac answers other bytes than switchboard"

if [ -n "$WORK" ]; then
	"$work/bare" --addr "127.0.0.1:$WORK_PORT" --body "$work/twiml.xml" --hmac --work "$WORK" --public-url "$public" >"$work/bare-work.log" 2>&1 &
	pids+=($!)
	worker=${pids[-1]}
	wait_up "$WORK_PORT"
fi

# cputicks prints the CPU time process $1 has used, user and system, in clock ticks.
cputicks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# load runs wrk against port $1, served by process $3, with signature $2 and prints "req/s
# p50_us p99_us non2xx cpu_us_per_request". The server's CPU time per request counts the work
# of that process alone, so it moves far less than req/s when neighbours load the machine.
load() {
	local port=$1 sig=$2 pid=$3 script="$work/post-$1-${#2}.lua"
	cat >"$script" <<-LUA
		wrk.method = "POST"
		wrk.body = [==[$body]==]
		wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
		wrk.headers["X-Twilio-Signature"] = "$sig"
		function done(summary, latency, requests)
		  io.write(string.format("RESULT %.1f %d %d %d %d\n", summary.requests / (summary.duration / 1e6),
		    latency:percentile(50), latency:percentile(99),
		    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
		    summary.requests))
		end
	LUA
	if [ "$WARMUP" != 0 ] && [ "$WARMUP" != 0s ]; then
		wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -s "$script" "http://127.0.0.1:$port$target" >/dev/null
	fi
	local rec=""
	if [ -n "${PERF_OUT:-}" ] && [ "$port" = "$SB_PORT" ] && [ "$sig" = "$valid_sig" ] && [ ! -e "$PERF_OUT.done" ]; then
		: >"$PERF_OUT.done"
		perf record -q -e cpu-clock -g -p "$sb" -o "$PERF_OUT" -- sleep "$DURATION" >/dev/null 2>&1 &
		rec=$!
	fi
	local out t0 t1
	t0=$(cputicks "$pid")
	out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -s "$script" "http://127.0.0.1:$port$target" | awk '/^RESULT/ {print $2, $3, $4, $5, $6}')
	t1=$(cputicks "$pid")
	out=$(awk -v o="$out" -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" 'BEGIN {split(o, f, " "); printf "%s %s %s %s %.1f", f[1], f[2], f[3], f[4], (f[5] > 0 ? d / hz * 1e6 / f[5] : 0)}')
	# Print only once perf is done: the caller reads the line from a process substitution and
	# starts the next load as soon as it has it, which perf would otherwise record too.
	if [ -n "$rec" ]; then wait "$rec" || say "perf record failed; is perf installed and allowed?"; fi
	printf '%s\n' "$out"
}

hwm() { awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; } # peak RSS, MiB

# The five loads of a round: name, port, signature, server process.
loads=("bare $BARE_PORT $valid_sig $bare" "hm $HMAC_PORT $valid_sig $hmac" "sb $SB_PORT $valid_sig $sb"
	"fl $SB_PORT $forged_sig $sb" "fo $SB_OPEN_PORT $forged_sig $sb_open")
[ -z "$WORK" ] || loads=("${loads[@]:0:2}" "wk $WORK_PORT $valid_sig $worker" "${loads[@]:2}")
say "loading each $ROUNDS times for $DURATION (wrk -t$THREADS -c$CONNS, after a $WARMUP warm-up), rounds interleaved"
[ -z "${PERF_OUT:-}" ] || rm -f "$PERF_OUT.done"
for ((round = 1; round <= ROUNDS; round++)); do
	for ((i = 0; i < ${#loads[@]}; i++)); do
		j=$i
		((round % 2)) || j=$((${#loads[@]} - 1 - i))
		read -r name port sig pid <<<"${loads[j]}"
		load "$port" "$sig" "$pid" >>"$work/res-$name"
	done
	say "round $round of $ROUNDS done"
done
[ -z "${PERF_OUT:-}" ] || rm -f "$PERF_OUT.done"
bare_rss=$(hwm "$bare") hmac_rss=$(hwm "$hmac") sb_rss=$(hwm "$sb") open_rss=$(hwm "$sb_open")

# median reads numbers, one a line, and prints their median.
median() { sort -g | awk '{a[NR] = $1} END {if (NR == 0) print 0; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
# col NAME K prints the median over the rounds of column K (1 req/s, 2 p50, 3 p99, 5 CPU) of a load;
# errors (4) are summed.
col() {
	if [ "$2" = 4 ]; then awk '{s += $4} END {print s + 0}' "$work/res-$1"; else awk -v k="$2" '{print $k}' "$work/res-$1" | median; fi
}
names=(bare hm sb fl fo)
[ -z "$WORK" ] || names+=(wk)
for name in "${names[@]}"; do
	for k in 1 2 3 4 5; do
		case $k in 1) f=rps ;; 2) f=p50 ;; 3) f=p99 ;; 4) f=err ;; 5) f=cpu ;; esac
		printf -v "${name}_$f" '%s' "$(col "$name" "$k")"
	done
done
# rounds A B K prints, for each round, column K of load A divided by column K of load B.
rounds() { paste -d' ' "$work/res-$1" "$work/res-$2" | awk -v k="$3" '{printf "%.2f\n", ($(k + 5) > 0 ? $k / $(k + 5) : 0)}'; }

ms() { awk -v us="$1" 'BEGIN {printf "%.2f ms", us / 1000}'; }
row() { printf '%-44s %10.0f %10s %10s %9s MiB %7s %10.1f\n' "$1" "$2" "$(ms "$3")" "$(ms "$4")" "$5" "$6" "$7"; }
check() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {ok = (op == ">=" ? v >= t : v <= t); print (ok ? "ok" : "MISSED")}'; }

echo
echo "wrk -t$THREADS -c$CONNS -d$DURATION, POST $target, ${#body}-byte form, $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ), median of $ROUNDS rounds"
printf '%-44s %10s %10s %10s %13s %7s %10s\n' server req/s p50 p99 "peak RSS" errors "CPU µs/req"
row "bare Echo, no checks (floor)" "$bare_rps" "$bare_p50" "$bare_p99" "$bare_rss" "$bare_err" "$bare_cpu"
row "bare Echo, read body + 1 HMAC-SHA1 (floor)" "$hm_rps" "$hm_p50" "$hm_p99" "$hmac_rss" "$hm_err" "$hm_cpu"
[ -z "$WORK" ] || row "HMAC floor + $WORK of CPU work" "$wk_rps" "$wk_p50" "$wk_p99" "$(hwm "$worker")" "$wk_err" "$wk_cpu"
row "switchboard, valid signature" "$sb_rps" "$sb_p50" "$sb_p99" "$sb_rss" "$sb_err" "$sb_cpu"
row "switchboard, forged (failed-auth limit 20/s)" "$fl_rps" "$fl_p50" "$fl_p99" "$sb_rss" "$fl_err" "$fl_cpu"
row "switchboard, forged (limit off)" "$fo_rps" "$fo_p50" "$fo_p99" "$open_rss" "$fo_err" "$fo_cpu"
echo
printf '%-56s %6s  %-7s %s\n' ratio median target rounds
# target LABEL A B K OP T prints the median of the rounds' ratios A/B of column K, its check
# against OP T (none when OP is -), and the rounds' values.
target() {
	local per m
	per=$(rounds "$2" "$3" "$4")
	m=$(printf '%s\n' "$per" | median)
	m=$(awk -v v="$m" 'BEGIN {printf "%.2f", v}')
	printf '%-56s %6s  %-7s %s\n' "$1" "$m" "$([ "$5" = - ] && echo "" || check "$m" "$5" "$6")" "$(echo $per)"
}
target "valid req/s, switchboard / bare (target >= 0.85)" sb bare 1 '>=' 0.85
target "valid req/s, switchboard / HMAC floor (target >= 0.95)" sb hm 1 '>=' 0.95
target "HMAC floor / bare req/s (for reading the two above)" hm bare 1 -
[ -z "$WORK" ] || target "HMAC floor + $WORK of work / bare req/s" wk bare 1 -
target "valid p99, switchboard / bare (target <= 1.3)" sb bare 3 '<=' 1.3
target "forged / valid req/s, limit 20/s (target >= 1)" fl sb 1 '>=' 1
target "forged / valid req/s, limit off (target >= 1)" fo sb 1 '>=' 1
printf '%-56s %6s  %s\n' "peak RSS of switchboard, MiB (target <= 25)" "$sb_rss" "$(check "$sb_rss" '<=' 25)"
target "server CPU per request, switchboard valid / bare" sb bare 5 -
target "server CPU per request, switchboard valid / HMAC floor" sb hm 5 -
target "server CPU per request, forged (limit off) / valid" fo sb 5 -
