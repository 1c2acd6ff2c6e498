package manifest

// Environment variables through which the CLI tells an app how to
// synthesize. An app run without the CLI falls back to sensible defaults.
const (
	// EnvStage is the stage to synthesize (validated by the app).
	EnvStage = "SST_STAGE"
	// EnvRegion overrides Config.Region.
	EnvRegion = "SST_REGION"
	// EnvProfile overrides Config.Profile.
	EnvProfile = "SST_PROFILE"
	// EnvEndpoint points the AWS provider at an emulator (http(s) URL).
	EnvEndpoint = "SST_ENDPOINT"
	// EnvOutDir is the stage output directory; default .sst/out/<stage>.
	EnvOutDir = "SST_OUT_DIR"
	// EnvProjectDir is the project root (where cdktf.json is); default the
	// working directory.
	EnvProjectDir = "SST_PROJECT_DIR"
	// EnvArtifactDir is where function bundles are cached; default .sst/artifacts.
	EnvArtifactDir = "SST_ARTIFACT_DIR"
	// EnvMode is "remove" when the synthesis is for `sst remove`: sites
	// skip their builds (a broken build must not block removal).
	EnvMode = "SST_MODE"
	// EnvRebuild, when "1" or "true", makes every site run its build
	// command even when nothing changed since its last build (`sst deploy
	// --force`, `sst synth --force`).
	EnvRebuild = "SST_REBUILD"
)

// Emulated reports whether a stage synthesized for endpoint targets an
// emulator (moto_server, LocalStack) rather than real AWS. This is the one
// rule for it: SST overrides AWS endpoints for nothing but emulators
// (`--endpoint`, `--local`, SST_ENDPOINT), so an override means an emulator.
// Emulator-aware defaults (short timeouts, skipped calls the emulator does
// not implement) and the CLI's emulator handling both ask this.
func Emulated(endpoint string) bool { return endpoint != "" }

// ModeRemove is EnvMode's value during `sst remove`.
const ModeRemove = "remove"

// ModeDev is EnvMode's value during `sst dev`: the stage's queue event
// source mappings are synthesized disabled and its cron rules DISABLED, so
// the deployed functions do not consume the events the CLI delivers to the
// local handlers. The next `sst deploy` synthesizes them enabled again.
const ModeDev = "dev"

// Layout of the .sst directory, relative to the project root.
const (
	SSTDir      = ".sst"
	OutDir      = ".sst/out"       // OutDir/<stage> holds stacks/ and manifest.json
	ArtifactDir = ".sst/artifacts" // content-hashed function bundles
	StateDir    = ".sst/state"     // local backend state, one folder per stack
	OutputsDir  = ".sst/outputs"   // OutputsDir/<stage>.json after deploy
	StageFile   = ".sst/stage"     // the personal default stage
	TargetsDir  = ".sst/stages"    // TargetsDir/<stage>.json: the endpoint, region and profile a stage was first deployed with
)
