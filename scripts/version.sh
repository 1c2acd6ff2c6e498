#!/bin/sh
# Prints the Go module version of this checkout's HEAD, as `make build` and
# `make install` stamp it into sst: the release tag at HEAD, else a Go
# pseudo-version of the commit (what `go get` would name it), with "+dirty"
# when tracked files have uncommitted changes. Prints nothing outside git.
cd "$(dirname "$0")/.." || exit 1
git rev-parse --verify -q HEAD >/dev/null 2>&1 || exit 0
v=$(git describe --tags --exact-match --match 'v[0-9]*' 2>/dev/null) ||
	v="v0.0.0-$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y%m%d%H%M%S)-$(git rev-parse --short=12 HEAD)"
[ -z "$(git status --porcelain --untracked-files=no)" ] || v="$v+dirty"
echo "$v"
