package cli

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sst-tf/sst/cli/internal/progress"
	"github.com/sst-tf/sst/cli/internal/project"
	"github.com/sst-tf/sst/cli/internal/stagelock"
	"github.com/sst-tf/sst/cli/internal/stagetarget"
	"github.com/sst-tf/sst/cli/internal/synth"
	"github.com/sst-tf/sst/cli/internal/tf"
	"github.com/sst-tf/sst/cli/internal/tfenv"
	"github.com/sst-tf/sst/internal/awsregion"
	"github.com/sst-tf/sst/internal/stage"
	"github.com/sst-tf/sst/manifest"
)

// session is a resolved project + stage: what every project command works
// on once the flags and environment have been checked.
type session struct {
	f       *Factory
	g       *Globals
	project *project.Project
	stage   string
	// region, profile and endpoint are the effective overrides; empty
	// means the app decides.
	region   string
	profile  string
	endpoint string
	style    progress.Style
	// mode is passed to the app as SST_MODE ("remove" in `sst remove`).
	mode string
	// command names this command ("sst deploy") to whoever finds the
	// stage lock held.
	command string
	// lock is the stage lock, taken by the first synth (or lockStage) and
	// held until close.
	lock *stagelock.Lock
	// tf is the terraform binary and environment, resolved once by the
	// first stack opened.
	tf *terraformSetup
	// rebuild makes every site build even when its last build could be
	// reused (SST_REBUILD; --force of deploy and synth).
	rebuild bool
	// connection is `sst deploy --connection`: the database URL migrations
	// go through instead of the Data API.
	connection string
	// recorded says the stage has a target record (package stagetarget).
	recorded bool
	// resynth runs the app even when its last synthesis could be reused
	// (--force of deploy, diff and dev).
	resynth bool
	// applied, when set, hears of each stack's applied changes (sst dev
	// runs the Scripts' phases they trigger); called concurrently.
	applied func(stack string, changes []tf.Change)
	// engine runs the stacks: terraform or OpenTofu.
	engine tfenv.Engine
}

