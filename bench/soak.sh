#!/usr/bin/env bash
# Soak: builds `switchboard` and the driver, then runs a bounded mixed load on loopback against
# `switchboard serve` with a flow, a policy and a keys file in a temporary directory, reloading the
# policy and the flow in the middle. Exits non-zero when an invariant breaks (see bench/soak/main.go).
#
#   bench/soak.sh                      # 2 minutes
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
