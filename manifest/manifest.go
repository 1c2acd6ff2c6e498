// Package manifest holds the types of .sst/out/<stage>/manifest.json: what an
// app synthesized for one stage. The app (package sst) writes it; the CLI,
// `sst dev` and the console read it. It imports nothing from cdktf or jsii so
// the CLI stays free of the synthesis runtime.
package manifest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sst-tf/sst/internal/inputs"
)

// FileName is the manifest's name inside a stage's output directory.
const FileName = "manifest.json"

// Version is bumped when the format changes incompatibly.
const Version = 1

// Manifest describes one synthesized stage of an app.
type Manifest struct {
	Version int    `json:"version"`
	App     string `json:"app"`
	Stage   string `json:"stage"`
	Region  string `json:"region"`
	Profile string `json:"profile,omitempty"`
	// Endpoint is the AWS endpoint override the stage was synthesized for
	// (an emulator), empty for real AWS.
	Endpoint string   `json:"endpoint,omitempty"`
	Backend  Backend  `json:"backend"`
	Stacks   []Stack  `json:"stacks"`
	Warnings []string `json:"warnings,omitempty"`
	// Inputs is everything the synthesis read: the app's build steps
	// record what they read, the CLI adds the app's own Go packages,
	// go.mod, cdktf.json and the environment. The CLI reuses the stage's
	// output instead of running the app while none of it changed; nil
	// (an app of an older sst) means never. Function builds are not in
	// it: the JSON does not depend on bundle contents, and the CLI brings
	// the bundles up to date itself (see Function.Artifact).
	Inputs *inputs.Set `json:"inputs,omitempty"`
}

// Backend says where a stage's state lives.
type Backend struct {
	// Kind is "local", "s3" or "cloud".
	Kind string `json:"kind"`
	// Config is the backend block as synthesized (secrets never appear here).
	Config map[string]any `json:"config,omitempty"`
}

// Describe says where the backend keeps state, for messages such as "no
// state here": the local directory, the S3 bucket or the HCP organization.
func (b Backend) Describe() string {
	str := func(k string) string { v, _ := b.Config[k].(string); return v }
	switch b.Kind {
	case "local":
		if d := str("dir"); d != "" {
			return "local state in " + d
		}
		return "local state"
	case "s3":
		d := "S3 bucket " + str("bucket")
		if r := str("region"); r != "" {
			d += " (" + r + ")"
		}
		return d
	case "cloud":
		d := "HCP Terraform organization " + str("organization")
		if h := str("hostname"); h != "" {
			d += " on " + h
		}
		return d
	}
	return b.Kind + " backend"
}

// Stack is one Terraform root module.
type Stack struct {
	// Name is the stack's id, e.g. "API".
	Name string `json:"name"`
	// Dir is the stack's working directory relative to the stage output
	// directory, e.g. "stacks/API".
	Dir string `json:"dir"`
	// Workspace is the Terraform workspace holding this stack's state for the stage.
	Workspace string `json:"workspace"`
	// DependsOn lists stacks that must be deployed before this one: explicit
	// dependencies and those implied by cross-stack references.
	DependsOn []string `json:"dependsOn,omitempty"`
	// Artifacts are the function bundles this stack uploads, relative to the
	// stack directory. Their content is part of the stack's deploy hash.
	Artifacts  []string    `json:"artifacts,omitempty"`
	Constructs []Construct `json:"constructs"`
	Functions  []Function  `json:"functions,omitempty"`
	Routes     []Route     `json:"routes,omitempty"`
	Outputs    []Output    `json:"outputs,omitempty"`
	// Retained lists Terraform addresses of resources kept in AWS when the
	// stage is removed (removal policy "retain"): `sst remove` drops them
	// from state instead of destroying them.
	Retained []string `json:"retained,omitempty"`
	// DevRelay, in a synthesis for `sst dev` of a stack with functions, is
	// where their deployed stubs relay direct invocations to this machine.
	DevRelay *DevRelay `json:"devRelay,omitempty"`
}

// DevRelay is a stack's dev-only request queue and response table (see
// internal/devrelay).
type DevRelay struct {
	Queue string `json:"queue"`
	Table string `json:"table"`
}

// Construct is one SST construct in a stack.
type Construct struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	// Path is the construct path inside the stack, e.g. "Api/Route_GET_notes".
	Path string `json:"path"`
	// Data holds type-specific facts (table name, api id output, …). Values
	// known only after deploy name the stack output that carries them.
	Data map[string]string `json:"data,omitempty"`
	// Binds lists the construct ids this construct's functions are bound to.
	Binds []string `json:"binds,omitempty"`
}

