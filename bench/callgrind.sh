#!/usr/bin/env bash
# bench/callgrind.sh counts the instructions one request of a BenchmarkPipeline sub-benchmark
# costs, with valgrind's callgrind: a count that, unlike ns/op, does not move with the load of a
# shared machine. It runs the sub-benchmark twice, for N and 11·N iterations, and divides the
# difference by 10·N, so that start-up and set-up cancel out; the profile of the longer run is
# left in OUT (callgrind_annotate OUT).
#
#   bench/callgrind.sh 'digits=1/app/valid/log=warn$'
#
# Environment (all optional): N=1000, OUT=callgrind.out, PKG=./framework, BENCH=BenchmarkPipeline,
# BIN (a test binary built earlier with go test -c, to count an older build). GOGC=off counts
# the request's own instructions alone, without the collector's, whose share moves by a few
# percent from run to run with when its cycles fall.
set -euo pipefail
sub=${1:?usage: bench/callgrind.sh SUB-BENCHMARK-REGEXP}
N=${N:-1000}
OUT=${OUT:-callgrind.out}
OUT=$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT") # the runs happen in PKG
PKG=${PKG:-./framework}
BENCH=${BENCH:-BenchmarkPipeline}
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is needed (apt-get install valgrind)" >&2; exit 1; }
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-callgrind.XXXXXX")
trap 'rm -rf "$work"' EXIT
if [ -n "${BIN:-}" ]; then
	cp "$BIN" "$work/bench.test"
else
	(cd "$root" && go test -c -o "$work/bench.test" "$PKG")
fi
count() { # iterations, profile file → instructions
	# Asynchronous preemption signals trip callgrind; the count does not depend on them. One P:
	# with two, the idle one spins looking for work for as long as valgrind's wall clock runs,
	# and the count moved by tens of thousands of instructions a request with the machine's load.
	(cd "$root/$PKG" && GOMAXPROCS=1 GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file="$2" \
		"$work/bench.test" -test.run '^$' -test.bench "$BENCH/$sub" -test.benchtime "$1x" 2>&1) |
		awk '/Collected :/ {print $NF}'
}
short=$(count "$N" "$work/short.out")
long=$(count $((11 * N)) "$OUT")
awk -v s="$short" -v l="$long" -v n="$N" -v b="$BENCH/$sub" \
	'BEGIN {printf "%s: %.0f instructions/request (callgrind, %d vs %d iterations)\n", b, (l - s) / (10 * n), n, 11 * n}'
