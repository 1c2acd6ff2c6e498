#!/usr/bin/env bash
# Benchmarks of BENCHMARKS.md, against a moto_server this script starts:
#   1. synth of examples/rest-api, cold (empty .sst) and warm (cached bundles)
#   2. first deploy of the example to the emulator
#   3. a no-op deploy (nothing changed) and how much of it is not synth
# Prints a markdown table. RUNS sets repetitions of the repeatable ones.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-3}"
# shellcheck source=scripts/bench-lib.sh
source "$root/scripts/bench-lib.sh"

cold=(); warm=()
for _ in $(seq 1 "$runs"); do
  rm -rf .sst
  t0=$(now); "$sst" synth --stage bench >/dev/null; t1=$(now); cold+=("$(secs "$t0" "$t1")")
  t0=$(now); "$sst" synth --stage bench >/dev/null; t1=$(now); warm+=("$(secs "$t0" "$t1")")
done

rm -rf .sst
t0=$(now); "$sst" deploy --stage bench >/dev/null; t1=$(now); deploy="$(secs "$t0" "$t1")"

noop=()
for _ in $(seq 1 "$runs"); do
  t0=$(now); "$sst" deploy --stage bench >/dev/null; t1=$(now); noop+=("$(secs "$t0" "$t1")")
done
w="$(median "${warm[@]}")"; n="$(median "${noop[@]}")"

echo "| measure | median of $runs (s) | runs (s) |"
echo "|---|---|---|"
echo "| synth, cold (.sst removed; Go build cache warm) | $(median "${cold[@]}") | ${cold[*]} |"
echo "| synth, warm (bundles cached) | $w | ${warm[*]} |"
echo "| first deploy of the example to moto | $deploy | $deploy |"
echo "| no-op deploy (all stacks unchanged) | $n | ${noop[*]} |"
echo "| no-op deploy minus warm synth (CLI overhead) | $(python3 -c "print(f'{$n-$w:.2f}')") | |"
"$sst" remove --stage bench --yes >/dev/null
rm -rf "$work"
