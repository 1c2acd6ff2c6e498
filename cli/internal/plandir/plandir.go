// Package plandir is the reviewed-plan directory: what `sst diff --out DIR`
// writes and `sst deploy --plan DIR` applies. Per stack it holds
// terraform's saved plan and the cdk.tf.json it was made from; plan.json
// records what the deploy checks before it applies anything (the stage,
// app, backend and endpoint, each stack's deploy hash, state version and
// site upload digests) and every planned change; summary.md is the same
// for a person reviewing it.
//
// Saved plans hold sensitive values in clear, as terraform's always do:
// the directory and its files are private to the user (0700/0600).
// plan.json and summary.md mask them.
package plandir

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sst-tf/sst/cli/internal/tf"
	"github.com/sst-tf/sst/manifest"
)

// Version is plan.json's format; a deploy refuses any other.
const Version = 1

// File and SummaryFile are the machine and human records in the directory.
const (
	File        = "plan.json"
	SummaryFile = "summary.md"
)

// Plan is plan.json.
type Plan struct {
	Version  int    `json:"version"`
	App      string `json:"app"`
	Stage    string `json:"stage"`
	Region   string `json:"region"`
	Endpoint string `json:"endpoint,omitempty"`
	// Engine made the saved plans: "tofu", or "" for terraform (plans of
	// earlier versions of sst). Only the same engine can apply them.
	Engine string `json:"engine,omitempty"`
	// Backend is where the stage's state lives, as synthesized.
	Backend manifest.Backend `json:"backend"`
	Created time.Time        `json:"created"`
	Stacks  []Stack          `json:"stacks"`
}

// Stack is one stack's reviewed plan.
type Stack struct {
	Name      string   `json:"name"`
	Workspace string   `json:"workspace"`
	DependsOn []string `json:"dependsOn,omitempty"`
	// Plan is terraform's saved plan and Config the cdk.tf.json it was
	// made from, relative to the directory.
	Plan   string `json:"plan"`
	Config string `json:"config"`
	// DeployHash is the stack's deploy hash (cdk.tf.json and function
	// artifacts, package deploy) when it was planned; Artifacts the
	// SHA-256 of each artifact, to say which one differs.
	DeployHash string            `json:"deployHash"`
	Artifacts  map[string]string `json:"artifacts,omitempty"`
	// State is the state version the plan was made from.
	State   tf.StateRef `json:"state"`
	Counts  Counts      `json:"counts"`
	Changes []Change    `json:"changes"`
	// Drift are resources the plan's refresh found changed ("update") or
	// deleted ("delete") outside Terraform: why some changes are planned.
	Drift []tf.Change `json:"drift,omitempty"`
	// ChangedOutputs are the outputs the plan creates, changes or
	// deletes: stacks reading them were planned with the old values.
	ChangedOutputs []string `json:"changedOutputs,omitempty"`
	Sites          []Site   `json:"sites,omitempty"`
	// SiteChanges say what the deploy would upload and delete, compared
	// with the bucket when the plan was made.
	SiteChanges []string `json:"siteChanges,omitempty"`
}

// Counts are a stack's planned changes by kind.
type Counts struct {
	Create  int `json:"create"`
	Update  int `json:"update"`
	Replace int `json:"replace"`
	Delete  int `json:"delete"`
}

// Change is one planned resource change.
type Change struct {
	Address string `json:"address"`
	Type    string `json:"type"`
	// Action is create, update, replace, delete (or read, import…).
	Action string `json:"action"`
	// Stateful resources hold data a delete or replace loses.
	Stateful bool `json:"stateful,omitempty"`
	// IAM changes grant or take away permissions.
	IAM bool `json:"iam,omitempty"`
	// Retained resources stay in AWS when the stage is removed; a replace
	// still deletes them.
	Retained bool `json:"retained,omitempty"`
	// Attrs are the attributes an update or replace changes (sensitive
	// values masked).
	Attrs []tf.AttrChange `json:"attributes,omitempty"`
}

// Site is a site whose files the deploy uploads after the apply.
type Site struct {
	Construct string `json:"construct"`
	Type      string `json:"type"`
	// Upload is the SHA-256 of the site's upload plan: every file's key,
	// MD5, content type and cache control. A deploy of the plan uploads
	// only this build.
	Upload string `json:"uploadSha256"`
	Files  int    `json:"files"`
}

// Guarded are the stack's changes that lose data: stateful resources
// deleted or replaced. Applying them needs --allow-replace.
func (s Stack) Guarded() []Change {
	var out []Change
	for _, c := range s.Changes {
		if c.Stateful && (c.Action == "delete" || c.Action == "replace") {
			out = append(out, c)
		}
	}
	return out
}

// Stack returns the named stack of the plan.
func (p *Plan) Stack(name string) (*Stack, bool) {
	for i := range p.Stacks {
		if p.Stacks[i].Name == name {
			return &p.Stacks[i], true
		}
	}
	return nil, false
}

