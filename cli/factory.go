// Package cli is the sst command line: one file per command, built on a
// Factory that injects I/O, the working directory and the environment so
// every command runs in-process in tests, without a terminal.
package cli

import (
	"io"
	"os"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
)

// Version is the CLI version, set at build time with
// -ldflags "-X github.com/sst-tf/sst/cli.Version=v0.1.0".
var Version = "dev"

// IOStreams are where a command reads and writes. IsTTY says whether Out is
// a terminal: it selects live symbols and colors, and whether prompting is
// possible at all.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	IsTTY  bool
}

// Factory carries what commands need from the outside world.
type Factory struct {
	IO *IOStreams
	// Getwd returns the directory project discovery starts from.
	Getwd func() (string, error)
	// Environ is the process environment; commands read settings from it
	// and pass it on to the app and to terraform.
	Environ func() []string
	// Terraform is the terraform binary; empty means look it up on PATH.
	Terraform string
	// Tofu is the OpenTofu binary (--engine tofu); empty means look up
	// "tofu" on PATH.
	Tofu string
	// Executable is the running binary's path, used by `sst init` to find a
	// local checkout of this module; empty means os.Executable.
	Executable string
	// runF, when set (by flag tests), receives a project command's parsed
	// and checked options in place of running it: nothing is loaded,
	// locked, synthesized or deployed.
	runF func(cmd *cobra.Command, opts any) error
}

// NewFactory returns a factory wired to the real process.
func NewFactory() *Factory {
	tty := isatty.IsTerminal(os.Stdout.Fd()) && isatty.IsTerminal(os.Stdin.Fd())
	return &Factory{
		IO:      &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, IsTTY: tty},
		Getwd:   os.Getwd,
		Environ: os.Environ,
	}
}

// Getenv reads one variable from the factory's environment.
func (f *Factory) Getenv(key string) string {
	v, _ := f.LookupEnv(key)
	return v
}

// LookupEnv reads one variable and whether it is set at all, so a variable
// set to "" can be told from one that is absent.
func (f *Factory) LookupEnv(key string) (string, bool) {
	env := f.Environ()
	// Last one wins, like the os package on duplicate entries.
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key+"="); ok {
			return v, true
		}
	}
	return "", false
}

// color reports whether to color output: a terminal, and no NO_COLOR
// (https://no-color.org).
func (f *Factory) color() bool {
	return f.IO.IsTTY && f.Getenv("NO_COLOR") == "" && f.Getenv("TERM") != "dumb"
}