// Function is one Lambda function.
type Function struct {
	ID string `json:"id"`
	// Construct is the id of the construct that owns the function.
	Construct string `json:"construct"`
	// Name is the physical function name.
	Name    string `json:"name"`
	Handler string `json:"handler"`
	Runtime string `json:"runtime"`
	Arch    string `json:"architecture"`
	Memory  int    `json:"memory"`
	Timeout int    `json:"timeout"`
	// Artifact is the bundle the stack uploads, relative to the stack
	// directory: a stable path per function (the JSON names it and lets
	// Terraform hash it at plan time). When a synthesis is reused, the CLI
	// repeats the function's build (build.RequestFor this entry: a
	// build-cache hit unless a source changed) and replaces the file when
	// the bundle differs. A function without Handler was built from a
	// site (its sources are the site's tree, whose change reruns the app).
	Artifact    string            `json:"artifact,omitempty"`
	Environment map[string]string `json:"environment,omitempty"`
	Bindings    []string          `json:"bindings,omitempty"`
	// Build repeats the bundler settings the app used, so `sst dev` builds
	// the same handler for the host the same way.
	Build *FunctionBuild `json:"build,omitempty"`
}

// FunctionBuild is how a function's handler was built.
type FunctionBuild struct {
	// Runtime is the runtime the user asked for ("" = detected): "go" or a
	// Node runtime; Function.Runtime is the Lambda runtime it became.
	Runtime   string   `json:"runtime,omitempty"`
	Format    string   `json:"format,omitempty"`
	Minify    bool     `json:"minify,omitempty"`
	Sourcemap bool     `json:"sourcemap,omitempty"`
	External  []string `json:"external,omitempty"`
	Tags      []string `json:"tags,omitempty"`
	LDFlags   []string `json:"ldflags,omitempty"`
	// CopyFiles are copied into the bundle: from (relative to the
	// project) → to (relative to the bundle).
	CopyFiles []CopyFile `json:"copyFiles,omitempty"`
	// Install are Node packages npm installs into the bundle's
	// node_modules instead of esbuild bundling them.
	Install []string `json:"install,omitempty"`
	// Loader maps a file extension to an esbuild loader name.
	Loader map[string]string `json:"loader,omitempty"`
	// Banner is JavaScript put at the top of the bundle.
	Banner  string        `json:"banner,omitempty"`
	ESBuild *ESBuildBuild `json:"esbuild,omitempty"`
	// InstallCommands run in a copy of a Python function's source
	// directory before it is zipped.
	InstallCommands []string `json:"installCommands,omitempty"`
}

// ESBuildBuild are the further esbuild options of a Node function.
type ESBuildBuild struct {
	Define     map[string]string `json:"define,omitempty"`
	KeepNames  bool              `json:"keepNames,omitempty"`
	Target     string            `json:"target,omitempty"`
	MainFields []string          `json:"mainFields,omitempty"`
	Conditions []string          `json:"conditions,omitempty"`
	Inject     []string          `json:"inject,omitempty"`
}

// CopyFile is one FunctionProps.CopyFiles entry.
type CopyFile struct {
	From string `json:"from"`
	To   string `json:"to,omitempty"`
}

// ApiDev is what `sst dev` needs to play API Gateway for an Api: stored
// JSON-encoded in the Api construct's Data under DataApiDev.
type ApiDev struct {
	// Cors is nil when CORS is disabled.
	Cors        *ApiCors                 `json:"cors,omitempty"`
	Authorizers map[string]ApiAuthorizer `json:"authorizers,omitempty"`
	// Stage is a REST API's (ApiGatewayV1Api) stage name, in its events'
	// requestContext; HTTP APIs serve "$default".
	Stage string `json:"stage,omitempty"`
}

// DataApiDev is the Api construct Data key holding ApiDev.
const DataApiDev = "dev"

// ApiCors is an Api's CORS configuration with defaults applied.
type ApiCors struct {
	AllowOrigins     []string `json:"allowOrigins"`
	AllowMethods     []string `json:"allowMethods"`
	AllowHeaders     []string `json:"allowHeaders"`
	ExposeHeaders    []string `json:"exposeHeaders,omitempty"`
	AllowCredentials bool     `json:"allowCredentials,omitempty"`
	MaxAge           int      `json:"maxAge,omitempty"`
}

