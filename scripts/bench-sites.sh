#!/usr/bin/env bash
# Site benchmarks of BENCHMARKS.md, against a moto_server this script starts:
# a StaticSite of FILES files (default 1000: HTML pages, hashed scripts and
# styles, images) deployed to the emulator, then
#   1. a no-op redeploy (the stack is unchanged: skipped without terraform),
#   2. a forced no-op redeploy (terraform refreshes the bucket and the
#      distribution, the upload step lists the bucket and uploads nothing),
#   3. a redeploy after changing one file (one object uploaded, its path
#      invalidated).
# Prints a markdown table. RUNS sets repetitions of 1 and 2.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-3}"
files="${FILES:-1000}"
source "$root/scripts/bench-env.sh"

work="$(mktemp -d)"
cd "$work"
echo '{ "language": "go", "app": "go run ." }' > cdktf.json
cat > main.go <<'GO'
package main

import sst "github.com/sst-tf/sst/constructs"

func Web(s *sst.Stack) any {
	return sst.NewStaticSite(s, "Site", sst.StaticSiteProps{Path: "public", SPA: true})
}

func main() { sst.Run(sst.Config{Name: "bench"}, Web) }
GO
cat > go.mod <<MOD
module bench
go 1.26
require github.com/sst-tf/sst v0.0.0
replace github.com/sst-tf/sst => $root
MOD
cp "$root/go.sum" go.sum
GOFLAGS=-mod=mod go mod tidy -e >/dev/null 2>&1 || true
python3 - "$files" <<'PY'
import hashlib, os, sys
n = int(sys.argv[1])
os.makedirs("public/assets", exist_ok=True)
os.makedirs("public/img", exist_ok=True)
for i in range(n):
    body = f"/* file {i} */\n" + "x" * (200 + i % 2000)
    h = hashlib.sha1(body.encode()).hexdigest()[:8]
    kind = i % 4
    if i == 0:
        path = "public/index.html"; body = "<!doctype html><title>bench</title>"
    elif kind == 0:
        path = f"public/page{i}.html"
    elif kind == 1:
        path = f"public/assets/chunk{i}-{h}1.js"
    elif kind == 2:
        path = f"public/assets/style{i}-{h}1.css"
    else:
        path = f"public/img/pic{i}.svg"; body = f'<svg xmlns="http://www.w3.org/2000/svg"><!-- {i} --></svg>'
    with open(path, "w") as f:
        f.write(body)
PY

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2-$1:.2f}')"; }
median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float,sys.argv[1:])):.2f}')" "$@"; }

t0=$(now); "$sst" synth --stage bench >/dev/null; t1=$(now); synth="$(secs "$t0" "$t1")"
t0=$(now); "$sst" deploy --stage bench >/dev/null; t1=$(now); deploy="$(secs "$t0" "$t1")"
noop=(); forced=()
for _ in $(seq 1 "$runs"); do
  t0=$(now); "$sst" deploy --stage bench >/dev/null; t1=$(now); noop+=("$(secs "$t0" "$t1")")
done
for _ in $(seq 1 "$runs"); do
  t0=$(now); "$sst" deploy --stage bench --force >/dev/null; t1=$(now); forced+=("$(secs "$t0" "$t1")")
done
echo "<!-- changed -->" >> public/page4.html
t0=$(now); out="$("$sst" deploy --stage bench)"; t1=$(now); one="$(secs "$t0" "$t1")"
changes="$(grep -o '[0-9]* file(s) uploaded, [0-9]* deleted, [0-9]* unchanged' <<<"$out" | head -1)"
inv="$(grep -o 'invalidated .*' <<<"$out" | head -1)"

echo "| measure ($files files) | median of $runs (s) | runs (s) |"
echo "|---|---|---|"
echo "| synth (walk, hash, emit) | $synth | $synth |"
echo "| first deploy to moto (bucket, OAC, distribution; $files files uploaded) | $deploy | $deploy |"
echo "| no-op redeploy (unchanged stack, skipped) | $(median "${noop[@]}") | ${noop[*]} |"
echo "| no-op redeploy with --force (terraform refresh, bucket listed, nothing uploaded) | $(median "${forced[@]}") | ${forced[*]} |"
echo "| one file changed: $changes, $inv | $one | $one |"
"$sst" remove --stage bench --yes >/dev/null
cd / && rm -rf "$work"
