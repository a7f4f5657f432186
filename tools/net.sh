# Shared by the load tools (batch-*.sh, cache-throughput.sh): loopback
# helpers. Source it; it defines functions only.
# shellcheck shell=bash

# free_port prints a TCP port free on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_http URL waits up to 10 s for URL to answer 2xx.
wait_http() {
  for _ in $(seq 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "no answer from $1" >&2
  return 1
}
