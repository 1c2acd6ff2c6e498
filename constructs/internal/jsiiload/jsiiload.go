// Package jsiiload prepares what the jsii kernel loads when an app
// synthesizes, before it loads anything:
//
//   - The AWS provider package is swapped for a prepared copy holding only
//     the submodules whose Go packages the program links (see provider.go):
//     the kernel then parses a ~2 MB assembly instead of 114 MB and
//     requires ~60 modules instead of 2,076, for the same output.
//   - The kernel's package-cache entries for constructs, cdktf and the
//     provider are written whole and renamed into place under a file lock
//     (see cache.go), so concurrent synths on a cold cache never see each
//     other's half-extracted files.
//
// The prepared package is built once per provider version and set of
// submodules, from the tarball the provider's Go module embeds, and kept
// in the user cache directory with its SHA-256, checked on every use.
// Everything here depends on exact versions of jsii-runtime-go and the
// three bindings (their embedded tarball variables, the kernel's cache
// layout, the type registry's first field, the provider's lib/lazy-index.js);
// the kernel and the tarballs are checked byte for byte (SHA-256) on every
// run. Any other version, or a package that does not look as expected,
// leaves the kernel to load everything as published, with a warning.
// SST_FULL_PROVIDER=1 does that on purpose.
package jsiiload

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sst-tf/sst/internal/atomicfile"
	"github.com/sst-tf/sst/internal/filelock"
)

// EnvFullProvider set to 1 makes the kernel load the whole provider as
// published (the cache entries are still written safely).
const EnvFullProvider = "SST_FULL_PROVIDER"

// format names the preparation; change it whenever the prepared package
// changes, so caches built by older code are not used.
const format = "1"

// jsiiRuntime is jsii-runtime-go; programJS is the SHA-256 of the kernel
// it embeds (resources/lib/program.js), which pins the package-cache
// layout, and the Go type registry released with it.
var jsiiRuntime = module{path: "github.com/aws/jsii-runtime-go", version: "v1.119.0"}

const programJS = "d94c22a8f932b83920ed38a1896050c8ca5c61c0d1ed4cd5eed21e568560f1ac"

type module struct{ path, version string }

// pkg is a jsii package a binding loads: its Go module, the npm name and
// version it passes to runtime.Load, its embedded tarball and the
// tarball's SHA-256 (and, for the provider, the module's go.sum hash,
// which covers the tarball and is free to check when the build info has
// it; test binaries carry none).
type pkg struct {
	module
	name, version string
	tarball       *[]byte
	sha256, gosum string
}

var (
	constructsPkg = pkg{module{"github.com/aws/constructs-go/constructs/v10", "v10.4.2"}, "constructs", "10.4.2", &constructsTarball,
		"8e21d5e2e80845cd2245e7f72ae128d9bf5a6794a235669a8175f3cec31e5263", ""}
	cdktfPkg = pkg{module{"github.com/hashicorp/terraform-cdk-go/cdktf", "v0.20.11"}, "cdktf", "0.20.11", &cdktfTarball,
		"9a1b69b651aaf9f2267fee3ee96b3cf19e5e05cea959804006c5945fb8e3c05b", ""}
	providerPkg = pkg{module{"github.com/cdktf/cdktf-provider-aws-go/aws/v19", "v19.50.0"}, providerName, "19.50.0", &awsTarball,
		"776308d2fd2b00f7702ee75f47394b084ced7ff3b8ffbe76b4a99fe2e4879a50", "h1:Xug/oANVbBa64ciSOQ/jxGfl3c2LDH2st/KBsddJy4g="}
)

// Expected lists the modules this package is written against, for the test
// that fails when go.mod moves any of them.
func Expected() map[string]string {
	m := map[string]string{jsiiRuntime.path: jsiiRuntime.version}
	for _, p := range []pkg{constructsPkg, cdktfPkg, providerPkg} {
		m[p.path] = p.module.version
	}
	return m
}

var (
	once   sync.Once
	result Result
)

// Result says what Prepare did.
type Result struct {
	// Submodules of the provider in the prepared package; nil when the
	// whole provider is loaded.
	Submodules []string
	// Warnings say why the whole provider is loaded or why the cache
	// entries were left to the kernel.
	Warnings []string
	Took     time.Duration
}

// Prepare runs once per process, before the first jsii object is created;
// later calls return the first result. Problems are warnings on stderr:
// the kernel then loads what it would have loaded without this package.
func Prepare() Result {
	once.Do(func() {
		start := time.Now()
		result = prepare()
		result.Took = time.Since(start)
		for _, w := range result.Warnings {
			fmt.Fprintf(os.Stderr, "sst: warning: %s\n", w)
		}
		if os.Getenv("JSII_DEBUG_TIMING") != "" {
			fmt.Fprintf(os.Stderr, "[sst] jsii packages prepared in %s (provider submodules: %d)\n", result.Took.Round(time.Millisecond), len(result.Submodules))
		}
	})
	return result
}

