package sst

import (
	"cmp"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/sst-tf/sst/manifest"
)

// Backend is where Terraform keeps the app's state. Each stack has its own
// state; each stage is a Terraform workspace of it. Implementations:
// LocalBackend (default), S3Backend and CloudBackend.
type Backend interface {
	validate() error
	configure(s *Stack)
	workspace(s *Stack) string
	manifest(a *App) manifest.Backend
}

// LocalBackend keeps state on disk, by default under .sst/state/<stack>/
// in the project. Paths are written relative to each stack's directory so
// the synthesized JSON also works with plain `terraform`.
type LocalBackend struct {
	// Dir overrides the state directory (absolute, or relative to the project).
	Dir string
}

func (b LocalBackend) validate() error { return nil }

func (b LocalBackend) stateDir(a *App) string {
	if b.Dir == "" {
		return a.opts.StateDir
	}
	if filepath.IsAbs(b.Dir) {
		return b.Dir
	}
	return filepath.Join(a.opts.ProjectDir, b.Dir)
}

func (b LocalBackend) configure(s *Stack) {
	dir := filepath.Join(b.stateDir(s.app), s.name)
	// Non-default workspaces (our stages) live under workspace_dir; CDKTF
	// copies this config into consumers' terraform_remote_state, so it
	// must resolve the same from every stack directory — hence relative.
	cdktf.NewLocalBackend(s.tf, &cdktf.LocalBackendConfig{
		Path:         jsii.String(s.rel(filepath.Join(dir, "terraform.tfstate"))),
		WorkspaceDir: jsii.String(s.rel(dir)),
	})
}

func (b LocalBackend) workspace(s *Stack) string { return s.Stage() }

func (b LocalBackend) manifest(a *App) manifest.Backend {
	return manifest.Backend{Kind: "local", Config: map[string]any{"dir": b.stateDir(a)}}
}

// S3Backend keeps state in an S3 bucket, locked with a DynamoDB table or an
// S3 lock file. Each stack's key is <KeyPrefix><app>/<stack>/terraform.tfstate;
// stages are workspaces (env:/<stage>/<key>).
type S3Backend struct {
	Bucket string
	// Region of the bucket; default the app's region.
	Region string
	// KeyPrefix is prepended to every state key, e.g. "teams/payments/".
	KeyPrefix string
	// DynamoDBTable locks state with a table whose hash key is LockID.
	DynamoDBTable string
	// UseLockfile locks state with an S3 object (Terraform ≥ 1.10).
	UseLockfile bool
	// Encrypt state objects at rest (server-side). Default true.
	DisableEncryption bool
	// Profile for the backend; default the app's profile.
	Profile string
	// RoleArn to assume for state access.
	RoleArn string
}

func (b S3Backend) validate() error {
	if b.Bucket == "" {
		return errors.New("sst.Config: Backend S3Backend: Bucket is required")
	}
	if b.DynamoDBTable == "" && !b.UseLockfile {
		return errors.New("sst.Config: Backend S3Backend: set DynamoDBTable or UseLockfile — without a lock two deploys of a stage can corrupt its state")
	}
	return nil
}

func (b S3Backend) key(s *Stack) string {
	return fmt.Sprintf("%s%s/%s/terraform.tfstate", b.KeyPrefix, s.app.cfg.Name, s.name)
}

func (b S3Backend) configure(s *Stack) {
	o := s.app.opts
	cfg := &cdktf.S3BackendConfig{
		Bucket:  jsii.String(b.Bucket),
		Key:     jsii.String(b.key(s)),
		Region:  jsii.String(cmp.Or(b.Region, o.Region)),
		Encrypt: jsii.Bool(!b.DisableEncryption),
	}
	if b.DynamoDBTable != "" {
		cfg.DynamodbTable = jsii.String(b.DynamoDBTable)
	}
	if p := cmp.Or(b.Profile, o.Profile); p != "" && o.Endpoint == "" {
		cfg.Profile = jsii.String(p)
	}
	if b.RoleArn != "" {
		cfg.AssumeRole = &cdktf.S3BackendAssumeRoleConfig{RoleArn: jsii.String(b.RoleArn)}
	}
	if o.Endpoint != "" {
		cfg.Endpoints = &cdktf.S3BackendEndpointConfig{
			S3:       jsii.String(o.Endpoint),
			Dynamodb: jsii.String(o.Endpoint),
			Sts:      jsii.String(o.Endpoint),
			Iam:      jsii.String(o.Endpoint),
		}
		cfg.UsePathStyle = jsii.Bool(true)
		cfg.SkipCredentialsValidation = jsii.Bool(true)
		cfg.SkipRequestingAccountId = jsii.Bool(true)
		cfg.SkipMetadataApiCheck = jsii.Bool(true)
		cfg.SkipRegionValidation = jsii.Bool(true)
	}
	cdktf.NewS3Backend(s.tf, cfg)
	if b.UseLockfile {
		// CDKTF 0.20 predates use_lockfile; set it on the synthesized block.
		s.tf.AddOverride(jsii.String("terraform.backend.s3.use_lockfile"), true)
	}
}

func (b S3Backend) workspace(s *Stack) string { return s.Stage() }

func (b S3Backend) manifest(a *App) manifest.Backend {
	c := map[string]any{"bucket": b.Bucket, "region": cmp.Or(b.Region, a.opts.Region)}
	if b.DynamoDBTable != "" {
		c["dynamodbTable"] = b.DynamoDBTable
	}
	if b.UseLockfile {
		c["useLockfile"] = true
	}
	return manifest.Backend{Kind: "s3", Config: c}
}

// CloudBackend keeps state in HCP Terraform (or Terraform Enterprise) with
// a `cloud` block. HCP workspace names are global to the organization, so
// each stack's stage lives in the workspace <app>-<stack>-<stage>, and the
// stack's workspaces are found by the tag sst:<app>:<stack>.
type CloudBackend struct {
	Organization string
	// Hostname, default app.terraform.io.
	Hostname string
	// Project to create workspaces in.
	Project string
}

func (b CloudBackend) validate() error {
	if b.Organization == "" {
		return errors.New("sst.Config: Backend CloudBackend: Organization is required")
	}
	return nil
}

func (b CloudBackend) configure(s *Stack) {
	var project *string
	if b.Project != "" {
		project = jsii.String(b.Project)
	}
	cfg := &cdktf.CloudBackendConfig{
		Organization: jsii.String(b.Organization),
		Workspaces:   cdktf.NewTaggedCloudWorkspaces(jsii.Strings(fmt.Sprintf("sst:%s:%s", s.app.cfg.Name, s.name)), project),
	}
	if b.Hostname != "" {
		cfg.Hostname = jsii.String(b.Hostname)
	}
	cdktf.NewCloudBackend(s.tf, cfg)
}

func (b CloudBackend) workspace(s *Stack) string {
	return fmt.Sprintf("%s-%s-%s", s.app.cfg.Name, s.name, s.Stage())
}

func (b CloudBackend) manifest(a *App) manifest.Backend {
	c := map[string]any{"organization": b.Organization}
	if b.Hostname != "" {
		c["hostname"] = b.Hostname
	}
	return manifest.Backend{Kind: "cloud", Config: c}
}
