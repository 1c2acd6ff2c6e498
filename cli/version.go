package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sst-tf/sst/cli/internal/tfenv"
	"github.com/sst-tf/sst/generators"
)

// Commit and SourceDir are stamped by `make build` and `make install`
// (-ldflags -X), like Version: the commit the binary was built from and the
// checkout it was built in, which `sst init` points new apps at.
var (
	Commit    = ""
	SourceDir = ""
)

// Build is what this binary knows about the source it was built from.
type Build struct {
	// Version is the module version: a release tag, a Go pseudo-version of
	// the commit, or "(devel)" when nothing was stamped.
	Version string
	// Commit is the full revision, or "" when unknown.
	Commit string
	// Modified says the working tree had uncommitted changes.
	Modified bool
	// Release says the module came from the module proxy (`go install
	// github.com/sst-tf/sst/cli/sst@version`): Version is published.
	Release bool
	// Sources are the directories this binary was built from, best first
	// (the stamped checkout, then the compiler's path of this file); only
	// those still holding the module count.
	Sources []string
}

// currentBuild is readBuild; tests replace it to be a binary built some
// other way than the test binary was.
var currentBuild = readBuild

// readBuild combines the -ldflags stamps with what the go tool recorded.
// Stamps win: only `make` knows the checkout, and it computes the version
// even where the go tool's VCS stamping is off (-buildvcs=false).
func readBuild() Build {
	b := Build{Version: "(devel)"}
	if info, ok := debug.ReadBuildInfo(); ok {
		if v := info.Main.Version; v != "" {
			b.Version = v
		}
		// Only the proxy's copy of a module carries a checksum; a build
		// in a checkout has none, even with a pseudo-version.
		b.Release = info.Main.Sum != ""
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				b.Commit = s.Value
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if Version != "" && Version != "dev" {
		b.Version = Version
	}
	if Commit != "" {
		b.Commit = strings.TrimSuffix(Commit, "+dirty")
	}
	if strings.HasSuffix(b.Version, "+dirty") {
		b.Modified = true
	}
	if SourceDir != "" {
		b.Sources = append(b.Sources, SourceDir)
	}
	// Without -trimpath the compiler records this file's absolute path: a
	// plain `go build` or `go install ./cli/sst` in a checkout still knows
	// where it came from. A release's path is the read-only module cache,
	// which no app should be pointed at.
	if _, file, _, ok := runtime.Caller(0); ok && !b.Release && filepath.IsAbs(file) {
		b.Sources = append(b.Sources, filepath.Dir(filepath.Dir(file)))
	}
	return b
}

// String is the first line of `sst version`.
func (b Build) String() string {
	s := "sst " + b.Version
	switch {
	case b.Commit == "":
		s += " (commit unknown: build with `make install` in the checkout to stamp it)"
	case b.Modified:
		s += " (commit " + b.Commit + ", with uncommitted changes)"
	default:
		s += " (commit " + b.Commit + ")"
	}
	return s
}

func newVersionCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the versions of sst (module version and commit), Go, terraform and tofu",
		Example: `  sst version
  sst --version    # the module version alone`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := f.IO.Out
			b := currentBuild()
			fmt.Fprintln(w, b)
			if src := generators.FirstCheckout(b.Sources...); src != "" {
				fmt.Fprintf(w, "source %s\n", src)
			}
			fmt.Fprintf(w, "go %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
			for _, e := range tfenv.Engines {
				bin, err := findEngine(f, e)
				if err != nil {
					fmt.Fprintf(w, "%s: not found on PATH\n", e.Command())
					continue
				}
				v, err := terraformVersion(cmd.Context(), bin)
				if err != nil {
					fmt.Fprintf(w, "%s: %s (version unknown: %v)\n", e.Command(), bin, err)
					continue
				}
				fmt.Fprintf(w, "%s %s (%s)\n", e.Command(), v, bin)
			}
			return nil
		},
	}
}

// terraformVersion asks the binary itself; -json skips the network version
// check and gives a stable format.
func terraformVersion(ctx context.Context, bin string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "version", "-json")
	cmd.Env = append(cmd.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return "", err
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	// OpenTofu prints warnings about its CLI configuration (a
	// TF_CLI_CONFIG_FILE naming no file) on stdout, before the JSON.
	if i := bytes.IndexByte(out, '{'); i > 0 {
		out = out[i:]
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return "", err
	}
	return v.Version, nil
}

// The cobra --version flag prints Version: unless a build stamped it, it
// is what the go tool recorded.
func init() {
	if Version == "" || Version == "dev" {
		Version = readBuild().Version
	}
}
