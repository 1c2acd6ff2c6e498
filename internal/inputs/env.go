package inputs

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// envIgnored are variables that steer only the synth's own machinery, or
// change on every run without anything it builds being able to depend on
// them, so they are never compared.
var envIgnored = map[string]bool{
	"SST_OUT_DIR": true, // a fresh temporary directory every synth
	// Knobs of how the app loads the AWS provider and its jsii runtime.
	"SST_FULL_PROVIDER":   true,
	"SST_PROVIDER_MIRROR": true,
	// --force; a forced run records what an unforced one would see.
	"SST_REBUILD": true,
	// Shell bookkeeping; `sh -c` sets its own.
	"PWD": true, "OLDPWD": true, "SHLVL": true, "_": true,
	// Short-lived credentials rotate hourly (or per command under
	// aws-vault); whatever a build reads from AWS is outside any record.
	"AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true,
	"AWS_SECURITY_TOKEN": true, "AWS_CREDENTIAL_EXPIRATION": true,
}

// EnvIgnored reports whether a variable is left out of every comparison.
func EnvIgnored(name string) bool {
	return envIgnored[name] || strings.HasPrefix(name, "JSII_")
}

// relevant are the variables besides SST_* that change what an app
// synthesizes: which Go files it compiles from, and the AWS defaults a
// construct may fall back on.
var relevant = map[string]bool{
	"GOFLAGS": true, "GOOS": true, "GOARCH": true, "GOEXPERIMENT": true, "GOWORK": true,
	"GOAMD64": true, "GOARM64": true, "CGO_ENABLED": true, "GOTOOLCHAIN": true,
	"AWS_REGION": true, "AWS_DEFAULT_REGION": true, "AWS_PROFILE": true,
}

// Relevant reports whether a variable reaches what an app synthesizes:
// every SST_* variable (stage, region, profile, endpoint, mode, the app's
// own settings) and the Go and AWS defaults in relevant.
func Relevant(name string) bool {
	if EnvIgnored(name) {
		return false
	}
	return strings.HasPrefix(name, "SST_") || relevant[name]
}

// EnvDigest maps the variables of env to compare (all of them but the
// ignored when all is set, else the Relevant ones and names) to digests of
// their values. The last value of a name wins, as for exec.
func EnvDigest(env []string, all bool, names []string) map[string]string {
	named := map[string]bool{}
	for _, n := range names {
		named[n] = true
	}
	out := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if k == "" || EnvIgnored(k) || (!all && !Relevant(k) && !named[k]) {
			continue
		}
		sum := sha256.Sum256([]byte(v))
		out[k] = hex.EncodeToString(sum[:8])
	}
	return out
}
