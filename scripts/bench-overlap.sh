#!/usr/bin/env bash
# Cold against warm `sst synth` of examples/rest-api (BENCHMARKS.md, "Cold
# synth"): warm = every bundle in .sst/artifacts; cold = .sst/artifacts
# removed (the last synthesis's manifest kept, as after a clean of the
# build cache or a handler edit); fresh = .sst removed (no manifest to start
# the builds from). Go's own build cache stays warm throughout. With BASE
# set (a git ref), the same app is also built against BASE and measured in
# turn. Each synth is timed with date; RUNS rounds (default 5), the kinds
# interleaved within a round. Prints medians and the cold/warm ratio of
# each round, and the load average before and after.
#   RUNS=5 [BASE=<ref>] scripts/bench-overlap.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-5}"
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="$(node -p 'process.versions.node.split(".")[0]')"
(cd "$root" && go build -o bin/sst ./cli/sst)
sst="$root/bin/sst"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# app <side> <sst source>: a copy of examples/rest-api as a module of its own.
app() {
  local d="$work/$1"
  cp -r "$root/examples/rest-api" "$d"
  printf 'module bench\ngo 1.26\nrequire github.com/sst-tf/sst v0.0.0\nreplace github.com/sst-tf/sst => %s\n' "$2" >"$d/go.mod"
  cp "$root/go.sum" "$d/go.sum"
  (cd "$d" && GOFLAGS=-mod=mod go mod tidy -e >/dev/null 2>&1 || true)
  (cd "$d" && "$sst" synth --stage bench >/dev/null 2>&1)
}

sides=(after)
app after "$root"
if [[ -n "${BASE:-}" ]]; then
  mkdir "$work/base-src"
  git -C "$root" archive "$BASE" | tar -x -C "$work/base-src"
  app before "$work/base-src"
  sides=(before after)
fi

now() { date +%s.%N; }
# synth <dir> <kind>: seconds of one synth of that kind.
synth() {
  case $2 in
    cold) rm -rf "$1/.sst/artifacts" ;;
    fresh) rm -rf "$1/.sst" ;;
  esac
  local t0 t1
  t0=$(now)
  (cd "$1" && "$sst" synth --stage bench >/dev/null 2>&1) || { echo "synth ($2) failed in $1" >&2; exit 1; }
  t1=$(now)
  python3 -c "print(f'{$t1-$t0:.3f}')"
}
median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float,sys.argv[1:])):.3f}')" "$@"; }
ratios() { python3 -c "import statistics,sys; a,b=sys.argv[1].split(),sys.argv[2].split(); print(f'{statistics.median(float(x)/float(y) for x,y in zip(a,b)):.2f}')" "$1" "$2"; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A times=()
for _ in $(seq 1 "$runs"); do
  for side in "${sides[@]}"; do
    for kind in warm cold fresh; do
      times[$side.$kind]+="$(synth "$work/$side" "$kind") "
    done
    synth "$work/$side" warm >/dev/null # leave it warm for the next round
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| side | warm (s) | cold (s) | fresh (s) | cold / warm (median of rounds) | fresh / warm | runs warm / cold / fresh (s) |"
echo "|---|---|---|---|---|---|---|"
for side in "${sides[@]}"; do
  w=${times[$side.warm]} c=${times[$side.cold]} f=${times[$side.fresh]}
  # shellcheck disable=SC2086
  echo "| $side | $(median $w) | $(median $c) | $(median $f) | **$(ratios "$c" "$w")** | $(ratios "$f" "$w") | $w/ $c/ $f|"
done
