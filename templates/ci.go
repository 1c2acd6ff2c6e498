package templates

import "embed"

// CI holds the files `sst init --ci <provider>` writes: sst-ci.sh, the
// commands, and one workflow per provider (github/sst.yml) wiring them to
// its events.
//
//go:embed ci
var CI embed.FS
