#!/usr/bin/env bash
# Soak: builds `switchboard` and the driver, then runs a bounded mixed load on loopback against
# `switchboard serve` with a flow, a policy and a keys file in a temporary directory, reloading the
# policy and the flow in the middle, then only abusive requests (distinct malformed bodies and
# trailers, slow bodies from many ports, long unknown paths, wrong keys) while it reports the series
# count, the heap and the log's bytes at the start and end of that phase, which must stay flat.
# Exits non-zero when an invariant breaks (see bench/soak/main.go).
#
#   bench/soak.sh                      # 2 minutes, then 20 s of abuse
#   SOAK_ABUSE_DURATION=0 bench/soak.sh   # no abuse phase
#   SOAK_DURATION=20s bench/soak.sh    # shorter
#   SOAK_CONCURRENCY=16 SOAK_FAILED_AUTH_LIMIT=20 bench/soak.sh -keep
#
# CI does not run it by default.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/switchboard" ./cmd/switchboard
go build -o "$tmp/soak" ./bench/soak
"$tmp/soak" -bin "$tmp/switchboard" "$@"
