#!/usr/bin/env bash
# Terraform under GOGC=400 (BENCHMARKS.md): examples/rest-api deployed to a
# moto_server this script starts and removed again, RUNS times (default 3)
# at Go's default collector target (GOGC=100, set by hand, which sst
# respects) and at sst's own (GOGC unset: sst runs terraform at
# tfenv.GOGC), alternating. Prints the CPU seconds of each deploy and
# remove (user + sys of sst and every process it waited for: terraform,
# the provider, the app's `go run`, jsii's Node) and the peak memory of the
# largest single process, as /usr/bin/time reports them. CPU seconds, not
# wall: they hold on a loaded machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-3}"
# shellcheck source=scripts/bench-lib.sh
source "$root/scripts/bench-lib.sh"

cpu() { # label, then the command; appends "label cpu maxrss_mb" to $work/rows
  local label=$1; shift
  /usr/bin/time -f "%U %S %M" -o "$work/t" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  read -r u s m <"$work/t"
  python3 -c "print('$label', f'{$u+$s:.1f}', f'{$m/1024:.0f}')" >>"$work/rows"
}
: >"$work/rows"
"$sst" synth --stage gogc >/dev/null 2>&1 # builds and the app's compile out of the figures
for _ in $(seq 1 "$runs"); do
  for gogc in 100 ""; do
    label="${gogc:-sst}"
    cpu "deploy-$label" env ${gogc:+GOGC=$gogc} "$sst" deploy --stage gogc --force
    cpu "remove-$label" env ${gogc:+GOGC=$gogc} "$sst" remove --stage gogc --yes
  done
done
python3 - "$work/rows" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
print("| step | GOGC | CPU s (median) | runs (CPU s) | peak MB (median) |")
print("|---|---|---|---|---|")
for step in ("deploy", "remove"):
    for g, name in (("100", "100 (Go's default)"), ("sst", "unset (sst: 400)")):
        r = [x for x in rows if x[0] == f"{step}-{g}"]
        cpu = [float(x[1]) for x in r]
        print(f"| {step} | {name} | {statistics.median(cpu):.1f} | {' '.join(x[1] for x in r)} | {statistics.median(float(x[2]) for x in r):.0f} |")
PY
rm -rf "$work"
