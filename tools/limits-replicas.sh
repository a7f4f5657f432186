#!/usr/bin/env bash
# Measures the rate limits shared by replicas (issue 18): REPLICAS footprint
# serve processes sharing one Redis behind a round-robin proxy
# (tools/rrproxy), the simulated web enforcing every source's configured
# rate (POST /_sim/faults rate_limit_rps = RPS, 429 past it), and live
# lookups of distinct people at LOAD × RPS a second — LOAD times what any
# one source allows, more for the sources a lookup calls twice. Reports:
#   - the requests the sim throttled (429), per source and in total: want 0;
#   - for each source the replicas had to hold calls back for (demand above
#     its limit: footprint_limiter_refused_total > 0), its throughput at the
#     sim over the run against RPS: want ≥ 90 % (footprint runs 5 % under
#     the configured rate on purpose, see LimiterHeadroom), read over a
#     window of steady load. GitHub is bound by its search limit instead
#     (10 a minute without a token, shared by the replicas too).
#
#   tools/limits-replicas.sh                    # RPS=10 LOAD=3 DURATION=30 REPLICAS=3
#   REDIS_URL=redis://127.0.0.1:6379/11 RPS=10 tools/limits-replicas.sh
#
# Only loopback addresses are used; everything it starts is stopped on
# exit (KEEP=1 keeps the logs and metrics). The Redis keys it makes expire on their own (the buckets within a
# second of the last token, the replica set after 20 s).
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/net.sh

RPS=${RPS:-10}
LOAD=${LOAD:-3}
DURATION=${DURATION:-30}
REPLICAS=${REPLICAS:-3}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/11}
WARMUP=${WARMUP:-5}
SEED=${SEED:-$((RANDOM + 1))}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${KEEP:-}" ]; then echo "logs and metrics kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

go build -o "$work/footprint" ./cmd/footprint
go build -o "$work/rrproxy" ./tools/rrproxy
go build -o "$work/loadgen" ./tools/loadgen
fp="$work/footprint"
sim_port=$(free_port)
sim="http://127.0.0.1:$sim_port"
people=$((LOAD * RPS * DURATION + 100))

"$fp" sim --addr "127.0.0.1:$sim_port" --seed "$SEED" --people "$people" >"$work/sim.log" 2>&1 &
pids+=($!)
wait_http "$sim/_sim/stats"

# Every network source limited to RPS (burst RPS) in the configuration
# every replica reads, and the same rate enforced by the sim.
probe_port=$(free_port)
"$fp" serve --addr "127.0.0.1:$probe_port" --data-dir "$work/probe" --upstream "$sim" >"$work/probe.log" 2>&1 &
probe=$!
wait_http "http://127.0.0.1:$probe_port/healthz"
{
  [ "$REDIS_URL" = none ] || echo "redis_url: $REDIS_URL"
  echo "cache:"
  echo "  secret: limits-replicas-measurement-$SEED"
  echo "sources:"
  curl -sf "http://127.0.0.1:$probe_port/v1/sources" | jq -r '.sources[] | select(.network) | .name' | while read -r name; do
    printf '  %s:\n    rate_per_s: %s\n    burst: %s\n' "$name" "$RPS" "$RPS"
  done
} >"$work/config.yaml"
kill "$probe"; wait "$probe" 2>/dev/null || true
for s in $(curl -sf "$sim/_sim/stats" | jq -r 'del(.realism) | keys[]'); do
  curl -sf -X POST "$sim/_sim/faults" -H 'Content-Type: application/json' \
    -d "{\"source\":\"$s\",\"rate_limit_rps\":$RPS}" >/dev/null
done

backends=()
for i in $(seq "$REPLICAS"); do
  port=$(free_port)
  "$fp" serve --addr "127.0.0.1:$port" --data-dir "$work/data$i" --upstream "$sim" \
    --config "$work/config.yaml" >"$work/serve$i.log" 2>&1 &
  pids+=($!)
  backends+=("http://127.0.0.1:$port")
  wait_http "http://127.0.0.1:$port/healthz"
