#!/usr/bin/env bash
# sst dev reload benchmark (BENCHMARKS.md): how long from saving a handler
# to the first request that runs the new code, for the Node and the Go
# handler of examples/rest-api, against a moto_server this script starts.
# RUNS sets the number of edits of each.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${RUNS:-5}"
# shellcheck source=scripts/bench-lib.sh
source "$root/scripts/bench-lib.sh"

"$sst" dev --stage bench --port 0 >"$work/dev.log" 2>&1 &
cleanup_pids+=($!)
for _ in $(seq 1 1200); do [[ -f .sst/dev/bench/dev.json ]] && break; sleep 0.5; done
url="$(python3 -c 'import json; print(json.load(open(".sst/dev/bench/dev.json"))["apis"]["Api"]["local"])')"

# until METHOD PATH BODY WANT [TRIES]: repeat the request until the answer
# has WANT.
until_body() {
  for _ in $(seq 1 "${5:-600}"); do
    curl -s -X "$1" "$url$2" -d "$3" | grep -q "$4" && return 0
    sleep 0.02
  done
  echo "never saw $4" >&2; exit 1
}

node=(); gosec=()
prev_node='ok: true'; prev_go='`expected {"content": "…"}`'
for i in $(seq 1 "$runs"); do
  sleep 1
  next="ok: \"node-$i\""
  t0=$(now); sed -i "s|$prev_node|$next|" functions/health/index.ts
  until_body GET /health "" "node-$i"; t1=$(now); node+=("$(secs "$t0" "$t1")"); prev_node="$next"
  sleep 1
  next="\`go-$i\`"
  t0=$(now); sed -i "s|$prev_go|$next|" functions/notes/main.go
  until_body POST /notes "{}" "go-$i"; t1=$(now); gosec+=("$(secs "$t0" "$t1")"); prev_go="$next"
done

# Infra code: a new route in the app's main.go is served once sst dev has
# run the app again and redeployed.
infra=()
for i in $(seq 1 "$runs"); do
  sleep 1
  t0=$(now)
  sed -i "s|\t\t\t\"GET /health\": {|\t\t\t\"GET /added-$i\": {Function: sst.FunctionProps{Handler: \"functions/health/index.handler\"}},\n&|" main.go
  until_body GET "/added-$i" "" "ok" 6000; t1=$(now); infra+=("$(secs "$t0" "$t1")")
done

echo "| measure | median of $runs (s) | runs (s) |"
echo "|---|---|---|"
echo "| sst dev: save a Node handler → first response from the new code (target ≤ 1 s) | **$(median "${node[@]}")** | ${node[*]} |"
echo "| sst dev: save a Go handler → first response from the new code (target ≤ 3 s) | **$(median "${gosec[@]}")** | ${gosec[*]} |"
echo "| sst dev: add a route to the app's main.go → first response from the new route (app run + redeploy) | **$(median "${infra[@]}")** | ${infra[*]} |"
