#!/usr/bin/env bash
# The fleet test: three `switchboard serve` processes on loopback sharing one PostgreSQL policy and
# one Redis. It blocks and unblocks numbers and measures how soon every replica applies each
# change, replays a request across replicas, floods them with forged requests, and stops and
# starts PostgreSQL and then Redis under a steady stream of calls. Bounded: about a minute.
#
#   bench/fleet.sh      # report in bench/out/fleet.txt
#
# It takes PostgreSQL and Redis down, so it needs servers that .ci/services.sh runs (it starts
# them itself when SWITCHBOARD_TEST_PG and SWITCHBOARD_TEST_REDIS are unset, and stops them after)
# and runs alone, never beside other tests that use them.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SWITCHBOARD_TEST_PG:-}" ] || [ -z "${SWITCHBOARD_TEST_REDIS:-}" ]; then
	exec .ci/services.sh run "$0" "$@"
fi
mkdir -p bench/out
export SWITCHBOARD_FLEET=1 SWITCHBOARD_SERVICES="$PWD/.ci/services.sh" SWITCHBOARD_FLEET_REPORT="$PWD/bench/out/fleet.txt"
go test ./bench/fleet -run '^TestFleet$' -count=1 -v -timeout 5m
echo "fleet: report in bench/out/fleet.txt"
