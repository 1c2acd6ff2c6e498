package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sst-tf/sst/cli/internal/deploy"
	"github.com/sst-tf/sst/cli/internal/dev"
	"github.com/sst-tf/sst/cli/internal/stageenv"
	"github.com/sst-tf/sst/internal/binding"
	"github.com/sst-tf/sst/manifest"
)

type envOptions struct {
	site string
	// args is the command to run.
	args []string
}

func newEnvCmd(f *Factory, g *Globals) *cobra.Command {
	o := &envOptions{}
	cmd := &cobra.Command{
		Use:   "env [--site ID] -- <command> [args...]",
		Short: "Run a frontend's dev command with its site's environment",
		Long: `Runs a command (a frontend's dev server: sst env -- npm run dev, or
sst env "next dev") with the environment its site construct declares,
resolved from the stage's deployed outputs. While sst dev runs for the
stage, Api URLs point at its local gateways instead of the deployed Apis.

The site is the one whose path holds the current directory, the only site
of the app, or --site.`,
		Example: `  sst env -- npm run dev
  sst env --site Web "next dev"`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.args = args
			return runCmd(f, g, cmd, o, runEnv)
		},
	}
	cmd.Flags().StringVar(&o.site, "site", "", "id of the site whose environment to use")
	return cmd
}

func runEnv(ctx context.Context, s *session, o *envOptions) error {
	m, err := deployedManifest(s)
	if err != nil {
		return err
	}
	c, err := pickSite(s, m, o.site)
	if err != nil {
		return err
	}
	outs, err := deploy.ReadOutputs(s.outputsPath())
	if err != nil {
		return err
	}
	env, err := dev.SiteEnv(*c, outs)
	if err != nil {
		return err
	}
	if err := localize(s, env); err != nil {
		return err
	}
	addStageEnv(s, m, env)
	return runWithEnv(ctx, s, filepath.Join(s.project.Dir, filepath.FromSlash(c.Data[manifest.SitePath])), o.args, env)
}

// deployedManifest is the stage's last synthesized manifest: env and bind
// run often and must not pay for a synth.
func deployedManifest(s *session) (*manifest.Manifest, error) {
	m, err := manifest.Read(s.outDir())
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("stage %q has not been synthesized in this project: run `sst deploy --stage %s` first", s.stage, s.stage)
	}
	return m, err
}

// pickSite chooses the site: by id, by the working directory, or the only one.
func pickSite(s *session, m *manifest.Manifest, id string) (*manifest.Construct, error) {
	sites := dev.Sites(m)
	var ids []string
	for _, c := range sites {
		ids = append(ids, c.ID)
	}
	if len(sites) == 0 {
		return nil, fmt.Errorf("app %s has no sites (StaticSite, NextjsSite, …): nothing to take an environment from; use `sst bind` for a function's bindings", m.App)
	}
	if id != "" {
		for i := range sites {
			if sites[i].ID == id {
				return &sites[i], nil
			}
		}
		return nil, fmt.Errorf("--site %s: no such site; sites are %s", id, strings.Join(ids, ", "))
	}
	if c := siteAt(s, sites); c != nil {
		return c, nil
	}
	if len(sites) == 1 {
		return &sites[0], nil
	}
	return nil, fmt.Errorf("the app has several sites (%s): run from a site's directory or pass --site", strings.Join(ids, ", "))
}

// siteAt is the site whose directory holds the working directory.
func siteAt(s *session, sites []manifest.Construct) *manifest.Construct {
	wd, err := s.f.Getwd()
	if err != nil {
		return nil
	}
	for i := range sites {
		dir := filepath.Join(s.project.Dir, filepath.FromSlash(sites[i].Data[manifest.SitePath]))
		if rel, err := filepath.Rel(dir, wd); err == nil && filepath.IsLocal(rel) || rel == "." {
			return &sites[i]
		}
	}
	return nil
}

// localize points deployed Api URLs at a running sst dev's gateways.
func localize(s *session, env map[string]string) error {
	st, err := dev.ReadState(filepath.Join(s.project.Path(manifest.SSTDir), "dev", s.stage))
	if err != nil {
		return err
	}
	st.Localize(env)
	return nil
}

// addStageEnv adds what every sst-run command gets: app, stage, region and
// the emulator endpoint.
func addStageEnv(s *session, m *manifest.Manifest, env map[string]string) {
	env[binding.EnvApp] = m.App
	env[binding.EnvStage] = s.stage
	if r := cmp.Or(s.region, m.Region); r != "" {
		env["AWS_REGION"] = r
	}
	if s.endpoint != "" {
		env["AWS_ENDPOINT_URL"] = s.endpoint
		env[manifest.EnvEndpoint] = s.endpoint
	}
	if p := cmp.Or(s.profile, m.Profile); p != "" && s.endpoint == "" {
		env["AWS_PROFILE"] = p
	}
}

// runWithEnv runs the user's command with env added, its output and input
// the terminal's, and passes on its exit status. One argument with spaces
// ("next dev") runs through the shell, as SST's did.
func runWithEnv(ctx context.Context, s *session, dir string, args []string, env map[string]string) error {
	var cmd *exec.Cmd
	if len(args) == 1 && strings.ContainsAny(args[0], " \t|&;$<>") {
		cmd = exec.Command("/bin/sh", "-c", args[0])
	} else {
		path, err := exec.LookPath(args[0])
		if err != nil {
			return fmt.Errorf("command %q: %w", args[0], err)
		}
		cmd = exec.Command(path, args[1:]...)
	}
	if wd, err := s.f.Getwd(); err == nil && dir == "" {
		dir = wd
	}
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("directory %s: %w", dir, err)
	}
	cmd.Dir = dir
	cmd.Env = stageenv.Merge(s.f.Environ(), env)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = s.f.IO.In, s.f.IO.Out, s.f.IO.ErrOut
	// Ctrl-C reaches the child through the terminal's process group; sst
	// waits for it to finish rather than killing it.
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		err = <-done
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code := ee.ExitCode()
		if code < 0 {
			code = 130
		}
		return &exitCodeError{code: code}
	}
	return err
}
