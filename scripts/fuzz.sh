#!/usr/bin/env bash
# Runs every Fuzz target in the module for a short time each.
set -euo pipefail
# A count ("20000x") rather than a duration keeps CI deterministic: a
# duration can end mid-execution and be reported as a failure under load.
t="${1:-10s}"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for pkg in $(go list ./...); do
  dir="$(go list -f '{{.Dir}}' "$pkg")"
  for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "fuzz $pkg $f ($t)"
    go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" "$pkg" >/tmp/fuzz.$$.log 2>&1 || { cat /tmp/fuzz.$$.log; exit 1; }
  done
done
echo "fuzz: ok"
