#!/usr/bin/env bash
# Measures the cache targets in one run against one `footprint serve --demo`
# (the simulated web in-process, limits lifted, so a warm-up caches every
# source for the subject):
#   1. GET /healthz and cached POST /v1/enrich, each as fast as C
#      connections allow for DURATION seconds: their throughput ratio
#      (target ≥ 0.5);
#   2. cached POST /v1/enrich at RATE req/s (open loop): p50/p99 (target
#      p99 ≤ 2 ms at 2 000 req/s), next to GET /healthz at the same rate.
#   tools/cache-throughput.sh          # C=16 DURATION=10 ROUNDS=5 RATE=2000
# Only loopback addresses are used; the server is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/net.sh
C=${C:-16}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-5}
RATE=${RATE:-2000}
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/footprint" ./cmd/footprint
go build -o "$work/loadgen" ./tools/loadgen
port=$(free_port)
srv="http://127.0.0.1:$port"
"$work/footprint" serve --demo --addr "127.0.0.1:$port" --data-dir "$work/data" --log-format json >"$work/serve.log" 2>&1 &
pid=$!
wait_http "$srv/healthz"

# A person of the demo population with accounts; warm the cache.
body='{"email":"emmajansen64@gmail.com","phone":"+447400028303"}'
for _ in 1 2; do
  complete=$(curl -sf "$srv/v1/enrich" -H 'Content-Type: application/json' -d "$body" | jq -r .complete)
done
cached=$(curl -sf "$srv/v1/enrich" -H 'Content-Type: application/json' -d "$body" | jq -c '[.sources[] | select(.status == "ok" or .status == "not_found") | .cached] | group_by(.) | map({key: (.[0] | tostring), value: length}) | from_entries')
echo "warm-up: complete=$complete; answered sources by cached: $cached"

# The closed-loop runs alternate in ROUNDS slices (healthz, enrich, healthz,
# …) so that whatever else the machine does weighs on both alike; each
# endpoint gets DURATION seconds in all.
slice=$(awk -v d="$DURATION" -v r="$ROUNDS" 'BEGIN { printf "%.3fs", d / r }')
: >"$work/healthz.ndjson"
: >"$work/enrich.ndjson"
for _ in $(seq "$ROUNDS"); do
  "$work/loadgen" -url "$srv/healthz" -c "$C" -duration "$slice" >>"$work/healthz.ndjson"
  "$work/loadgen" -url "$srv/v1/enrich" -body "$body" -c "$C" -duration "$slice" >>"$work/enrich.ndjson"
done
sum='{requests: (map(.requests) | add), errors: (map(.errors) | add), seconds: (map(.seconds) | add),
  rps_per_round: map(.rps | floor)} | .rps = .requests / .seconds'
h=$(jq -sc "$sum" "$work/healthz.ndjson")
e=$(jq -sc "$sum" "$work/enrich.ndjson")
r=$("$work/loadgen" -url "$srv/v1/enrich" -body "$body" -c 64 -rate "$RATE" -duration "${DURATION}s")
# The same rate on /healthz: the latency floor of this machine (scheduling,
# idle-CPU wake-ups, the load generator's own timers), for reading the above.
rh=$("$work/loadgen" -url "$srv/healthz" -c 64 -rate "$RATE" -duration "${DURATION}s")
echo "healthz, closed loop c=$C:  $h"
echo "enrich,  closed loop c=$C:  $e"
echo "enrich,  open loop $RATE/s: $r"
echo "healthz, open loop $RATE/s: $rh"
jq -n --argjson h "$h" --argjson e "$e" --argjson r "$r" --argjson rh "$rh" \
  '{ratio_enrich_to_healthz: ($e.rps / $h.rps), enrich_rps: $e.rps, healthz_rps: $h.rps, errors: ($h.errors + $e.errors),
    at_rate: {target: $r.target_rps, achieved: $r.rps, p50_ms: $r.p50_ms, p99_ms: $r.p99_ms, dropped: $r.dropped, errors: $r.errors,
      sent_p99_ms: $r.sent_p99_ms, generator_late_p99_ms: $r.late_p99_ms,
      healthz_p50_ms: $rh.p50_ms, healthz_p99_ms: $rh.p99_ms, healthz_sent_p99_ms: $rh.sent_p99_ms}}'
