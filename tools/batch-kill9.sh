#!/usr/bin/env bash
# Kills `footprint serve --demo` with SIGKILL while a ROWS-row job (default
# 600 people of the demo's simulated web, limits lifted) is about half done,
# restarts it on the same data folder, lets the job finish and checks that
# the results hold exactly one line per input row, rows 1..ROWS each once.
#   tools/batch-kill9.sh
# Only loopback addresses are used; everything it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/net.sh
ROWS=${ROWS:-600}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/footprint" ./cmd/footprint
fp="$work/footprint"
sim="http://127.0.0.1:$(free_port)"
srv_port=$(free_port)
srv="http://127.0.0.1:$srv_port"
# The demo's population (seed 1, 1000 people), served once to list it.
"$fp" sim --addr "${sim#http://}" --seed 1 --people 1000 >"$work/sim.log" 2>&1 &
sim_pid=$!
pids+=($sim_pid)
wait_http "$sim/_sim/stats"
serve() {
  "$fp" serve --demo --addr "127.0.0.1:$srv_port" --data-dir "$work/data" >>"$work/serve.log" 2>&1 &
  server=$!
  pids+=($server)
  wait_http "$srv/healthz"
}
serve

{
  echo "email,phone,name,country,n"
  curl -sf "$sim/_sim/people?n=$ROWS" | jq -r '.people | to_entries[] | [.value.email, .value.phone, .value.name, .value.country, (.key + 1)] | @csv'
} >"$work/rows.csv"
kill "$sim_pid"
id=$(curl -sf -X POST "$srv/v1/jobs" -H 'Content-Type: text/csv' --data-binary @"$work/rows.csv" | jq -r .id)
echo "job $id: $ROWS rows"
while :; do
  done_=$(curl -sf "$srv/v1/jobs/$id" | jq -r .done)
  [ "$done_" -ge $((ROWS / 2)) ] && break
  sleep 0.05
done
kill -9 "$server"
wait "$server" 2>/dev/null || true
echo "killed -9 at done=$done_"

serve
before=$(curl -sf "$srv/v1/jobs/$id")
echo "after restart: $(jq -c '{state, done, checkpoint}' <<<"$before")"
while :; do
  state=$(curl -sf "$srv/v1/jobs/$id" | jq -r .state)
  case "$state" in succeeded|failed|cancelled) break ;; esac
  sleep 0.2
done
final=$(curl -sf "$srv/v1/jobs/$id")
curl -sf "$srv/v1/jobs/$id/results?format=ndjson" >"$work/results.ndjson"
lines=$(wc -l <"$work/results.ndjson")
unique=$(jq -r .row "$work/results.ndjson" | sort -n | uniq | wc -l)
expected=$(seq "$ROWS" | paste -sd, -)
got=$(jq -r .row "$work/results.ndjson" | sort -n | paste -sd, -)
echo "final: $(jq -c '{state, done, failed, incomplete, checkpoint}' <<<"$final"); result lines $lines, distinct rows $unique"
if [ "$lines" -eq "$ROWS" ] && [ "$got" = "$expected" ]; then
  echo "OK: exactly one result per input row"
else
  echo "FAIL: results do not match the input rows one to one" >&2
  exit 1
fi
