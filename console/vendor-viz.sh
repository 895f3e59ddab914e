#!/usr/bin/env bash
# console/vendor-viz.sh VERSION replaces the console's copy of Viz.js (Graphviz for the browser,
# assets/vendor/viz-global.js, stored gzipped as viz-global.js.gz and served so to browsers) with
# the npm package @viz-js/viz at VERSION, pins it in page.html
# by its Subresource Integrity hash, and writes the Viz.js and Graphviz versions it holds into
# assets/vendor/LICENSES.txt. Then read the package's changelog and Graphviz's, check that the
# licenses in LICENSES.txt still hold, and run the browser test:
#
#   SWITCHBOARD_REQUIRE_BROWSER=1 go test ./console -run RealBrowser
#
# `npm view @viz-js/viz version` names the latest release. Needs npm, openssl, gzip and tar.
set -euo pipefail
version=${1:?usage: console/vendor-viz.sh VERSION (npm view @viz-js/viz version names the latest)}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "@viz-js/viz@$version" >/dev/null)
tar -xzf "$work"/viz-js-viz-"$version".tgz -C "$work" package/dist/viz-global.js
js=$work/package/dist/viz-global.js
viz=$(sed -n '2s/^Viz\.js \([0-9.]*\)$/\1/p' "$js")
graphviz=$(grep -o 'graphvizVersion="[0-9.]*"' "$js" | head -1 | cut -d'"' -f2)
[ "$viz" = "$version" ] && [ -n "$graphviz" ] ||
	{ echo "vendor-viz.sh: the package's viz-global.js names Viz.js '$viz' and Graphviz '$graphviz'; expected Viz.js $version" >&2; exit 1; }

gzip -9 -n -c "$js" >"$here/assets/vendor/viz-global.js.gz" # -n: the same bytes on every run
sri="sha384-$(openssl dgst -sha384 -binary "$js" | base64 -w0)"
sed -i -E "s|(<script src=\"static/vendor/viz-global\.js\" integrity=\")[^\"]*(\")|\1$sri\2|" "$here/assets/page.html"
sed -i -E "1,8{s/Viz\.js [0-9.]+/Viz.js $viz/g; s/Graphviz [0-9.]+/Graphviz $graphviz/g; s/\(tag [0-9.]+\)/(tag $graphviz)/; s/release [0-9.]+/release $viz/}" \
	"$here/assets/vendor/LICENSES.txt"
echo "vendored Viz.js $viz (Graphviz $graphviz), $sri"
