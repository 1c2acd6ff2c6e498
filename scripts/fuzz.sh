#!/usr/bin/env bash
# Runs every Fuzz target in the module for a short time each.
set -euo pipefail
# A count ("20000x") rather than a duration keeps CI deterministic: a
# duration can end mid-execution and be reported as a failure under load.
t="${1:-10s}"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# One `go list` for every package's directory (one per package cost
# ≈ 15 CPU s of the step on the 2-core CI machine); go test reads
# /dev/null, not the package list this loop reads. -vet=off: vetting is
# `make lint`'s (the full go vet); here it cost ≈ 35 CPU s per run.
n=0
while read -r pkg dir; do
  for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "fuzz $pkg $f ($t)"
    n=$((n + 1))
    go test -run '^$' -vet=off -fuzz "^$f\$" -fuzztime "$t" "$pkg" </dev/null >/tmp/fuzz.$$.log 2>&1 || { cat /tmp/fuzz.$$.log; exit 1; }
  done
done < <(go list -f '{{.ImportPath}} {{.Dir}}' ./...)
# A failing `go list` above would otherwise pass as "no targets".
((n > 0)) || { echo "fuzz: no fuzz targets found" >&2; exit 1; }
echo "fuzz: ok ($n targets)"
