#!/usr/bin/env bash
# Runs every native fuzz target in the module for a bounded time each, and fails on a crasher.
#
#   bench/fuzz.sh                   # FUZZTIME=10s per target
#   FUZZTIME=2m bench/fuzz.sh       # longer, by hand
#   bench/fuzz.sh FuzzParseBearer   # only the targets whose name matches
#
# A crasher is written by `go test` under <package>/testdata/fuzz/<Target>/ and stays there as a
# regression seed: commit it with the fix. The targets the hardening issue asks for must exist.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-10s}
only=${1:-}

# package dir and target name of every `func FuzzX(f *testing.F)`, in a stable order.
targets=$(git ls-files --cached --others --exclude-standard '*_test.go' |
	xargs grep -H -E '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' |
	sed -E 's#^(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]+).*#\1 \2#' | sort -u)

# The targets that must exist: the flow loader, the form and signature path, the API-key header
# parser, the TwiML text path, and the HTTP server's voice route.
required="framework/flow FuzzParse
principals FuzzTamperedRequestIsRejected
principals FuzzAuthenticateNeverPanics
principals FuzzParseFormAgreesWithGo
principals FuzzParseBearer
twiml FuzzSayText
framework FuzzVoiceRouteNeverAnswers5xx"
missing=0
while read -r dir name; do
	if ! grep -qx "$dir $name" <<<"$targets"; then echo "fuzz: required target $name in ./$dir is missing"; missing=1; fi
done <<<"$required"
[ "$missing" = 0 ] || exit 1

failed=0
summary=""
while read -r dir name; do
	[ -n "$dir" ] || continue
	if [ -n "$only" ] && [[ "$name" != *"$only"* ]]; then continue; fi
	start=$(date +%s)
	echo "== fuzz ./$dir $name for $fuzztime"
	# Minimizing a new input may take up to 60 s by default, far past a 10 s run; cap it. When the
	# run's time ends while the engine is still minimizing, go test says "context deadline exceeded"
	# and writes no input: that is the engine stopping, not a finding, so only a written input fails.
	if go test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" -fuzzminimizetime=2s "./$dir" >"/tmp/fuzz.$$.log" 2>&1; then
		result=ok
		tail -n 3 "/tmp/fuzz.$$.log" | grep -E 'elapsed|^ok' | tail -n 2 || true
	elif grep -q 'context deadline exceeded' "/tmp/fuzz.$$.log" && ! grep -q 'Failing input written' "/tmp/fuzz.$$.log"; then
		result=ok
		echo "fuzz: the time ended while the engine was minimizing an input (no failing input was found)"
	else
		result=FAILED
		failed=1
		cat "/tmp/fuzz.$$.log"
	fi
	summary+=$(printf '%-8s %-22s %-40s %4ss' "$result" "./$dir" "$name" "$(($(date +%s) - start))")$'\n'
done <<<"$targets"
rm -f "/tmp/fuzz.$$.log"
echo "== fuzz summary (wall time per target, build included)"
printf '%s' "$summary"
if [ "$failed" != 0 ]; then
	echo "fuzz: a target failed; its crasher is in <package>/testdata/fuzz/<Target>/ (keep it as a regression seed):"
	git status --short -- '*/testdata/fuzz/*' || true
	exit 1
fi