func prepare() Result {
	const whole = "; loading the whole AWS provider as published (slower synth, same output)"
	if err := verifyInputs(); err != nil {
		return Result{Warnings: []string{err.Error() + whole}}
	}
	var res Result
	if os.Getenv(EnvFullProvider) != "1" {
		subs := linkedSubmodules()
		prepared, err := preparedProvider(subs)
		if err != nil {
			res.Warnings = append(res.Warnings, "preparing the AWS provider package: "+err.Error()+whole)
		} else {
			awsTarball = prepared
			res.Submodules = subs
		}
	}
	if err := populateCache(); err != nil {
		res.Warnings = append(res.Warnings, "writing the jsii package cache: "+err.Error()+"; the jsii kernel extracts the packages itself")
	}
	return res
}

// verifyInputs checks that the kernel and the three tarballs are byte
// for byte the ones this package is written against.
func verifyInputs() error {
	prog, err := jsiiRuntimeFS.ReadFile("resources/lib/program.js")
	if err != nil {
		return fmt.Errorf("reading the jsii kernel jsii-runtime-go embeds: %w", err)
	}
	if hexSHA(prog) != programJS {
		return fmt.Errorf("the jsii kernel is not the one of %s %s", jsiiRuntime.path, jsiiRuntime.version)
	}
	for _, p := range []pkg{constructsPkg, cdktfPkg, providerPkg} {
		if p.gosum != "" && moduleSum(p.path, p.module.version) == p.gosum {
			continue
		}
		if hexSHA(*p.tarball) != p.sha256 {
			return fmt.Errorf("the %s package embedded by %s is not the one of %s", p.name, p.path, p.module.version)
		}
	}
	return nil
}

// moduleSum is the go.sum hash of a dependency at a version, from the
// build info ("" when it has none).
func moduleSum(path, version string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, d := range bi.Deps {
		if d.Path == path && d.Version == version && d.Replace == nil {
			return d.Sum
		}
	}
	return ""
}

func hexSHA(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// linkedSubmodules are the provider submodules with a type registered by a
// linked Go package.
func linkedSubmodules() []string {
	set := map[string]bool{}
	for _, fqn := range registeredFQNs() {
		if rest, ok := strings.CutPrefix(fqn, providerName+"."); ok {
			if sub, _, ok := strings.Cut(rest, "."); ok {
				set[sub] = true
			}
		}
	}
	subs := make([]string, 0, len(set))
	for s := range set {
		subs = append(subs, s)
	}
	slices.Sort(subs)
	return subs
}

// sstCacheDir holds the prepared provider packages.
func sstCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "sst", "jsii"), nil
}

// preparedProvider returns the prepared package for subs, built now if no
// verified copy is cached.
func preparedProvider(subs []string) ([]byte, error) {
	dir, err := sstCacheDir()
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256([]byte(format + "\n" + providerPkg.sha256 + "\n" + strings.Join(subs, "\n")))
	base := filepath.Join(dir, fmt.Sprintf("provider-aws-%s-%s", providerPkg.version, hex.EncodeToString(h[:8])))
	if b, ok := readVerified(base); ok {
		return b, nil
	}
	unlock, err := filelock.Lock(filepath.Join(dir, ".lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()
	if b, ok := readVerified(base); ok {
		return b, nil // another synth built it while this one waited
	}
	b, err := prepareProvider(awsTarball, providerPkg.version, subs)
	if err != nil {
		return nil, err
	}
	if err := atomicfile.Write(base+".tgz", b, 0o644); err != nil {
		return nil, err
	}
	if err := atomicfile.Write(base+".sha256", []byte(hexSHA(b)+"\n"), 0o644); err != nil {
		return nil, err
	}
	return b, nil
}

// readVerified reads base.tgz if its SHA-256 is the one recorded beside it.
func readVerified(base string) ([]byte, bool) {
	want, err := os.ReadFile(base + ".sha256")
	if err != nil {
		return nil, false
	}
	b, err := os.ReadFile(base + ".tgz")
	if err != nil {
		return nil, false
	}
	return b, hexSHA(b) == strings.TrimSpace(string(want))
}

// populateCache makes the kernel's cache entries of the three packages
// complete before the kernel looks for them.
func populateCache() error {
	root := cacheRoot()
	if root == "" {
		return nil // the kernel extracts into a directory of its own
	}
	type entry struct {
		dir     string
		tarball []byte
	}
	var todo []entry
	for _, p := range []pkg{constructsPkg, cdktfPkg, providerPkg} {
		t := *p.tarball
		if d := entryDir(root, p.name, p.version, t); !complete(d) {
			todo = append(todo, entry{d, t})
		}
	}
	if len(todo) == 0 {
		return nil
	}
	unlock, err := filelock.Lock(filepath.Join(root, ".sst.lock"))
	if err != nil {
		return err
	}
	defer unlock()
	var errs []error
	for _, e := range todo {
		errs = append(errs, populate(e.dir, e.tarball))
	}
	return errors.Join(errs...)
}
