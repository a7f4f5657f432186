#!/usr/bin/env bash
# Renders GET /docs in headless Chromium with every non-loopback request
# sent to a dead proxy (so the page must work offline), then checks that
# the rendered DOM shows the API title and every operation's summary from
# openapi/openapi.yaml, and no Redoc error.
#
#   tools/docs-check.sh          (needs chromium: apt-get install -y chromium)
#
# Not part of the Go tests: it needs a browser. Exit 0 means it rendered.
set -euo pipefail
cd "$(dirname "$0")/.."

browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then echo "docs-check: no chromium found (apt-get install -y chromium)" >&2; exit 2; fi

# shellcheck source=tools/lib.sh
. tools/lib.sh
start_footprint

dom="$footprint_tmp/docs.html"
# --proxy-server to a closed port: any request that is not to loopback
# (a CDN, web fonts) fails; Chromium never proxies loopback.
"$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
  --no-first-run --disable-extensions --disable-background-networking \
  --enable-logging=stderr --v=0 \
  --proxy-server=http://127.0.0.1:9 --user-data-dir="$footprint_tmp/chromium" \
  --virtual-time-budget=15000 --dump-dom "$FOOTPRINT_URL/docs" >"$dom" 2>"$footprint_tmp/chromium.log" || {
  echo "docs-check: chromium failed:" >&2; cat "$footprint_tmp/chromium.log" >&2; exit 1; }

fail=0
expect() {
  if grep -qF -- "$1" "$dom"; then echo "  ok: $1"; else echo "  MISSING: $1"; fail=1; fi
}
echo "== rendered DOM: $(wc -c <"$dom") bytes"
expect 'footprint'
expect 'redoc-wrap'     # Redoc's root: the app mounted
expect 'api-content'    # ... and rendered the operations pane
# Every operation's summary, as Redoc renders it (HTML-escaped).
while IFS= read -r summary; do
  expect "$(printf '%s' "$summary" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g')"
done < <(sed -n 's/^      summary: //p' openapi/openapi.yaml)
for bad in 'Something went wrong' 'Error downloading' 'Failed to load'; do
  if grep -qF "$bad" "$dom"; then echo "  ERROR on the page: $bad"; fail=1; fi
done
# Browser console: CSP violations, failed loads (e.g. through the dead
# proxy) and script errors all show up as CONSOLE lines.
# One is expected: Redoc's menu footer shows https://cdn.redoc.ly/redoc/logo-mini.svg;
# the page's CSP blocks it (no request leaves the machine) and Redoc hides
# the image when it fails to load.
logo='https://cdn.redoc.ly/redoc/logo-mini.svg'
if grep ':CONSOLE' "$footprint_tmp/chromium.log" | grep -F "$logo" | grep -q 'Content Security Policy'; then
  echo "  ok: Redoc's CDN logo blocked by the page's CSP, as intended"
fi
if grep ':CONSOLE' "$footprint_tmp/chromium.log" | grep -vF "Loading the image '$logo' violates" |
    grep -Ei 'violat|refused|err_|error|failed|uncaught'; then
  echo "  ERROR in the browser console (above)"; fail=1
else
  echo "  ok: no CSP violation, failed request or script error in the console"
fi
if [ "$fail" != 0 ]; then
  keep=${TMPDIR:-/tmp}/footprint-docs-check.html
  cp "$dom" "$keep"
  echo "docs-check: FAILED; the rendered DOM is in $keep" >&2
  exit 1
fi
echo "docs-check: OK — /docs rendered offline with every operation"
