// Package tfenv builds the environment terraform runs in for a project.
package tfenv

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/sst-tf/sst/internal/tfconfig"
)

// Environment variables the CLI reads to configure terraform.
const (
	// EnvProviderMirror is a filesystem provider mirror (a directory holding
	// registry.terraform.io/…). Set it where no registry is reachable;
	// unset, the usual mirror locations are searched.
	EnvProviderMirror = tfconfig.MirrorEnv
	// EnvPluginCacheDir overrides where providers are cached (linked, not
	// copied, into each stack's .terraform).
	EnvPluginCacheDir = "SST_PLUGIN_CACHE_DIR"
)

// GOGC is the Go garbage collector target terraform and its providers run
// with unless the user's environment sets one. Every start of the AWS
// provider builds the schema of its ~1,500 resources, and at Go's default
// (100) much of that CPU is collection. At 400 a deploy of
// examples/rest-api takes 27 % less CPU and its remove 26 % less, for a
// largest process of 854 MB instead of 672 (BENCHMARKS.md "Terraform
// under GOGC=400"). A deploy starts the provider a few times per stack, so
// the provider is most of a small stack's CPU.
const GOGC = "400"

// Options says what the environment is for.
type Options struct {
	// Base is the starting environment (os.Environ() in production).
	Base []string
	// ProjectDir is the absolute project root; the generated CLI config
	// lives in its .sst directory.
	ProjectDir string
	// Endpoint is the AWS endpoint override, if any.
	Endpoint string
	Profile  string
	// Engine is the one the environment is for: OpenTofu also reads
	// ~/.tofurc, which keeps a found mirror from replacing it.
	Engine Engine
}

// autoMirror says whether a mirror found in the usual places may be used
// unasked: not when the user has a terraform CLI configuration of their own
// (ours would replace it, credentials and all), nor without a project to
// write ours into.
func autoMirror(env map[string]string, projectDir string, engine Engine) bool {
	if projectDir == "" {
		return false
	}
	// A TF_CLI_CONFIG_FILE naming no file configures nothing (terraform
	// then uses its defaults), so it does not count.
	rcs := []string{env["TF_CLI_CONFIG_FILE"]}
	if home := env["HOME"]; home != "" {
		rcs = append(rcs, filepath.Join(home, ".terraformrc"), filepath.Join(home, "terraform.rc"))
		if engine == OpenTofu {
			rcs = append(rcs, filepath.Join(home, ".tofurc"))
		}
	}
	for _, rc := range rcs {
		if rc == "" {
			continue
		}
		if _, err := os.Stat(rc); err == nil {
			return false
		}
	}
	return true
}

// Build returns the environment for terraform as a map.
//
// Variables terraform-exec refuses to accept from callers (TF_LOG,
// TF_IN_AUTOMATION, TF_VAR_*, …) are dropped: it sets TF_IN_AUTOMATION
// itself and manages logging, and a stray TF_VAR_ from the shell must not
// change what a stage deploys.
func Build(o Options) (map[string]string, error) {
	env := map[string]string{}
	for _, kv := range o.Base {
		k, v, ok := strings.Cut(kv, "=")
		if ok {
			env[k] = v
		}
	}
	env = tfexec.CleanEnv(env)
	env["CHECKPOINT_DISABLE"] = "1"
	if env["GOGC"] == "" {
		env["GOGC"] = GOGC
	}

	// A TF_CLI_CONFIG_FILE naming no file configures nothing, but OpenTofu
	// warns about it on stdout, into the JSON of state pull and show.
	if rc := env["TF_CLI_CONFIG_FILE"]; rc != "" {
		if _, err := os.Stat(rc); errors.Is(err, fs.ErrNotExist) {
			delete(env, "TF_CLI_CONFIG_FILE")
		}
	}
	mirror, err := tfconfig.FindMirror(env[EnvProviderMirror])
	if err != nil {
		return nil, err
	}
	if env[EnvProviderMirror] == "" && !autoMirror(env, o.ProjectDir, o.Engine) {
		mirror = ""
	}
	if mirror != "" {
		cache := env[EnvPluginCacheDir]
		if cache == "" {
			dir, err := os.UserCacheDir()
			if err != nil {
				return nil, fmt.Errorf("no plugin cache directory: set %s: %w", EnvPluginCacheDir, err)
			}
			cache = filepath.Join(dir, "sst", "plugins")
		}
		if err := os.MkdirAll(cache, 0o755); err != nil {
			return nil, err
		}
		// One configuration for both engines: a stage deployed by one
		// must stay readable by the other (see tfconfig.RenderAliased).
		rc := filepath.Join(o.ProjectDir, ".sst", "terraformrc")
		alias := tfconfig.AliasDir(cache, mirror)
		if err := os.MkdirAll(filepath.Dir(rc), 0o755); err != nil {
			return nil, err
		}
		if err := tfconfig.WriteAliased(rc, mirror, alias, cache); err != nil {
			return nil, fmt.Errorf("write the %s CLI config: %w", o.Engine.Title(), err)
		}
		env["TF_CLI_CONFIG_FILE"] = rc
	}

	// Against an emulator with no credentials configured, the AWS provider
	// would search instance metadata and shared config and fail slowly;
	// emulators accept any key.
	if o.Endpoint != "" && env["AWS_ACCESS_KEY_ID"] == "" && env["AWS_PROFILE"] == "" && o.Profile == "" {
		env["AWS_ACCESS_KEY_ID"] = "test"
		env["AWS_SECRET_ACCESS_KEY"] = "test"
	}
	return env, nil
}
