#!/usr/bin/env bash
# Measures a batch job against the simulated web with every source limited
# to RPS requests per second, both by the sim (429 + Retry-After past it)
# and in footprint's configuration, and reports:
#   - the job's throughput (rows/s, from its start and finish times);
#   - what the binding limit allows: for each source, RPS divided by the
#     upstream requests the job made to it per row; the smallest is binding;
#   - their ratio, and how many requests the sim throttled (want 0);
#   - the latency of live lookups sent while the job runs, against the
#     same lookups on the idle server.
#
#   tools/batch-throughput.sh            # RPS=40 ROWS=600, a random seed
#   RPS=40 ROWS=600 SEED=7 tools/batch-throughput.sh
#
# With RPS=default footprint keeps its default (the services' real) limits
# and the sim throttles every source it serves at that same default rate
# and burst, so a throttled request means footprint went past a real limit;
# the binding source is then the one the job used most of its limit.
#   RPS=default ROWS=200 LIVE=10 JOB_QUERY=exclude_sources=github tools/batch-throughput.sh
# SIM_LIMITS=0 leaves the sim unthrottled (footprint's limits only).
# PROGRESS_EVERY (s, default 60) prints the job's progress while it runs;
# KEEP=1 keeps the work directory (logs, rows, results) for a look after.
#
# Only loopback addresses are used; everything it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/net.sh

RPS=${RPS:-40}
ROWS=${ROWS:-600}
SEED=${SEED:-$((RANDOM + 1))}
LIVE=${LIVE:-40}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

go build -o "$work/footprint" ./cmd/footprint
fp="$work/footprint"
sim_port=$(free_port)
srv_port=$(free_port)
sim="http://127.0.0.1:$sim_port"
srv="http://127.0.0.1:$srv_port"

"$fp" sim --addr "127.0.0.1:$sim_port" --seed "$SEED" --people $((ROWS + LIVE + 10)) >"$work/sim.log" 2>&1 &
pids+=($!)
wait_http "$sim/_sim/stats"

# Every source footprint has, limited to RPS (burst RPS) in its configuration
# (RPS=default: footprint's defaults, which the sim then enforces).
"$fp" serve --addr "127.0.0.1:$srv_port" --data-dir "$work/probe" --upstream "$sim" >"$work/probe.log" 2>&1 &
probe=$!
wait_http "$srv/healthz"
curl -sf "$srv/v1/sources" | jq -c '[.sources[] | select(.network) | {(.name): .rate_per_s}] | add' >"$work/defaults.json"
{
  echo "sources:"
  if [ "$RPS" != default ]; then
    jq -r 'keys[]' "$work/defaults.json" | while read -r name; do
      printf '  %s:\n    rate_per_s: %s\n    burst: %s\n' "$name" "$RPS" "$RPS"
    done
  fi
} >"$work/limits.yaml"
kill "$probe"; wait "$probe" 2>/dev/null || true

# limit_of SOURCE: the rate footprint holds SOURCE to.
limit_of() { if [ "$RPS" = default ]; then jq -r --arg s "$1" '.[$s] // empty' "$work/defaults.json"; else echo "$RPS"; fi; }
for s in $(curl -sf "$sim/_sim/stats" | jq -r 'to_entries[] | select(.value.requests != null) | .key'); do
  [ "${SIM_LIMITS:-1}" = 0 ] && break
  rps=$(limit_of "$s")
  [ -n "$rps" ] || continue
  curl -sf -X POST "$sim/_sim/faults" -H 'Content-Type: application/json' \
    -d "{\"source\":\"$s\",\"rate_limit_rps\":$rps}" >/dev/null
done

"$fp" serve --addr "127.0.0.1:$srv_port" --data-dir "$work/data" --upstream "$sim" \
  --config "$work/limits.yaml" >"$work/serve.log" 2>&1 &
pids+=($!)
wait_http "$srv/healthz"

# The job's rows and, after them, the people of the live lookups.
curl -sf "$sim/_sim/people?n=$((ROWS + LIVE))" >"$work/people.json"
{
  echo "email,phone,name,country"
  jq -r ".people[:$ROWS][] | [.email, .phone, .name, .country] | @csv" "$work/people.json"
} >"$work/rows.csv"
jq -c ".people[$ROWS:][] | {email, phone, country}" "$work/people.json" >"$work/live.ndjson"

