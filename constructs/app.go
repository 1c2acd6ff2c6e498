// Package sst defines serverless apps on AWS as Go code, the way SST v2 does,
// and synthesizes them into Terraform JSON through CDK for Terraform.
//
// An app is a set of stacks; a stack is a Go function that declares
// constructs (Api, Table, Function, …) and may return values other stacks
// use:
//
//	func Storage(s *sst.Stack) any {
//		return sst.NewTable(s, "Notes", sst.TableProps{
//			Fields:       map[string]string{"id": "string"},
//			PrimaryIndex: sst.TableIndex{PartitionKey: "id"},
//		})
//	}
//
//	func API(s *sst.Stack) any {
//		notes := sst.Use[*sst.Table](s, Storage)
//		api := sst.NewApi(s, "Api", sst.ApiProps{
//			Defaults: sst.ApiDefaults{Function: sst.FunctionProps{Bind: []sst.Bindable{notes}}},
//			Routes:   map[string]sst.ApiRoute{"GET /notes": {Handler: "functions/list"}},
//		})
//		s.AddOutputs(map[string]any{"ApiUrl": api.URL()})
//		return api
//	}
//
//	func main() { sst.Run(sst.Config{Name: "notes"}, Storage, API) }
//
// Each stack becomes its own Terraform root module; the `sst` CLI deploys
// them per stage, one Terraform workspace per stage.
package sst

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	goruntime "runtime"
	"slices"
	"sort"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/sst-tf/sst/constructs/internal/jsiiload"
	"github.com/sst-tf/sst/constructs/internal/naming"
	"github.com/sst-tf/sst/internal/binding"
	"github.com/sst-tf/sst/internal/build"
	"github.com/sst-tf/sst/internal/inputs"
	"github.com/sst-tf/sst/internal/stage"
	"github.com/sst-tf/sst/manifest"
)

// Config describes the app as a whole.
type Config struct {
	// Name of the app; part of every physical resource name. Required.
	Name string
	// Region is the default AWS region (SST_REGION overrides). Default us-east-1.
	Region string
	// Profile is the AWS profile for the provider (SST_PROFILE overrides).
	Profile string
	// Backend says where Terraform keeps state. Default: LocalBackend.
	Backend Backend
	// MaxRetries is how often the AWS provider retries a throttled or
	// transiently failed API call, with exponential backoff. Default 25
	// (the provider's own default, written out so it is visible and
	// tunable), 5 on an emulator (see emulator.go); a negative value is an
	// error.
	MaxRetries int
	// Defaults apply to every construct of the app.
	Defaults Defaults
}

// Defaults are app-wide defaults, SST v2's setDefaultFunctionProps,
// addDefaultFunctionEnv/Permissions/Binding and setDefaultRemovalPolicy.
type Defaults struct {
	// Function props every function starts from; its own props win.
	// Environment, Permissions and Bind are merged, not replaced.
	Function FunctionProps
	// RemovalPolicy for data stores (tables, buckets, databases, user
	// pools): RemovalDestroy (default) or RemovalRetain — retained stores
	// stay in AWS when the stage is removed.
	RemovalPolicy RemovalPolicy
}

// Options tune one synthesis; Run fills them from the environment the CLI sets.
type Options struct {
	Stage    string
	Region   string
	Profile  string
	Endpoint string
	// OutDir receives stacks/<Stack>/cdk.tf.json and manifest.json.
	OutDir string
	// ProjectDir is the project root; handler paths are relative to it.
	ProjectDir string
	// ArtifactDir caches function bundles. Default <ProjectDir>/.sst/artifacts.
	ArtifactDir string
	// StateDir holds local-backend state. Default <ProjectDir>/.sst/state.
	StateDir string
	// Mode is "remove" when synthesizing for `sst remove`: sites do not
	// build and upload nothing new.
	Mode string
	// Rebuild runs every site's build command even when the last build
	// could be reused (nothing changed since it).
	Rebuild bool
}

// StackFunc declares one stack. Its name (the Go function name) is the
// stack id; what it returns is what Use gives other stacks.
type StackFunc func(s *Stack) any