// statefulTypes hold data that exists only in AWS: deleting or replacing
// one loses it (items, objects, rows, users, records, messages, secret
// values set outside Terraform).
var statefulTypes = map[string]string{
	"aws_dynamodb_table":                   "DynamoDB table: its items",
	"aws_s3_bucket":                        "S3 bucket: its objects",
	"aws_rds_cluster":                      "RDS cluster: its databases",
	"aws_db_instance":                      "RDS instance: its databases",
	"aws_cognito_user_pool":                "Cognito user pool: its users",
	"aws_kinesis_stream":                   "Kinesis stream: its records",
	"aws_sqs_queue":                        "SQS queue: its messages",
	"aws_efs_file_system":                  "EFS file system: its files",
	"aws_secretsmanager_secret":            "Secrets Manager secret: its value",
	"aws_opensearch_domain":                "OpenSearch domain: its indexes",
	"aws_elasticache_cluster":              "ElastiCache cluster: its data",
	"aws_dynamodb_global_table":            "DynamoDB global table: its items",
	"aws_timestreamwrite_table":            "Timestream table: its records",
	"aws_kinesis_firehose_delivery_stream": "Firehose stream: records in flight",
}

// Loses says what a delete or replace of a resource type loses, "" for a
// type that holds no data of its own.
func Loses(typ string) string { return statefulTypes[typ] }

// IsIAM is whether a resource type grants permissions: IAM itself,
// resource policies and Lambda permissions.
func IsIAM(typ string) bool {
	return strings.HasPrefix(typ, "aws_iam_") || strings.HasSuffix(typ, "_policy") || typ == "aws_lambda_permission"
}

// Changes classifies a plan's resource changes (tf.ParsePlan) and counts
// them; retained lists the stack's resources kept on removal.
func Changes(diffs []tf.ResourceDiff, retained []string) ([]Change, Counts) {
	var out []Change
	var n Counts
	for _, d := range diffs {
		typ := resourceType(d.Address)
		c := Change{Address: d.Address, Type: typ, Action: d.Action, Stateful: Loses(typ) != "", IAM: IsIAM(typ), Retained: slices.Contains(retained, d.Address)}
		switch d.Action {
		case "create":
			n.Create++
		case "update":
			n.Update++
		case "replace":
			n.Replace++
		case "delete":
			n.Delete++
		}
		if d.Action == "update" || d.Action == "replace" || c.IAM {
			c.Attrs = d.Attrs
		}
		out = append(out, c)
	}
	return out, n
}

// resourceType is the type of a resource address, inside modules too:
// module.m.aws_s3_bucket.b[0] is an aws_s3_bucket.
func resourceType(addr string) string {
	parts := strings.Split(addr, ".")
	for len(parts) > 2 && parts[0] == "module" {
		parts = parts[2:]
	}
	if parts[0] == "data" && len(parts) > 1 {
		return parts[1]
	}
	return parts[0]
}

// Prepare makes dir ready for a new plan: created private when missing,
// or emptied of an earlier plan. A directory holding anything else is
// refused, so a mistyped --out never deletes someone's files.
func Prepare(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return os.MkdirAll(dir, 0o700)
	case err != nil:
		return err
	}
	if len(entries) > 0 {
		if _, err := os.Stat(filepath.Join(dir, File)); err != nil {
			return fmt.Errorf("--out %s: the directory is not empty and holds no earlier plan (%s): give an empty or new directory", dir, File)
		}
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return os.Chmod(dir, 0o700)
}

// StackDir is where a stack's saved plan and configuration go.
func StackDir(dir, stack string) string { return filepath.Join(dir, "stacks", stack) }

// Write writes plan.json and summary.md into dir; the saved plans are
// already in place. shown is the directory as the summary names it in the
// command that applies it (as the user gave it).
func Write(dir, shown string, p *Plan) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, File), append(b, '\n'), 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, SummaryFile), []byte(Summary(p, shown)), 0o600)
}

// Read reads plan.json of dir, checking that every saved plan it names is
// there.
func Read(dir string) (*Plan, error) {
	path := filepath.Join(dir, File)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("--plan %s: no %s there: write a plan with `sst diff --out %s` first", dir, File, dir)
	}
	if err != nil {
		return nil, err
	}
	var p Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: %w: write the plan again with `sst diff --out %s`", path, err, dir)
	}
	if p.Version != Version {
		return nil, fmt.Errorf("%s: plan format %d, this sst reads %d: make the plan with the same sst version as the deploy", path, p.Version, Version)
	}
	if len(p.Stacks) == 0 {
		return nil, fmt.Errorf("%s: the plan has no stacks: write it again with `sst diff --out %s`", path, dir)
	}
	for _, st := range p.Stacks {
		for _, f := range []string{st.Plan, st.Config} {
			if f == "" || !filepath.IsLocal(f) {
				return nil, fmt.Errorf("%s: stack %s: bad file name %q", path, st.Name, f)
			}
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				return nil, fmt.Errorf("%s: stack %s: %w: the plan directory is incomplete, write it again with `sst diff --out %s`", path, st.Name, err, dir)
			}
		}
	}
	return &p, nil
}
