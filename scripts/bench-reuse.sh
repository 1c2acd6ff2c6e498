#!/usr/bin/env bash
# Synthesis reuse (BENCHMARKS.md): examples/rest-api deployed once to a
# moto_server this script starts, then, interleaved, a forced warm synth
# (`sst synth`, which always runs the app), a no-op `sst deploy` and a
# no-op `sst diff` (both reuse the last synthesis and run no terraform).
# Prints a markdown table of medians; RUNS sets the repetitions (default 5).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-5}"
# shellcheck source=scripts/bench-lib.sh
source "$root/scripts/bench-lib.sh"

"$sst" deploy --stage bench >/dev/null 2>&1
synth=(); deploy=(); diff=()
for _ in $(seq 1 "$runs"); do
  t0=$(now); "$sst" synth --stage bench >/dev/null 2>&1; t1=$(now); synth+=("$(secs "$t0" "$t1")")
  t0=$(now); "$sst" deploy --stage bench >/dev/null 2>"$work/deploy.err"; t1=$(now); deploy+=("$(secs "$t0" "$t1")")
  t0=$(now); "$sst" diff --stage bench >"$work/diff.out" 2>"$work/diff.err"; t1=$(now); diff+=("$(secs "$t0" "$t1")")
done
grep -q "Reusing the last synthesis" "$work/deploy.err" || { echo "the no-op deploy ran the app:" >&2; cat "$work/deploy.err" >&2; exit 1; }
grep -q "not planned" "$work/diff.out" || { echo "the no-op diff planned:" >&2; cat "$work/diff.out" >&2; exit 1; }
s="$(median "${synth[@]}")"; d="$(median "${deploy[@]}")"; f="$(median "${diff[@]}")"
echo "| measure | median of $runs (s) | runs (s) |"
echo "|---|---|---|"
echo "| \`sst synth\` (forced warm synth: the app runs) | $s | ${synth[*]} |"
echo "| no-op \`sst deploy\` (synthesis reused, stacks skipped) | $d | ${deploy[*]} |"
echo "| no-op \`sst diff\` (synthesis reused, no stack planned) | $f | ${diff[*]} |"
echo "| no-op deploy / forced warm synth (target ≤ 0.1) | $(python3 -c "print(f'{$d/$s:.3f}')") | |"
"$sst" remove --stage bench --yes >/dev/null 2>&1
rm -rf "$work"
