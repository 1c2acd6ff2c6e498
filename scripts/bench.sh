#!/usr/bin/env bash
# Benchmarks of BENCHMARKS.md, against a moto_server this script starts:
#   1. synth of examples/rest-api, cold (empty .sst) and warm (cached bundles)
#   2. first deploy of the example to the emulator
#   3. a no-op deploy (nothing changed) and how much of it is not synth
# Prints a markdown table. RUNS sets repetitions of the repeatable ones.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-3}"
source "$root/scripts/bench-env.sh"

work="$(mktemp -d)"
cp -r "$root/examples/rest-api/." "$work/"
# The copy is outside the module; point it back at this checkout.
cat > "$work/go.mod" <<MOD
module bench
go 1.26
require github.com/sst-tf/sst v0.0.0
replace github.com/sst-tf/sst => $root
MOD
cp "$root/go.sum" "$work/go.sum"
(cd "$work" && GOFLAGS=-mod=mod go mod tidy -e >/dev/null 2>&1 || true)
cd "$work"

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2-$1:.2f}')"; }
median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float,sys.argv[1:])):.2f}')" "$@"; }

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