done
front_port=$(free_port)
"$work/rrproxy" -addr "127.0.0.1:$front_port" -backends "$(IFS=,; echo "${backends[*]}")" >"$work/proxy.log" 2>&1 &
pids+=($!)
front="http://127.0.0.1:$front_port"
wait_http "$front/readyz"
if [ "$REDIS_URL" != none ] && ! curl -sf "$front/readyz" | jq -e '.dependencies.limits.status == "ok"' >/dev/null; then
  echo "the replicas do not share their limits (see $work/serve1.log)" >&2
  curl -s "$front/readyz" >&2
  exit 1
fi

# Distinct people, each looked up upstream (max_age_s 0: no evidence reused).
curl -sf "$sim/_sim/people?n=$people" |
  jq -c '.people[] | {email, phone, country, options: {max_age_s: 0}}' >"$work/bodies.ndjson"

# The whole run counts for throttling; the throughput is read over a
# window of steady load (after WARMUP, ending before the load does), so
# neither the first burst nor the tail of the last lookups flatters it.
curl -sf -X DELETE "$sim/_sim/stats" >/dev/null
"$work/loadgen" -url "$front/v1/enrich" -bodies "$work/bodies.ndjson" -rate "$((LOAD * RPS))" \
  -c 512 -duration "${DURATION}s" -timeout 10s >"$work/load.json" &
load=$!
sleep "$WARMUP"
curl -sf "$sim/_sim/stats" >"$work/stats0.json"; t0=$(date +%s.%N)
sleep $((DURATION - WARMUP - 2))
curl -sf "$sim/_sim/stats" >"$work/stats1.json"; t1=$(date +%s.%N)
wait "$load"
curl -sf "$sim/_sim/stats" >"$work/stats.json"

# Calls each source's limiter held back, summed over the replicas.
for b in "${backends[@]}"; do curl -sf "$b/metrics"; done | tee "$work/metrics.txt" |
  awk '/^footprint_limiter_refused_total\{/ { match($0, /source="[^"]*"/); s = substr($0, RSTART + 8, RLENGTH - 9); n[s] += $NF }
       END { for (s in n) print s, n[s] }' >"$work/refused.txt"

secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
echo "== $REPLICAS replicas, one Redis, round robin; every source limited to $RPS/s at the sim and in footprint"
echo "   load: $(jq -r '"\(.requests) lookups in \(.seconds | . * 10 | round / 10)s (\(.rps | . * 10 | round / 10)/s = '"$LOAD"'× the per-source limit), p50 \(.p50_ms)ms p99 \(.p99_ms)ms, \(.errors) non-2xx, \(.dropped) dropped"' "$work/load.json")"
echo "   throughput over ${secs%.*}s of steady load (after ${WARMUP}s); throttled over the whole run"
printf '   %-14s %9s %9s %8s %10s %s\n' source requests throttled req/s "of limit" "held back by footprint"
jq -r --slurpfile a "$work/stats0.json" --slurpfile b "$work/stats1.json" \
  'del(.realism) | to_entries[] | "\(.key) \($b[0][.key].requests - $a[0][.key].requests) \(.value.throttled)"' "$work/stats.json" | sort |
  while read -r s req thr; do
    held=$(awk -v s="$s" '$1 == s { print $2 }' "$work/refused.txt")
    awk -v s="$s" -v r="$req" -v t="$thr" -v secs="$secs" -v rps="$RPS" -v h="${held:-0}" \
      'BEGIN { printf "   %-14s %9d %9d %8.2f %9.1f%% %d\n", s, r, t, r / secs, 100 * r / secs / rps, h }'
  done | tee "$work/table.txt"
total_throttled=$(jq '[del(.realism)[] | .throttled] | add' "$work/stats.json")
echo "   throttled at the sim, all sources: $total_throttled (want 0)"
# GitHub is bound by its search limit (10 a minute without a token, also
# shared by the replicas), not by RPS: reported, not counted.
awk '$6 > 0 && $1 != "github" { n++; sum += $5; if (min == "" || $5 < min) { min = $5; ms = $1 } }
     END { if (n) printf "   sources at their limit (held back by footprint): %d; throughput of limit: min %.1f%% (%s), mean %.1f%% (want ≥ 90%%)\n", n, min, ms, sum / n
           else print "   no source reached its limit: raise LOAD" }' < <(sed 's/%//' "$work/table.txt")
echo "   replicas that fell back to their share (Redis unreachable) during the run: $(grep -l 'Redis unreachable' "$work"/serve*.log 2>/dev/null | wc -l) (want 0)"
