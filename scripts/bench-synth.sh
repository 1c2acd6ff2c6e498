#!/usr/bin/env bash
# Warm `sst synth` before and after a change to the constructs package:
# examples/rest-api and a generated app of 12 Node functions (10 HTTP API
# routes, a queue consumer and a cron job) with a table and a bucket. Each
# app is copied twice, once built against this checkout and once against
# BASE (a git ref, e.g. the commit before the change), synthesized once to
# warm the bundles and the caches, then RUNS times (default 5), before and
# after interleaved. Wall time with date, peak RSS of the whole process
# tree (sst, go run, the app, jsii's Node processes) sampled from /proc
# every 20 ms. Prints a markdown table of medians.
#   BASE=<ref> RUNS=5 scripts/bench-synth.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-5}"
base="${BASE:?set BASE to the git ref to compare with}"
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="$(node -p 'process.versions.node.split(".")[0]')"
(cd "$root" && go build -o bin/sst ./cli/sst)
sst="$root/bin/sst"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/base-src"
git -C "$root" archive "$base" | tar -x -C "$work/base-src"

fn12() { # the 12-function app, in $1
  mkdir -p "$1/functions"
  routes=""
  for i in $(seq 1 10); do
    printf 'export const handler = async () => ({ statusCode: 200, body: "route %s" });\n' "$i" >"$1/functions/route$i.ts"
    routes="$routes\"GET /r$i\": {Handler: \"functions/route$i.handler\"},"
  done
  printf 'export const handler = async (e: unknown) => { console.log(e); };\n' >"$1/functions/consume.ts"
  printf 'export const handler = async () => { console.log("tick"); };\n' >"$1/functions/tick.ts"
  cat >"$1/main.go" <<GO
package main

import sst "github.com/sst-tf/sst/constructs"

func App(s *sst.Stack) any {
	t := sst.NewTable(s, "Items", sst.TableProps{Fields: map[string]string{"id": "string"}, PrimaryIndex: sst.TableIndex{PartitionKey: "id"}})
	b := sst.NewBucket(s, "Files", sst.BucketProps{})
	q := sst.NewQueue(s, "Jobs", sst.QueueProps{Consumer: &sst.QueueConsumer{Handler: "functions/consume.handler"}})
	sst.NewCron(s, "Tick", sst.CronProps{Schedule: "rate(5 minutes)", Handler: "functions/tick.handler"})
	api := sst.NewApi(s, "Api", sst.ApiProps{
		Defaults: sst.ApiDefaults{Function: sst.FunctionProps{Bind: []sst.Bindable{t, b, q}}},
		Routes:   map[string]sst.ApiRoute{$routes},
	})
	s.AddOutputs(map[string]any{"Url": api.URL()})
	return nil
}

func main() { sst.Run(sst.Config{Name: "fn12"}, App) }
GO
  echo '{"language": "go", "app": "go run ."}' >"$1/cdktf.json"
}

# app <name> <side> <sst source>: a copy of the app as a module of its own.
app() {
  local d="$work/$1-$2"
  if [[ $1 == rest-api ]]; then cp -r "$root/examples/rest-api" "$d"; else fn12 "$d"; fi
  printf 'module bench\ngo 1.26\nrequire github.com/sst-tf/sst v0.0.0\nreplace github.com/sst-tf/sst => %s\n' "$3" >"$d/go.mod"
  cp "$root/go.sum" "$d/go.sum"
  (cd "$d" && GOFLAGS=-mod=mod go mod tidy -e >/dev/null 2>&1 || true)
  (cd "$d" && "$sst" synth --stage bench >/dev/null)
}

# measure <dir>: "<seconds> <peak tree RSS MB>" of one warm synth.
measure() {
  python3 - "$sst" "$1" <<'PY'
import os, subprocess, sys, time
sst, d = sys.argv[1], sys.argv[2]
def tree_rss(root):
    kids, rss = {}, {}
    for p in os.listdir('/proc'):
        if not p.isdigit(): continue
        try:
            st = open(f'/proc/{p}/stat').read().rsplit(')', 1)[1].split()
            kids.setdefault(int(st[1]), []).append(int(p))
            rss[int(p)] = int(st[21]) * os.sysconf('SC_PAGE_SIZE')
        except OSError: pass
    total, todo = 0, [root]
    while todo:
        p = todo.pop(); total += rss.get(p, 0); todo += kids.get(p, [])
    return total
t0 = time.time()
proc = subprocess.Popen([sst, 'synth', '--stage', 'bench'], cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
peak = 0
while proc.poll() is None:
    peak = max(peak, tree_rss(proc.pid)); time.sleep(0.02)
if proc.returncode != 0: sys.exit(f'synth failed in {d}')
print(f'{time.time()-t0:.2f} {peak/1e6:.0f}')
PY
}

median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float,sys.argv[1:])):g}')" "$@"; }

echo "| app | side | median wall (s) | median peak tree RSS (MB) | runs: s/MB |"
echo "|---|---|---|---|---|"
for a in rest-api fn12; do
  app "$a" before "$work/base-src"
  app "$a" after "$root"
  declare -A secs=() mb=() all=()
  for _ in $(seq 1 "$runs"); do
    for side in before after; do
      read -r s m < <(measure "$work/$a-$side")
      secs[$side]+="$s "; mb[$side]+="$m "; all[$side]+="$s/$m "
    done
  done
  for side in before after; do
    # shellcheck disable=SC2086
    echo "| $a | $side | $(median ${secs[$side]}) | $(median ${mb[$side]}) | ${all[$side]}|"
  done
  unset secs mb all
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