// App is one synthesis of an app for one stage.
type App struct {
	cfg    Config
	opts   Options
	tf     cdktf.App
	stacks []*Stack
	byFunc map[uintptr]*Stack
	ids    map[string]string // construct id -> stack name, app-wide
	// owners describes each construct id for errors that name two
	// constructs: type, id, stack and where the user's code created it.
	owners map[string]string
	// names hands out every physical name, so two constructs never
	// manage one AWS resource.
	names *naming.Registry
	errs  []error
	// warnings are printed by the CLI after synthesis (manifest.Warnings).
	warnings []string
	defaults Defaults
	// extra defaults added while stacks run (SST's addDefaultFunction*).
	defaultBind []Bindable
	functions   []*Function
	// builds runs the functions' builds, from before the first jsii call.
	builds *build.Scheduler
	// siteBuilds are the sites built or reused, recorded once the synth
	// succeeds.
	siteBuilds []*siteBuildJob
	// read is every file the synth's build steps read (function handlers,
	// migrations, site trees), for the manifest: the CLI reuses this
	// synthesis while none of it changes.
	read inputs.Set
}

// Run synthesizes the app for the stage the CLI asked for and exits the
// process: 0 on success, 1 with every configuration error printed. Either
// way it first stops the jsii Node child and removes its temporary files.
func Run(cfg Config, stacks ...StackFunc) {
	defer func() {
		if r := recover(); r != nil {
			jsiiload.CloseAndSilence()
			panic(r) // the runtime prints it to the real stderr
		}
	}()
	opts, err := OptionsFromEnv()
	if err == nil {
		_, err = Synth(cfg, opts, stacks...)
	}
	stderr := jsiiload.CloseAndSilence()
	if err != nil {
		fmt.Fprintln(stderr, "Error:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// OptionsFromEnv reads the options the `sst` CLI passes through the
// environment (see package manifest), with defaults for running the app
// directly.
func OptionsFromEnv() (Options, error) {
	wd, err := os.Getwd()
	if err != nil {
		return Options{}, err
	}
	o := Options{
		Stage:       os.Getenv(manifest.EnvStage),
		Region:      os.Getenv(manifest.EnvRegion),
		Profile:     os.Getenv(manifest.EnvProfile),
		Endpoint:    os.Getenv(manifest.EnvEndpoint),
		OutDir:      os.Getenv(manifest.EnvOutDir),
		ProjectDir:  os.Getenv(manifest.EnvProjectDir),
		ArtifactDir: os.Getenv(manifest.EnvArtifactDir),
		Mode:        os.Getenv(manifest.EnvMode),
	}
	switch v := os.Getenv(manifest.EnvRebuild); strings.ToLower(v) {
	case "", "0", "false":
	case "1", "true":
		o.Rebuild = true
	default:
		return Options{}, fmt.Errorf("%s=%q: use 1 (rebuild every site) or leave it unset", manifest.EnvRebuild, v)
	}
	if o.ProjectDir == "" {
		o.ProjectDir = wd
	}
	if o.Stage == "" {
		// Set but empty (a CI variable that is not defined) is an error,
		// like in the CLI, not the developer's default stage.
		_, set := os.LookupEnv(manifest.EnvStage)
		s, _, err := stage.Resolve(stage.Input{EnvSet: set, ProjectDir: o.ProjectDir})
		if err != nil {
			return Options{}, err
		}
		o.Stage = s
	}
	return o, nil
}

// Synth builds the app's stacks for one stage and writes Terraform JSON
// and the manifest into opts.OutDir. Configuration errors are collected
// and returned together; nothing is written when there are any.
func Synth(cfg Config, opts Options, stacks ...StackFunc) (*manifest.Manifest, error) {
	a, err := newApp(cfg, opts)
	if err != nil {
		return nil, err
	}
	return a.synth(stacks)
}

func newApp(cfg Config, opts Options) (*App, error) {
	var errs []error
	if cfg.Name == "" {
		errs = append(errs, errors.New("sst.Config: Name is required (it is part of every resource name)"))
	} else if err := naming.ValidateID(cfg.Name); err != nil {
		errs = append(errs, fmt.Errorf("sst.Config: Name: %w", err))
	}
	if err := stage.Validate(opts.Stage); err != nil {
		errs = append(errs, err)
	}
	if opts.Endpoint != "" {
		if err := validateEndpoint(opts.Endpoint); err != nil {
			errs = append(errs, err)
		}
	}
	if cfg.MaxRetries < 0 {
		errs = append(errs, fmt.Errorf("sst.Config: MaxRetries %d: use 0 for the default of %d, or a positive count", cfg.MaxRetries, defaultMaxRetries))
	}
	if p := cfg.Defaults.RemovalPolicy; p != "" && !p.valid() {
		errs = append(errs, fmt.Errorf("sst.Config: Defaults.RemovalPolicy %q: use sst.RemovalDestroy (%q) or sst.RemovalRetain (%q)", p, RemovalDestroy, RemovalRetain))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if opts.Region == "" {
		opts.Region = cfg.Region
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Profile == "" {
		opts.Profile = cfg.Profile
	}
	if opts.ProjectDir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		opts.ProjectDir = wd
	}
	abs := func(p, def string) (string, error) {
		if p == "" {
			p = filepath.Join(opts.ProjectDir, def)
		}
		return filepath.Abs(p)
	}
	var err error
	if opts.ProjectDir, err = filepath.Abs(opts.ProjectDir); err != nil {
		return nil, err
	}
	if opts.OutDir, err = abs(opts.OutDir, filepath.Join(manifest.OutDir, opts.Stage)); err != nil {
		return nil, err
	}
	if opts.ArtifactDir, err = abs(opts.ArtifactDir, manifest.ArtifactDir); err != nil {
		return nil, err
	}
	if opts.StateDir, err = abs(opts.StateDir, manifest.StateDir); err != nil {
		return nil, err
	}
	if cfg.Backend == nil {
		cfg.Backend = LocalBackend{}
	}
	if err := cfg.Backend.validate(); err != nil {
		return nil, err
	}
	// AddDefaultFunction* mutate the defaults while stacks run; work on a
	// copy so the caller's Config (and the next Synth with it) is untouched.
	defaults := cfg.Defaults
	defaults.Function.Environment = maps.Clone(defaults.Function.Environment)
	defaults.Function.Permissions = slices.Clone(defaults.Function.Permissions)
	defaults.Function.Bind = slices.Clone(defaults.Function.Bind)
	a := &App{
		cfg:      cfg,
		opts:     opts,
		byFunc:   map[uintptr]*Stack{},
		ids:      map[string]string{},
		owners:   map[string]string{},
		defaults: defaults,
	}
	a.names = naming.NewRegistry(opts.Stage, cfg.Name, func(err error) { a.errs = append(a.errs, err) })
	return a, nil
}

func validateEndpoint(u string) error {
	if !(strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://")) || len(strings.SplitN(u, "://", 2)[1]) == 0 {
		return fmt.Errorf("endpoint %q (SST_ENDPOINT / --endpoint): must be an http:// or https:// URL with a host, e.g. http://127.0.0.1:5000", u)
	}
	return nil
}

// Name is the app's name.
func (a *App) Name() string { return a.cfg.Name }

// Stage is the stage being synthesized.
func (a *App) Stage() string { return a.opts.Stage }

// Region is the AWS region of the stage.
func (a *App) Region() string { return a.opts.Region }

// AddDefaultFunctionBinding binds resources to every function created
// after this call (SST's app.addDefaultFunctionBinding).
func (a *App) AddDefaultFunctionBinding(b ...Bindable) { a.defaultBind = append(a.defaultBind, b...) }

// AddDefaultFunctionEnv adds environment variables to every function
// created after this call.
func (a *App) AddDefaultFunctionEnv(env map[string]string) {
	if a.defaults.Function.Environment == nil {
		a.defaults.Function.Environment = map[string]string{}
	}
	for k, v := range env {
		a.defaults.Function.Environment[k] = v
	}
}

// AddDefaultFunctionLayers adds layer version ARNs to every function
// created after this call.
func (a *App) AddDefaultFunctionLayers(arns ...string) {
	a.defaults.Function.Layers = append(slices.Clone(a.defaults.Function.Layers), arns...)
}

// IsDev reports whether the app is synthesized for `sst dev` (SST v2's
// app.local, or app.mode === "dev").
func (a *App) IsDev() bool { return a.opts.Mode == manifest.ModeDev }

// AllFunctions is every function of the app created so far, stack by
// stack in the order sst.Run lists them.
func (a *App) AllFunctions() []*Function {
	var out []*Function
	for _, s := range a.stacks {
		out = append(out, s.fns...)
	}
	return out
}

// AddDefaultFunctionPermissions grants statements to every function created
// after this call.
func (a *App) AddDefaultFunctionPermissions(p ...Permission) {
	a.defaults.Function.Permissions = append(a.defaults.Function.Permissions, p...)
}

// errorf records a configuration error; Synth reports them all at once so
// one run shows every mistake.
func (a *App) errorf(format string, args ...any) {
	a.errs = append(a.errs, fmt.Errorf(format, args...))
}

// claimID enforces app-wide unique construct ids: they name resources and
// binding env vars, so two "Notes" would collide.
func (a *App) claimID(s *Stack, id, typ string) bool {
	if err := naming.ValidateID(id); err != nil {
		a.errorf("stack %s: %s %q: %v", s.name, typ, id, err)
		return false
	}
	if id == "Default" {
		// The constructs library hides children named "Default" from
		// paths, which leaves a top-level resource without a logical id.
		a.errorf("stack %s: %s %q: the id \"Default\" is reserved by CDK for Terraform; pick another", s.name, typ, id)
		return false
	}
	if other, ok := a.ids[id]; ok {
		a.errorf("stack %s: duplicate construct id %q (%s): already used in stack %s — ids must be unique across the app because they name resources and binding variables", s.name, id, typ, other)
		return false
	}
	for other, st := range a.ids {
		if binding.EnvID(other) == binding.EnvID(id) {
			a.errorf("stack %s: construct id %q (%s) collides with %q in stack %s: both become %q in binding variables — rename one", s.name, id, typ, other, st, binding.EnvID(id))
			return false
		}
	}
	a.ids[id] = s.name
	a.owners[id] = describeOwner(s, typ, id)
	return true
}

// closureName matches what the Go runtime calls function literals
// ("pkg.Outer.func1", nested "pkg.Outer.func1.2", "pkg.glob..func3") and
// method values ("pkg.T.M-fm"), none of which names a stack.
var closureName = regexp.MustCompile(`\.func\d+(\.\d+)*$|-fm$`)

func stackName(fn StackFunc) (string, error) {
	full := goruntime.FuncForPC(reflect.ValueOf(fn).Pointer()).Name()
	if closureName.MatchString(full) {
		return "", fmt.Errorf("stack function %s is anonymous: declare it as a named function, its name becomes the stack id", full)
	}
	return full[strings.LastIndex(full, ".")+1:], nil
}

func (a *App) synth(fns []StackFunc) (m *manifest.Manifest, err error) {
	if len(fns) == 0 {
		return nil, errors.New("sst.Run: no stacks given: pass at least one stack function")
	}
	// CDKTF creates <OutDir>/stacks as soon as the app exists; a synth that
	// fails on configuration must leave OutDir as it found it.
	_, statOut := os.Stat(a.opts.OutDir)
	_, statStacks := os.Stat(filepath.Join(a.opts.OutDir, "stacks"))
	defer func() {
		if err == nil {
			return
		}
		if os.IsNotExist(statOut) {
			os.RemoveAll(a.opts.OutDir)
		} else if os.IsNotExist(statStacks) {
			os.Remove(filepath.Join(a.opts.OutDir, "stacks")) // only if still empty
		}
	}()
	a.builds = build.NewScheduler(0)
	defer a.builds.Close()
	a.prebuild()
	jsiiload.Prepare()
	a.tf = cdktf.NewApp(&cdktf.AppConfig{
		Outdir:         jsii.String(a.opts.OutDir),
		SkipValidation: jsii.Bool(false),
	})
	seen := map[string]bool{}
	for _, fn := range fns {
		if fn == nil {
			return nil, errors.New("sst.Run: nil stack function")
		}
		name, err := stackName(fn)
		if err != nil {
			return nil, err
		}
		if seen[name] {
			return nil, fmt.Errorf("sst.Run: stack %s is listed twice", name)
		}
		seen[name] = true
		s := newStack(a, name, fn)
		a.stacks = append(a.stacks, s)
		a.byFunc[reflect.ValueOf(fn).Pointer()] = s
		s.result = s.run()
	}
	if len(a.errs) > 0 {
		return nil, errors.Join(a.errs...)
	}
	// Every function's build has started; wait for them all.
	if err := a.buildFunctions(context.Background()); err != nil {
		return nil, err
	}
	// What the function builds read is not an input of the synthesis: the
	// JSON does not depend on bundle contents, and the CLI repeats each
	// build (manifest.Function.Bundle) before it deploys a reused one.
	for _, s := range a.stacks {
		s.finalize()
	}
	if len(a.errs) > 0 {
		return nil, errors.Join(a.errs...)
	}
	if err := a.recordSiteBuilds(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(a.opts.OutDir, 0o755); err != nil {
		return nil, err
	}
	a.tf.Synth()
	m, err = a.manifest()
	if err != nil {
		return nil, err
	}
	if err := m.Write(a.opts.OutDir); err != nil {
		return nil, err
	}
	return m, nil
}

// prebuild starts the builds of the functions the last synthesis of this
// stage had (of another stage when this one has none: manifest.ReadLatest),
// so that they run while the jsii child starts rather than after the
// stacks are declared. A function declared with the same request joins its build or finds its
// result in the build cache; one that no longer exists, or whose settings
// changed, only cost the work: its error, if any, is reported by nobody,
// and its artifact is the one its last synthesis already had.
func (a *App) prebuild() {
	if !earlyBuilds {
		return
	}
	if m := manifest.ReadLatest(a.opts.OutDir, a.opts.Stage); m != nil {
		a.builds.StartManifest(a.opts.ProjectDir, a.opts.ArtifactDir, nil, m)
	}
}

// earlyBuilds starts builds before buildFunctions asks for them (from the
// last manifest, and as each function is declared); tests turn it off to
// compare with builds that start only once every stack is declared.
var earlyBuilds = true

// startBuild starts a build buildFunctions will ask for.
func (a *App) startBuild(r build.Request) {
	if earlyBuilds {
		a.builds.Start(r)
	}
}

// cdktfManifest is the part of CDKTF's own manifest.json we read: the
// dependencies CDKTF derived from cross-stack references.
type cdktfManifest struct {
	Stacks map[string]struct {
		Dependencies []string `json:"dependencies"`
	} `json:"stacks"`
}

func (a *App) manifest() (*manifest.Manifest, error) {
	var cm cdktfManifest
	if b, err := os.ReadFile(filepath.Join(a.opts.OutDir, "manifest.json")); err == nil {
		_ = json.Unmarshal(b, &cm)
	}
	m := &manifest.Manifest{
		App:      a.cfg.Name,
		Stage:    a.opts.Stage,
		Region:   a.opts.Region,
		Profile:  a.opts.Profile,
		Endpoint: a.opts.Endpoint,
		Backend:  a.cfg.Backend.manifest(a),
		Warnings: a.warnings,
		Inputs:   &a.read,
	}
	for _, s := range a.stacks {
		ms := s.manifest()
		deps := map[string]bool{}
		for _, d := range ms.DependsOn {
			deps[d] = true
		}
		for _, d := range cm.Stacks[s.name].Dependencies {
			deps[d] = true
		}
		ms.DependsOn = sortedKeys(deps)
		m.Stacks = append(m.Stacks, ms)
	}
	return m, nil
}

// readDir records a directory the synth read whole; one it cannot record
// makes the synthesis never reused.
func (a *App) readDir(dir string) {
	set, err := inputs.DirContents(dir)
	if err != nil {
		set = inputs.Set{Unknown: fmt.Sprintf("%s could not be recorded: %v", dir, err)}
	}
	a.read.Add(set)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
