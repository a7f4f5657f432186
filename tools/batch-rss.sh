#!/usr/bin/env bash
# Runs a ROWS-row NDJSON job (default 1 000 000) on the offline sources
# (email, phone) through `footprint serve`, streaming the upload and the
# results, and reports the server's peak resident memory (VmHWM, and its
# anonymous part RssAnon sampled every 0.2 s), the job's throughput and the
# number of result lines.
#
#   tools/batch-rss.sh               # ROWS=1000000
#   ROWS=100000 tools/batch-rss.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/net.sh
ROWS=${ROWS:-1000000}
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/footprint" ./cmd/footprint
port=$(free_port)
srv="http://127.0.0.1:$port"
"$work/footprint" serve --addr "127.0.0.1:$port" --data-dir "$work/data" >"$work/serve.log" 2>&1 &
pid=$!
wait_http "$srv/healthz"

peak_anon=0 peak_file=0 peak_rss=0
sample_all() {
  local a f r
  read -r a f r < <(awk '/^RssAnon/ {a=$2} /^RssFile/ {f=$2} /^VmRSS/ {r=$2} END {print a, f, r}' "/proc/$pid/status")
  [ "$a" -gt "$peak_anon" ] && peak_anon=$a
  [ "$f" -gt "$peak_file" ] && peak_file=$f
  [ "$r" -gt "$peak_rss" ] && peak_rss=$r
  return 0
}

gen() {
  awk -v n="$ROWS" 'BEGIN { for (i = 0; i < n; i++)
    printf "{\"email\":\"user%d@example.com\",\"phone\":\"+1415555%04d\",\"name\":\"User %d\",\"metadata\":{\"crm\":\"%08d\"}}\n", i, i % 10000, i, i }'
}
t0=$(date +%s.%N)
job=$(gen | curl -sf -X POST "$srv/v1/jobs?sources=email,phone" -H 'Content-Type: application/x-ndjson' -T - )
id=$(jq -r .id <<<"$job")
t1=$(date +%s.%N)
echo "job $id: $(jq -r .total <<<"$job") rows, $(jq -r .input_bytes <<<"$job") bytes uploaded in $(echo "$t1 - $t0" | bc) s"
while :; do
  sample_all
  j=$(curl -sf "$srv/v1/jobs/$id")
  case "$(jq -r .state <<<"$j")" in succeeded|failed|cancelled) break ;; esac
  sleep 0.2
done
t2=$(date +%s.%N)
echo "while running: peak RSS $((peak_rss / 1024)) MiB (anonymous $((peak_anon / 1024)), file-backed $((peak_file / 1024)))"
( while kill -0 "$pid" 2>/dev/null; do sample_all; echo "$peak_anon $peak_file $peak_rss" >"$work/peaks.tmp"; mv "$work/peaks.tmp" "$work/peaks"; sleep 0.2; done ) &
sampler=$!
lines=$(curl -sf "$srv/v1/jobs/$id/results?format=csv" | wc -l)
kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
sample_all
if [ -s "$work/peaks" ]; then
  read -r a f r <"$work/peaks" || true
  [ "${a:-0}" -gt "$peak_anon" ] && peak_anon=$a
  [ "${f:-0}" -gt "$peak_file" ] && peak_file=$f
  [ "${r:-0}" -gt "$peak_rss" ] && peak_rss=$r
fi
t3=$(date +%s.%N)
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
echo "state $(jq -r .state <<<"$j"), done $(jq -r .done <<<"$j"), failed $(jq -r .failed <<<"$j"), run $(echo "$t2 - $t1" | bc) s ($(jq -r .rows_per_s <<<"$j") rows/s), CSV export $(echo "$t3 - $t2" | bc) s, $lines lines"
echo "overall: peak RSS (VmHWM) $((hwm / 1024)) MiB; sampled peaks: RSS $((peak_rss / 1024)) MiB, anonymous $((peak_anon / 1024)) MiB, file-backed $((peak_file / 1024)) MiB; job store $(du -sh "$work/data/jobs" | cut -f1)"
