#!/usr/bin/env bash
# One Node handler edited → deployed (BENCHMARKS.md "Handler edit"):
# examples/rest-api deployed once to a moto_server this script starts, then,
# interleaved, RUNS times (default 5): edit functions/health/index.ts and
# `sst deploy` (the synthesis is reused, the bundle rebuilt, only the API
# stack applied), and the same edit with `sst synth` before the deploy (the
# app runs, as it did for every handler edit before; the deploy then reuses
# that synthesis and applies the same one stack). Reports the wall time of each and the
# split of the reused one: checking and rebuilding bundles (the CLI's
# "checked in" figure) and the API stack's terraform apply (its line in the
# deploy summary). Fails if the reused deploy ran the app or did not
# rebuild the health bundle. FARM=1 then times the same pairs with
# farm-bench (whole-process wall, CPU and peak memory; FARM_RUNS pairs,
# default RUNS): edit + deploy vs edit + synth + deploy.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-5}"
# shellcheck source=scripts/bench-lib.sh
source "$root/scripts/bench-lib.sh"

"$sst" deploy --stage bench >/dev/null 2>&1
edit() { sed -i "s/ok: true[^,]*,/ok: true, v: $1,/" functions/health/index.ts; }
# seconds of a progress.FormatDuration value (12.3s, 1m02s)
dur() { python3 -c "import re,sys; m=re.fullmatch(r'(?:(\d+)m)?([\d.]+)s', sys.argv[1]); print(f'{int(m[1] or 0)*60+float(m[2]):.2f}')" "$1"; }
reused=(); bundle=(); apply=(); forced=()
for i in $(seq 1 "$runs"); do
  edit "$((2 * i))"
  t0=$(now); "$sst" deploy --stage bench >"$work/deploy.out" 2>"$work/deploy.err"; t1=$(now); reused+=("$(secs "$t0" "$t1")")
  if grep -q "Synthesizing" "$work/deploy.err" || ! grep -q "rebuilt: API/Api_GET_health" "$work/deploy.err"; then
    echo "the deploy after a handler edit ran the app or did not rebuild the health bundle:" >&2; cat "$work/deploy.err" >&2; exit 1
  fi
  ms="$(grep -o 'checked in [0-9.]*m\?s' "$work/deploy.err" | tail -1 | awk '{print $3}')"
  bundle+=("$(python3 -c "import sys; v=sys.argv[1]; print(f'{float(v[:-2])/1000 if v.endswith(\"ms\") else float(v[:-1]):.2f}')" "$ms")")
  apply+=("$(dur "$(grep -E '✓ API ' "$work/deploy.out" | awk '{print $NF}')")")
  edit "$((2 * i + 1))"
  t0=$(now); "$sst" synth --stage bench >/dev/null 2>&1 && "$sst" deploy --stage bench >/dev/null 2>&1; t1=$(now); forced+=("$(secs "$t0" "$t1")")
done
r="$(median "${reused[@]}")"; b="$(median "${bundle[@]}")"; a="$(median "${apply[@]}")"; f="$(median "${forced[@]}")"
echo "| measure | median of $runs (s) | runs (s) |"
echo "|---|---|---|"
echo "| Node handler edited → \`sst deploy\` (no app run) | $r | ${reused[*]} |"
echo "| … of which: bundles checked and rebuilt | $b | ${bundle[*]} |"
echo "| … of which: API stack terraform apply | $a | ${apply[*]} |"
echo "| Node handler edited → \`sst synth && sst deploy\` (the app runs, as before) | $f | ${forced[*]} |"
# Whole-process figures (every descendant's CPU, peak memory) from
# farm-bench, the same pairs.
if [[ -n "${FARM:-}" ]]; then
  e='sed -i "s/ok: true[^,]*,/ok: true, v: $(date +%s%N),/" functions/health/index.ts'
  farm-bench -n "${FARM_RUNS:-$runs}" --warmup 1 --timeout 3000 \
    --vs "sh -c '$e && $sst synth --stage bench && exec $sst deploy --stage bench'" \
    -- sh -c "$e && exec $sst deploy --stage bench"
fi
"$sst" remove --stage bench --yes >/dev/null 2>&1
rm -rf "$work"
