#!/usr/bin/env bash
# Measures one batch job shared by 3 replicas (footprint serve with one
# PostgreSQL database, database_url) against the simulated web, with one
# replica killed with SIGKILL once half the rows are done, and reports:
#   - rows in the results, duplicates (a row twice) and losses (a row
#     missing), from the results downloaded from a surviving replica and
#     from the database;
#   - the rows the killed replica held (leased) when it died, and how long
#     the survivors took to finish the job;
#   - the job's total time and throughput.
#
#   tools/jobs-replicas.sh                  # ROWS=10000 LEASE_MS=10000
#   ROWS=2000 LEASE_MS=5000 tools/jobs-replicas.sh
#   JOB_QUERY='sources=email,phone,dns,gravatar' tools/jobs-replicas.sh
#
# JOB_QUERY is the job's query string (its options): on a small or busy
# machine, a few sources keep rows cheap enough for 10 000 of them.
#
# PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/test?sslmode=disable)
# is where a fresh database is created for the run, dropped on exit. Only
# loopback addresses are used; everything it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/net.sh

ROWS=${ROWS:-10000}
LEASE_MS=${LEASE_MS:-10000}
RPS=${RPS:-1000}
CONCURRENCY=${CONCURRENCY:-16}
SEED=${SEED:-$((RANDOM + 1))}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
db_name="fp_replicas_$(date +%s)_$RANDOM"
db_url=$(python3 -c 'import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(p._replace(path="/"+sys.argv[2]).geturl())' "$PG_ADMIN_URL" "$db_name")
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $db_name WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }

go build -o "$work/footprint" ./cmd/footprint
fp="$work/footprint"
psql -q "$PG_ADMIN_URL" -c "CREATE DATABASE $db_name" >/dev/null

sim_port=$(free_port)
sim="http://127.0.0.1:$sim_port"
"$fp" sim --addr "127.0.0.1:$sim_port" --seed "$SEED" --people "$ROWS" >"$work/sim.log" 2>&1 &
pids+=($!)
wait_http "$sim/_sim/stats"

# The simulated web limits nothing here, and every source is allowed RPS
# requests per second per replica (the real upstreams' published limits,
# GitHub's 60 an hour, would pace the run instead): the run measures the
# shared queue, not the sources' rates.
probe_port=$(free_port)
"$fp" serve --addr "127.0.0.1:$probe_port" --data-dir "$work/probe" --upstream "$sim" >"$work/probe.log" 2>&1 &
probe=$!
wait_http "http://127.0.0.1:$probe_port/healthz"
{
  printf 'jobs:\n  lease_ms: %s\n  concurrency: %s\nsources:\n' "$LEASE_MS" "$CONCURRENCY"
  curl -sf "http://127.0.0.1:$probe_port/v1/sources" | jq -r '.sources[] | select(.network) | .name' | while read -r name; do
    printf '  %s:\n    rate_per_s: %s\n    burst: %s\n' "$name" "$RPS" "$RPS"
  done
} >"$work/config.yaml"
kill "$probe"
wait "$probe" 2>/dev/null || true

ports=() rpids=()
for i in 1 2 3; do
  port=$(free_port)
  ports+=("$port")
  "$fp" serve --addr "127.0.0.1:$port" --data-dir "$work/data$i" --upstream "$sim" \
    --database-url "$db_url" --config "$work/config.yaml" >"$work/replica$i.log" 2>&1 &
  rpids+=($!)
  pids+=($!)
done
for port in "${ports[@]}"; do
  for _ in $(seq 300); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
done
r1="http://127.0.0.1:${ports[0]}" r3="http://127.0.0.1:${ports[2]}"
victim_name=$(grep -o 'replica=[^ ]*' "$work/replica2.log" | head -1 | cut -d= -f2)

curl -sf "$sim/_sim/people?n=$ROWS" >"$work/people.json"
{
  echo "email,phone,name,country"
  jq -r ".people[:$ROWS][] | [.email, .phone, .name, .country] | @csv" "$work/people.json"
} >"$work/rows.csv"

t0=$(now)
job=$(curl -sf -X POST "$r1/v1/jobs?${JOB_QUERY:-}" -H 'Content-Type: text/csv' --data-binary @"$work/rows.csv")
id=$(jq -r .id <<<"$job")
total=$(jq -r .total <<<"$job")
echo "job $id: $total rows on 3 replicas (lease ${LEASE_MS} ms, seed $SEED)"

# Kill replica 2 with SIGKILL at half the rows.
while :; do
  done_rows=$(curl -sf "$r1/v1/jobs/$id" | jq -r .done)
  [ "$done_rows" -ge $((total / 2)) ] && break
  sleep 0.1
done
kill -9 "${rpids[1]}"
t_kill=$(now)
held=$(psql -qtA "$db_url" -c "SELECT count(*) FROM jobs_rows WHERE job_id = '$id' AND owner = '$victim_name' AND NOT done")
echo "replica 2 ($victim_name) killed at done=$done_rows, holding $held leased rows"

while :; do
  state=$(curl -sf "$r3/v1/jobs/$id" | jq -r .state)
  case "$state" in succeeded|failed|cancelled) break ;; esac
  sleep 0.2
done
t_end=$(now)
final=$(curl -sf "$r3/v1/jobs/$id")

curl -sf "$r3/v1/jobs/$id/results?format=ndjson" | jq -r .row >"$work/rows.txt"
lines=$(wc -l <"$work/rows.txt")
unique=$(sort -un "$work/rows.txt" | wc -l)
in_range=$(sort -un "$work/rows.txt" | awk -v n="$total" '$1 >= 1 && $1 <= n' | wc -l)
db=$(psql -qtA -F' ' "$db_url" -c "SELECT count(*), count(DISTINCT n) FROM jobs_results WHERE job_id = '$id'")
owners=$(psql -qtA "$db_url" -c "SELECT count(*) FROM jobs_rows WHERE job_id = '$id' AND (NOT done OR owner IS NOT NULL)")

jq -n --argjson job "$final" --argjson lines "$lines" --argjson unique "$unique" --argjson in_range "$in_range" \
  --argjson total "$total" --argjson held "$held" --arg db "$db" --argjson left "$owners" \
  --argjson secs "$(echo "$t_end - $t0" | bc)" --argjson after_kill "$(echo "$t_end - $t_kill" | bc)" '
  {state: $job.state, rows: $total, results_downloaded: $lines,
   duplicates: ($lines - $unique), losses: ($total - $in_range),
   db_results_and_distinct_rows: $db, rows_not_done_or_still_leased: $left,
   done: $job.done, failed: $job.failed, incomplete: $job.incomplete,
   killed_replica_leased_rows: $held,
   seconds: ($secs * 100 | round / 100), seconds_after_kill: ($after_kill * 100 | round / 100),
   rows_per_s: ($total / $secs * 10 | round / 10)}'
