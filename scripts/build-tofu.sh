#!/usr/bin/env bash
# Builds OpenTofu VERSION into OUT (make tofu), unless OUT already is that
# version. OpenTofu is a Go module on the module proxy, but its go.mod has
# replace directives, which `go install module@version` refuses: the module
# is downloaded into the module cache and built inside it.
set -euo pipefail
version=${1:?usage: build-tofu.sh VERSION OUT}
out=${2:?usage: build-tofu.sh VERSION OUT}
stamp=$out.version

if [[ -x $out && "$(cat "$stamp" 2>/dev/null)" == "$version" ]]; then
  exit 0
fi
# Outside any module, so that the download touches no go.mod or go.sum.
# go reports a failed download in the JSON, on stdout.
json=$(cd / && go mod download -json "github.com/opentofu/opentofu@$version") || {
  echo "build-tofu.sh: downloading github.com/opentofu/opentofu@$version failed:" >&2
  echo "$json" >&2
  exit 1
}
dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$json")
[[ -n $dir && -d $dir ]] || { echo "build-tofu.sh: go mod download named no directory for github.com/opentofu/opentofu@$version:" >&2; echo "$json" >&2; exit 1; }
echo "building OpenTofu $version into $out"
rm -f "$stamp"
mkdir -p "$(dirname "$out")"
# The flags of OpenTofu's own release builds (.goreleaser.yaml): without
# version.dev=no it reports itself as "1.12.6-dev".
(cd "$dir" && go build -mod=readonly -trimpath -ldflags "-s -w -X 'github.com/opentofu/opentofu/version.dev=no'" -o "$out.tmp" ./cmd/tofu)
mv "$out.tmp" "$out"
echo "$version" >"$stamp"
