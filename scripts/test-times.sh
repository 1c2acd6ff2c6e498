#!/usr/bin/env bash
# Turns `go test -json` output into where the time went: one row a package
# (wall time of its test binary) and the slowest tests and subtests.
#
#   go test -count=1 -json ./... > /tmp/t.json; scripts/test-times.sh /tmp/t.json
#   go test -json -run 'TestRDS$' ./tests | scripts/test-times.sh
#
# TOP=N sets how many tests are listed (default 25). A parallel test's
# elapsed time counts from when it got a slot (go test excludes the wait),
# so the tests of one package can add up to more than its wall time.
set -euo pipefail
command -v jq >/dev/null || { echo "test-times: needs jq on PATH" >&2; exit 1; }
top="${TOP:-25}"
in="${1:--}"
events="$(jq -cR 'fromjson? | select(.Action == "pass" or .Action == "fail" or .Action == "skip") | select(.Elapsed != null)' "$in" 2>/dev/null || true)"
if [[ -z "$events" ]]; then
  echo "test-times: no finished packages or tests in the input (was it go test -json?)" >&2
  exit 1
fi

echo "| package | result | seconds |"
echo "|---|---|---|"
jq -rs 'map(select(.Test == null)) | sort_by(-.Elapsed) | .[] |
  "| \(.Package | sub("^github.com/sst-tf/sst/?"; "./")) | \(.Action) | \(.Elapsed) |"' <<<"$events"

echo
echo "| test | package | result | seconds |"
echo "|---|---|---|---|"
jq -rs --argjson top "$top" 'map(select(.Test != null)) | sort_by(-.Elapsed) | .[:$top] | .[] |
  "| \(.Test) | \(.Package | sub("^github.com/sst-tf/sst/?"; "./")) | \(.Action) | \(.Elapsed) |"' <<<"$events"