# live_latencies IN OUT: one timed POST /v1/enrich per line of IN. With
# max_age_s 0 every lookup goes upstream, idle or busy alike.
live_latencies() {
  while read -r body; do
    curl -s -w ' %{time_total}\n' "$srv/v1/enrich" -H 'Content-Type: application/json' \
      -d "${body%\}},\"options\":{\"max_age_s\":0}}" |
      jq -rR 'capture("^(?<p>.*) (?<t>[0-9.]+)$") | "\(.t) \((.p | fromjson | .complete))"'
  done <"$1" >"$2"
}
pctl() { cut -d' ' -f1 "$1" | sort -n | awk -v p="$2" '{a[NR]=$1} END {i=int(NR*p+0.999); if (i<1) i=1; printf "%.0f", a[i]*1000}'; }

# Idle baseline (other people than the job's), then the job, with the
# same live lookups while it runs.
live_latencies "$work/live.ndjson" "$work/idle.txt"
before=$(curl -sf "$sim/_sim/stats")

job=$(curl -sf -X POST "$srv/v1/jobs?${JOB_QUERY:-}" -H 'Content-Type: text/csv' --data-binary @"$work/rows.csv")
id=$(jq -r .id <<<"$job")
echo "job $id: $ROWS rows, every source limited to $RPS req/s (seed $SEED)"
t0=$(date +%s)
every=${PROGRESS_EVERY:-60}
# progress: elapsed, done, incomplete, failed, the job's rows/s and ETA.
progress() {
  curl -sf "$srv/v1/jobs/$id" | jq -r --argjson t $(($(date +%s) - t0)) \
    '"  \($t)s: \(.done)/\(.total) done, \(.incomplete) incomplete, \(.failed) failed, \(.rows_per_s) rows/s, eta \(if .eta_s then "\(.eta_s)s" else "unknown" end)"'
}
sleep 2
live_latencies "$work/live.ndjson" "$work/busy.txt"

next=0
while :; do
  state=$(curl -sf "$srv/v1/jobs/$id" | jq -r .state)
  case "$state" in succeeded|failed|cancelled) break ;; esac
  if [ $(($(date +%s) - t0)) -ge "$next" ]; then progress; next=$((next + every)); fi
  sleep 0.5
done
final=$(curl -sf "$srv/v1/jobs/$id")
after=$(curl -sf "$sim/_sim/stats")

jq -n --argjson job "$final" --argjson before "$before" --argjson after "$after" \
  --argjson defaults "$(cat "$work/defaults.json")" --arg rps "$RPS" --argjson rows "$ROWS" '
  def secs(t): t | sub("\\.[0-9]+"; "") | fromdateiso8601;
  def limit(s): if $rps == "default" then $defaults[s] else ($rps | tonumber) end;
  ((secs($job.finished_at) - secs($job.started_at)) | if . < 1 then 1 else . end) as $dur |
  [ $after | to_entries[] | select(.value.requests != null) | {source: .key,
      requests: (.value.requests - ($before[.key].requests // 0)),
      throttled: (.value.throttled - ($before[.key].throttled // 0))} ] as $per |
  ([ $per[] | select(.requests > 0 and limit(.source) != null) |
     {source, allowed: (limit(.source) / (.requests / $rows)), used: ((.requests / $dur) / limit(.source))} ] | min_by(.allowed)) as $bind |
  {state: $job.state, rows: $job.done, failed: $job.failed, incomplete: $job.incomplete,
   seconds: $dur, rows_per_s: ($job.done / $dur),
   binding_source: $bind.source, binding_rows_per_s: $bind.allowed,
   binding_share_of_limit: $bind.used,
   ratio: (($job.done / $dur) / $bind.allowed),
   throttled: ([ $per[].throttled ] | add),
   throttled_by_source: ([ $per[] | select(.throttled > 0) | {(.source): .throttled} ] | add),
   requests: ([ $per[] | {(.source): .requests} ] | add)}'
echo "sources that left rows incomplete (source:status rows):"
curl -sf "$srv/v1/jobs/$id/results?format=ndjson" |
  jq -r '.profile.sources[]? | select(.status != "ok" and .status != "not_found" and .status != "skipped") | "\(.name):\(.status)"' |
  sort | uniq -c | sort -rn | head -10
complete() { echo "$(grep -c ' true$' "$1")/$(wc -l <"$1")"; }
echo "live /v1/enrich latency (ms), idle server:        p50 $(pctl "$work/idle.txt" 0.5) p95 $(pctl "$work/idle.txt" 0.95) max $(pctl "$work/idle.txt" 1), complete $(complete "$work/idle.txt")"
echo "live /v1/enrich latency (ms), while the job runs: p50 $(pctl "$work/busy.txt" 0.5) p95 $(pctl "$work/busy.txt" 0.95) max $(pctl "$work/busy.txt" 1), complete $(complete "$work/busy.txt")"
