# Shared by the tools/*.sh checks: build footprint and run `footprint serve`
# on a free loopback port. Source it; it sets FOOTPRINT_URL and stops the
# server (and removes its temp dir) on exit.
# shellcheck shell=bash

footprint_tmp=$(mktemp -d)
footprint_pid=
cleanup_footprint() {
  if [ -n "$footprint_pid" ]; then kill "$footprint_pid" 2>/dev/null || true; wait "$footprint_pid" 2>/dev/null || true; fi
  rm -rf "$footprint_tmp"
}
trap cleanup_footprint EXIT

# start_footprint [serve flags...]: builds ./cmd/footprint, serves on
# 127.0.0.1:<free port> and waits for /readyz.
start_footprint() {
  go build -o "$footprint_tmp/footprint" ./cmd/footprint
  "$footprint_tmp/footprint" serve --addr 127.0.0.1:0 --data-dir "$footprint_tmp/data" "$@" \
    >"$footprint_tmp/serve.log" 2>&1 &
  footprint_pid=$!
  local addr=
  for _ in $(seq 100); do
    addr=$(sed -n 's/.*footprint listening.*addr=\([0-9.:]*\).*/\1/p' "$footprint_tmp/serve.log" | head -1)
    [ -n "$addr" ] && break
    if ! kill -0 "$footprint_pid" 2>/dev/null; then cat "$footprint_tmp/serve.log" >&2; return 1; fi
    sleep 0.1
  done
  if [ -z "$addr" ]; then echo "footprint did not start:" >&2; cat "$footprint_tmp/serve.log" >&2; return 1; fi
  FOOTPRINT_URL="http://$addr"
  export FOOTPRINT_URL
  echo "== footprint serving at $FOOTPRINT_URL (log: $footprint_tmp/serve.log)"
}