// ApiAuthorizer is one named authorizer of an Api or ApiGatewayV1Api.
type ApiAuthorizer struct {
	// Type is "jwt" or "lambda" (Api), "user_pools", "lambda_token" or
	// "lambda_request" (ApiGatewayV1Api).
	Type string `json:"type"`
	// Issuers are the user pools' issuer URLs of a "user_pools"
	// authorizer: a token of any of them is accepted, whatever its
	// audience.
	Issuers        []string `json:"issuers,omitempty"`
	Issuer         string   `json:"issuer,omitempty"`
	Audience       []string `json:"audience,omitempty"`
	IdentitySource []string `json:"identitySource,omitempty"`
	// Function is the id of a Lambda authorizer's function.
	Function        string `json:"function,omitempty"`
	SimpleResponses bool   `json:"simpleResponses,omitempty"`
	// PayloadFormatVersion of a Lambda authorizer's events: "1.0" (IAM
	// policy answers) or "2.0" (simple answers).
	PayloadFormatVersion string `json:"payloadFormatVersion,omitempty"`
}

// Route is one API route bound to a function.
type Route struct {
	Api string `json:"api"`
	Key string `json:"key"`
	// Type is empty for a function route, RouteURL or RouteAWS.
	Type     string `json:"type,omitempty"`
	Function string `json:"function,omitempty"`
	// URL is a url route's endpoint: a Terraform expression when it is
	// known only after deploy.
	URL string `json:"url,omitempty"`
	// Subtype is an aws route's integration subtype, e.g. "SQS-SendMessage".
	Subtype string `json:"subtype,omitempty"`
	// Integration is the Terraform address of an aws route's integration
	// (aws_apigatewayv2_integration.<name>): `sst dev` evaluates its
	// deployed request_parameters, where every value is resolved, as API
	// Gateway would.
	Integration string `json:"integration,omitempty"`
	// Authorizer is the authorizer name, "none" or "iam".
	Authorizer string `json:"authorizer,omitempty"`
	// PayloadFormatVersion is "1.0" when the route's events use it; empty
	// means "2.0".
	PayloadFormatVersion string `json:"payloadFormatVersion,omitempty"`
}

// Route types besides functions.
const (
	RouteURL = "url"
	RouteAWS = "aws"
)

// Output is a stack output declared by the app.
type Output struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Sensitive   bool   `json:"sensitive,omitempty"`
	// Internal outputs are added by constructs for the CLI's own use (a
	// site's URL, bucket and distribution, an RDS cluster's ARNs), not
	// declared by the app.
	Internal bool `json:"internal,omitempty"`
}

// AppOutput reports whether the stack's output name is the app's own: one
// it declared with AddOutput(s), shown to people by default. Internal
// outputs are shown only on request (--all). An output the manifest does
// not list (one from an app built before outputs were marked) counts as
// the app's own, so nothing disappears silently.
func (st *Stack) AppOutput(name string) bool {
	for _, o := range st.Outputs {
		if o.Name == name {
			return !o.Internal
		}
	}
	return true
}

// Path returns the manifest path for a stage output directory.
func Path(outDir string) string { return filepath.Join(outDir, FileName) }

// ReadLatest is the last manifest written for stage: the one in outDir,
// else the one of the stage's directory beside it (outDir may be a fresh
// directory a synthesis writes into, see cli/internal/synth), else the
// newest of another stage's there, else nil. A synthesis starts the builds
// it lists before its own manifest exists (functions rarely differ between
// stages).
func ReadLatest(outDir, stage string) *Manifest {
	parent := filepath.Dir(outDir)
	for _, dir := range []string{outDir, filepath.Join(parent, stage)} {
		if m, err := Read(dir); err == nil {
			return m
		}
	}
	var newest *Manifest
	var newestTime time.Time
	ents, _ := os.ReadDir(parent)
	for _, e := range ents {
		// Dot directories are syntheses under way.
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		fi, err := os.Stat(Path(filepath.Join(parent, e.Name())))
		if err != nil || !fi.ModTime().After(newestTime) {
			continue
		}
		if m, err := Read(filepath.Join(parent, e.Name())); err == nil {
			newest, newestTime = m, fi.ModTime()
		}
	}
	return newest
}

// Read loads the manifest from a stage output directory.
func Read(outDir string) (*Manifest, error) {
	b, err := os.ReadFile(Path(outDir))
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("parse manifest %s: %w", Path(outDir), err)
	}
	if m.Version != Version {
		return nil, fmt.Errorf("manifest %s has version %d, this sst understands %d: re-run `sst synth`", Path(outDir), m.Version, Version)
	}
	return &m, nil
}

// Write stores the manifest in a stage output directory.
func (m *Manifest) Write(outDir string) error {
	m.Version = Version
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(Path(outDir), append(b, '\n'), 0o644)
}

// Stack returns the stack with the given name.
func (m *Manifest) Stack(name string) (*Stack, bool) {
	for i := range m.Stacks {
		if m.Stacks[i].Name == name {
			return &m.Stacks[i], true
		}
	}
	return nil, false
}