// load validates global settings and locates the project. Everything that
// can be wrong with the command line fails here, before the app or
// terraform runs.
func load(f *Factory, g *Globals) (*session, error) {
	s := &session{f: f, g: g, style: styleFor(f)}
	given := stagetarget.Given{
		Endpoint: setting(g.Endpoint, "--endpoint", f.Getenv(manifest.EnvEndpoint), "$"+manifest.EnvEndpoint),
		Region:   setting(g.Region, "--region", f.Getenv(manifest.EnvRegion), "$"+manifest.EnvRegion),
		Profile:  setting(g.Profile, "--profile", f.Getenv(manifest.EnvProfile), "$"+manifest.EnvProfile),
	}
	if err := project.ValidateEndpoint(given.Endpoint.Value); err != nil {
		return nil, fmt.Errorf("%s: %w", given.Endpoint.Source, err)
	}
	if r := given.Region; r.Value != "" {
		if err := awsregion.Check(r.Value, r.Source); err != nil {
			return nil, err
		}
	}

	// A mistyped engine fails before anything is read or run.
	engineFlag := setting(g.Engine, "--engine", f.Getenv(tfenv.EnvEngine), "$"+tfenv.EnvEngine)
	if engineFlag.Value != "" {
		e, err := tfenv.ParseEngine(engineFlag.Value, engineFlag.Source)
		if err != nil {
			return nil, err
		}
		s.engine = e
	}

	var err error
	if g.Project != "" {
		s.project, err = project.Load(g.Project)
	} else {
		var wd, dir string
		if wd, err = f.Getwd(); err == nil {
			if dir, err = project.Find(wd); err == nil {
				s.project, err = project.Load(dir)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if s.engine == "" {
		if s.engine, err = tfenv.ParseEngine(s.project.Config.SST.Engine, s.project.ConfigPath+`: "sst": {"engine"}`); err != nil {
			return nil, err
		}
	}

	env, envSet := f.LookupEnv(manifest.EnvStage)
	st, source, err := stage.Resolve(stage.Input{Flag: g.Stage, FlagSet: g.StageSet, Env: env, EnvSet: envSet, ProjectDir: s.project.Dir})
	if err != nil {
		return nil, err
	}
	s.stage = st
	if err := s.resolveTarget(given); err != nil {
		return nil, err
	}
	switch source {
	case stage.SourceUser, stage.SourceDefault:
		// Pin the derived stage so a later change of user name or machine
		// does not silently deploy a second copy of the app.
		if err := stage.WriteDefault(s.project.Dir, st); err != nil {
			return nil, err
		}
		fmt.Fprintf(f.IO.ErrOut, "Using stage %s (from your user name; saved to %s, edit it or pass --stage to change)\n", s.style.Bold(st), stage.File)
	default:
		fmt.Fprintf(f.IO.ErrOut, "Using stage %s (from %s)\n", s.style.Bold(st), describeSource(source))
	}
	return s, nil
}

// setting is the flag's value when given, else the variable's, with where
// it came from.
func setting(flag, flagName, env, envName string) stagetarget.Setting {
	if flag != "" {
		return stagetarget.Setting{Value: flag, Source: flagName}
	}
	if env != "" {
		return stagetarget.Setting{Value: env, Source: envName}
	}
	return stagetarget.Setting{}
}

// resolveTarget applies the stage's recorded endpoint, region and profile
// (see package stagetarget) to what this command was given.
func (s *session) resolveTarget(given stagetarget.Given) error {
	rec, err := stagetarget.Read(s.project.Dir, s.stage)
	if err != nil {
		return err
	}
	t, notes, err := stagetarget.Resolve(s.stage, rec, given)
	if err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(s.f.IO.ErrOut, n)
	}
	s.recorded = rec != nil
	s.endpoint, s.region, s.profile = t.Endpoint, t.Region, t.Profile
	return nil
}

// recordTarget remembers the stage's endpoint, region and profile after its
// first successful apply; later commands use them.
func (s *session) recordTarget() error {
	if s.recorded {
		return nil
	}
	if err := stagetarget.Write(s.project.Dir, s.stage, stagetarget.Target{Endpoint: s.endpoint, Region: s.region, Profile: s.profile}); err != nil {
		return fmt.Errorf("record the stage's endpoint: %w", err)
	}
	s.recorded = true
	return nil
}

func describeSource(source string) string {
	switch source {
	case stage.SourceFlag:
		return "--stage"
	case stage.SourceEnv:
		return "$" + manifest.EnvStage
	case stage.SourceFile:
		return stage.File
	}
	return source
}

// runCmd is the end of every project command's RunE: the runF hook for
// flag tests, then the session, and the stage lock released however run
// ends.
func runCmd[O any](f *Factory, g *Globals, cmd *cobra.Command, o *O, run func(context.Context, *session, *O) error) error {
	if f.runF != nil {
		return f.runF(cmd, o)
	}
	s, err := load(f, g)
	if err != nil {
		return err
	}
	s.command = cmd.CommandPath()
	defer s.close()
	return run(cmd.Context(), s, o)
}

// lockStage keeps other sst commands of this checkout off the stage until
// close: they would re-synthesize the output directory this command's
// terraform runs in. Every synth takes it, so nothing synthesizes or
// deploys without it; commands that only need the stage quiet (unlock)
// take it directly. Taking it again is a no-op.
func (s *session) lockStage() error {
	if s.lock != nil {
		return nil
	}
	l, err := stagelock.Acquire(s.project.Path(manifest.SSTDir), s.stage, cmp.Or(s.command, "sst")+" --stage "+s.stage)
	if err != nil {
		return err
	}
	s.lock = l
	return nil
}

// close releases what the session holds.
func (s *session) close() {
	s.lock.Release()
	s.lock = nil
}

// outDir is the stage's synthesized output directory.
func (s *session) outDir() string { return s.project.OutDir(s.stage) }

// outputsPath is .sst/outputs/<stage>.json.
func (s *session) outputsPath() string {
	return filepath.Join(s.project.Path(manifest.OutputsDir), s.stage+".json")
}

// hashDir is .sst/deploys/<stage>.
func (s *session) hashDir() string {
	return filepath.Join(s.project.Path(manifest.SSTDir), "deploys", s.stage)
}

// synth runs the app and reports what it wrote. It is the one way into
// synth.Run, and it holds the stage lock first.
func (s *session) synth(ctx context.Context) (*synth.Result, error) {
	return s.runSynth(ctx, "")
}

// synthOrReuse is synth for commands that need the app's current output
// but not a new run of it (deploy, diff, dev): the stage's last synthesis
// is reused when nothing it read changed (see synth.Reusable), unless
// resynth is set. The stage lock is taken before the check, so no other
// command rewrites the output between the check and its use.
func (s *session) synthOrReuse(ctx context.Context) (*synth.Result, error) {
	if err := s.lockStage(); err != nil {
		return nil, err
	}
	if s.resynth {
		return s.runSynth(ctx, "--force")
	}
	start := time.Now()
	m, n, why := synth.Reusable(s.synthOptions())
	if why != "" {
		return s.runSynth(ctx, why)
	}
	checked := time.Since(start)
	// Handler code is not an input of the synthesis: its bundles are
	// brought up to date here, each by the build the app made of it. Not
	// for a removal: destroying needs no code, and a handler that does not
	// compile must not block it.
	start = time.Now()
	var rep synth.BundleReport
	if s.mode != manifest.ModeRemove {
		var err error
		rep, err = synth.RefreshBundles(ctx, s.synthOptions(), m)
		var stale *synth.StaleError
		if errors.As(err, &stale) {
			return s.runSynth(ctx, stale.Reason)
		}
		if err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(s.f.IO.ErrOut, "Reusing the last synthesis of stage %s: none of the %d files and directories it read, nor its settings and environment, changed (checked in %s; --force runs the app)\n",
		s.stage, n, checked.Round(time.Millisecond))
	if len(rep.Built) > 0 || len(rep.Changed) > 0 {
		fmt.Fprintf(s.f.IO.ErrOut, "Function bundles brought up to date without running the app (%d checked in %s): %s; %s\n",
			rep.Checked, time.Since(start).Round(time.Millisecond), listLine("rebuilt", rep.Built, "none rebuilt"), listLine("changed", rep.Changed, "the bundles came out the same"))
	}
	for _, w := range m.Warnings {
		fmt.Fprintf(s.f.IO.ErrOut, "%s %s\n", s.style.Yellow("warning:"), w)
	}
	return &synth.Result{OutDir: s.outDir(), Manifest: m, Reused: true}, nil
}

// listLine is "<what>: a, b", or none when the list is empty.
func listLine(what string, names []string, none string) string {
	if len(names) == 0 {
		return none
	}
	return what + ": " + strings.Join(names, ", ")
}

// runSynth runs the app; why, when set, says why it must.
func (s *session) runSynth(ctx context.Context, why string) (*synth.Result, error) {
	if err := s.lockStage(); err != nil {
		return nil, err
	}
	out := s.f.IO.ErrOut
	if why != "" {
		fmt.Fprintf(out, "Synthesizing (%s): %s…\n", s.project.Config.App, why)
	} else {
		fmt.Fprintf(out, "Synthesizing (%s)…\n", s.project.Config.App)
	}
	o := s.synthOptions()
	if s.g.Verbose {
		o.Log = out
	}
	res, err := synth.Run(ctx, o)
	if err != nil {
		return nil, err
	}
	for _, w := range res.Manifest.Warnings {
		fmt.Fprintf(out, "%s %s\n", s.style.Yellow("warning:"), w)
	}
	return res, nil
}

func (s *session) synthOptions() synth.Options {
	return synth.Options{
		ProjectDir: s.project.Dir,
		App:        s.project.Config.App,
		OutDir:     s.outDir(),
		Stage:      s.stage,
		Region:     s.region,
		Profile:    s.profile,
		Endpoint:   s.endpoint,
		Env:        s.synthEnv(),
	}
}

func (s *session) synthEnv() []string {
	env := s.f.Environ()
	if s.mode != "" {
		env = append(env, manifest.EnvMode+"="+s.mode)
	}
	if s.rebuild {
		env = append(env, manifest.EnvRebuild+"=1")
	}
	return env
}

// manifest is the stage's last synthesis, or a new one when there is none
// yet: for commands that need the app's shape but not a fresh build.
func (s *session) manifest(ctx context.Context) (*manifest.Manifest, error) {
	m, err := manifest.Read(s.outDir())
	if err == nil {
		return m, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: run `sst synth --stage %s` to write it again", err, s.stage)
	}
	res, err := s.synth(ctx)
	if err != nil {
		return nil, err
	}
	return res.Manifest, nil
}

// findEngine is the engine's binary: the factory's, else its command on
// PATH.
func findEngine(f *Factory, e tfenv.Engine) (string, error) {
	bin := f.Terraform
	if e == tfenv.OpenTofu {
		bin = f.Tofu
	}
	if bin != "" {
		return bin, nil
	}
	p, err := exec.LookPath(e.Command())
	if err != nil {
		return "", fmt.Errorf("%s not found on PATH: %s", e.Command(), e.InstallHint())
	}
	return p, nil
}

// planEngine is the engine as a reviewed plan records it: "" for
// terraform, so plans made before engines existed still match.
func (s *session) planEngine() string {
	if s.engine == tfenv.OpenTofu {
		return string(tfenv.OpenTofu)
	}
	return ""
}

// workspace is the terraform workspace for a stack: the manifest's, or the
// stage when an older app left it out.
func (s *session) workspace(st *manifest.Stack) string {
	return cmp.Or(st.Workspace, s.stage)
}

// confirm asks a yes/no question on the terminal; anything but y/yes is no.
func confirm(f *Factory, question string) (bool, error) {
	fmt.Fprintf(f.IO.ErrOut, "%s [y/N] ", question)
	line, err := bufio.NewReader(f.IO.In).ReadString('\n')
	if err != nil && line == "" {
		return false, nil
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// selectStacks returns the manifest's stacks filtered by names (all when
// none are given), with an error listing valid names for a typo.
func selectStacks(m *manifest.Manifest, names []string) ([]*manifest.Stack, error) {
	if len(names) == 0 {
		out := make([]*manifest.Stack, len(m.Stacks))
		for i := range m.Stacks {
			out[i] = &m.Stacks[i]
		}
		return out, nil
	}
	want := map[string]bool{}
	for _, n := range names {
		if _, ok := m.Stack(n); !ok {
			var valid []string
			for _, st := range m.Stacks {
				valid = append(valid, st.Name)
			}
			return nil, fmt.Errorf("no stack %q in app %q: stacks are %s", n, m.App, strings.Join(valid, ", "))
		}
		want[n] = true
	}
	var out []*manifest.Stack
	for i := range m.Stacks {
		if want[m.Stacks[i].Name] {
			out = append(out, &m.Stacks[i])
		}
	}
	return out, nil
}

func styleFor(f *Factory) progress.Style { return progress.Style{Color: f.color()} }
