#!/usr/bin/env bash
# The email source against AfterShip email-verifier v1.4.1's offline checks
# (issue 21 target: ratio ≥ 0.5), each side in its own process so that
# neither pays for marking the other's heap (AfterShip builds a 31 MB map
# of disposable domains when its package initializes):
#   - ours:  BenchmarkEmailSource, the enrichers/email test binary, which
#            does not link AfterShip;
#   - peer:  BenchmarkAfterShip, the same package built with -tags peer.
# Both run the same 8 addresses (peerAddresses) on one core (-test.cpu 1)
# and report cpu-ns/op, process CPU time per pass (user + system, every
# thread: each side's garbage collection is its own). The two alternate
# ROUNDS times; each round prints ratio = peer / ours in CPU time
# (cpu-ratio) and in wall time (ratio), then the medians.
#   tools/email-peer-ratio.sh            # ROUNDS=3 BENCHTIME=2s
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
BENCHTIME=${BENCHTIME:-2s}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go test -c -o "$work/ours.test" ./enrichers/email
go test -c -tags peer -o "$work/peer.test" ./enrichers/email

# run BINARY BENCH: prints "ns/op cpu-ns/op"
run() {
	(cd enrichers/email && "$1" -test.run '^$' -test.bench "^$2\$" -test.benchtime "$BENCHTIME" -test.cpu 1) |
		awk -v b="$2" '$1 ~ "^" b "$" { for (i = 2; i < NF; i++) { if ($(i+1) == "ns/op") ns = $i; if ($(i+1) == "cpu-ns/op") cpu = $i } print ns, cpu }'
}

printf 'round  ours ns/op  ours cpu-ns/op  peer ns/op  peer cpu-ns/op  ratio  cpu-ratio\n'
ratios=()
cpuratios=()
for r in $(seq 1 "$ROUNDS"); do
	read -r ons ocpu < <(run "$work/ours.test" BenchmarkEmailSource)
	read -r pns pcpu < <(run "$work/peer.test" BenchmarkAfterShip)
	ratio=$(awk -v p="$pns" -v o="$ons" 'BEGIN { printf "%.3f", p / o }')
	cpuratio=$(awk -v p="$pcpu" -v o="$ocpu" 'BEGIN { printf "%.3f", p / o }')
	ratios+=("$ratio")
	cpuratios+=("$cpuratio")
	printf '%5d  %10s  %14s  %10s  %14s  %5s  %9s\n' "$r" "$ons" "$ocpu" "$pns" "$pcpu" "$ratio" "$cpuratio"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo "median ratio $(median "${ratios[@]}")  cpu-ratio $(median "${cpuratios[@]}")  (peer / footprint; target ≥ 0.5)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
