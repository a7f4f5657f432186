#!/usr/bin/env bash
# Checks that the contract yields a working TypeScript client:
#   1. npm ci (versions pinned in tools/ts-client-check/package-lock.json:
#      openapi-typescript, openapi-fetch, typescript, tsx),
#   2. openapi-typescript generates src/schema.d.ts from openapi/openapi.yaml,
#   3. tsc --noEmit type-checks src/enrich.ts against it,
#   4. src/enrich.ts calls POST /v1/enrich (and GET /v1/sources) on a
#      `footprint serve --demo` started here (simulated web: no internet).
#
#   tools/ts-client-check.sh      (needs Node.js 20+ and npm; the registry for npm ci)
#
# .ci/run runs it when npm is installed: about 25 s here, with a warm or a
# cold npm cache (it needs the npm registry for npm ci).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "ts-client-check: $tool not found (needs Node.js 20+)" >&2; exit 2; }
done
dir=tools/ts-client-check

echo "== npm ci ($dir)"
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)

echo "== openapi-typescript: openapi/openapi.yaml → $dir/src/schema.d.ts"
(cd "$dir" && npm run --silent generate)

echo "== tsc --noEmit"
(cd "$dir" && npx --no-install tsc --noEmit)

# shellcheck source=tools/lib.sh
. tools/lib.sh
start_footprint --demo

echo "== enrich through openapi-fetch"
(cd "$dir" && npx --no-install tsx src/enrich.ts "$FOOTPRINT_URL")

echo "ts-client-check: took $(( $(date +%s) - started ))s"
