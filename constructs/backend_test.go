package sst

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestBackends(t *testing.T) {
	const ep = "http://127.0.0.1:5000"
	tests := []struct {
		name      string
		backend   Backend
		endpoint  string
		block     []string // path to the backend block in the stack JSON
		want      map[string]any
		workspace string
		manifest  map[string]any
	}{
		{
			name:    "s3 with dynamodb lock",
			backend: S3Backend{Bucket: "state", DynamoDBTable: "locks", KeyPrefix: "teams/a/", Region: "eu-west-1", RoleArn: "arn:aws:iam::123456789012:role/tf"},
			block:   []string{"terraform", "backend", "s3"},
			want: map[string]any{
				"bucket": "state", "key": "teams/a/notes/First/terraform.tfstate", "region": "eu-west-1",
				"encrypt": true, "dynamodb_table": "locks",
				"assume_role": map[string]any{"role_arn": "arn:aws:iam::123456789012:role/tf"},
			},
			workspace: "test",
			manifest:  map[string]any{"bucket": "state", "region": "eu-west-1", "dynamodbTable": "locks"},
		},
		{
			name:      "s3 with lock file",
			backend:   S3Backend{Bucket: "state", UseLockfile: true, DisableEncryption: true, Profile: "ops"},
			block:     []string{"terraform", "backend", "s3"},
			want:      map[string]any{"bucket": "state", "key": "notes/First/terraform.tfstate", "region": "us-east-1", "encrypt": false, "use_lockfile": true, "profile": "ops"},
			workspace: "test",
			manifest:  map[string]any{"bucket": "state", "region": "us-east-1", "useLockfile": true},
		},
		{
			name:     "s3 on an emulator",
			backend:  S3Backend{Bucket: "state", DynamoDBTable: "locks", Profile: "ignored"},
			endpoint: ep,
			block:    []string{"terraform", "backend", "s3"},
			want: map[string]any{
				"bucket": "state", "key": "notes/First/terraform.tfstate", "region": "us-east-1", "encrypt": true, "dynamodb_table": "locks",
				"endpoints":                   map[string]any{"s3": ep, "dynamodb": ep, "iam": ep, "sts": ep},
				"use_path_style":              true,
				"skip_credentials_validation": true,
				"skip_requesting_account_id":  true,
				"skip_metadata_api_check":     true,
				"skip_region_validation":      true,
			},
			workspace: "test",
			manifest:  map[string]any{"bucket": "state", "region": "us-east-1", "dynamodbTable": "locks"},
		},
		{
			name:    "cloud",
			backend: CloudBackend{Organization: "acme", Hostname: "tfe.example.com", Project: "web"},
			block:   []string{"terraform", "cloud"},
			want: map[string]any{
				"organization": "acme", "hostname": "tfe.example.com",
				"workspaces": map[string]any{"tags": []string{"sst:notes:First"}, "project": "web"},
			},
			workspace: "notes-First-test",
			manifest:  map[string]any{"organization": "acme", "hostname": "tfe.example.com"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions(t)
			opts.Endpoint = tt.endpoint
			s := synthOK(t, Config{Name: "notes", Backend: tt.backend}, opts, stacks(t, func(s *Stack) any { return notesTable(s) })...)
			path := make([]any, len(tt.block))
			for i, p := range tt.block {
				path[i] = p
			}
			wantJSON(t, strings.Join(tt.block, "."), at(s.stack(t, "First"), path...), tt.want)
			if b := at(s.stack(t, "First"), "terraform", "backend", "local"); b != nil {
				t.Errorf("local backend alongside %s: %v", tt.name, b)
			}
			if ws := s.manifestStack(t, "First").Workspace; ws != tt.workspace {
				t.Errorf("workspace = %q, want %q", ws, tt.workspace)
			}
			wantJSON(t, "manifest backend config", s.m.Backend.Config, tt.manifest)
		})
	}
}

func TestBackendLocal(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t,
		func(s *Stack) any { return notesTable(s) },
		func(s *Stack) any {
			NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler, Bind: []Bindable{Use[*Table](s, First)}})
			return nil
		},
	)...)
	for _, name := range []string{"First", "Second"} {
		b := asMap(at(s.stack(t, name), "terraform", "backend", "local"))
		path, _ := b["path"].(string)
		wsDir, _ := b["workspace_dir"].(string)
		if filepath.IsAbs(path) || filepath.IsAbs(wsDir) {
			t.Errorf("%s local backend uses absolute paths: %v", name, b)
		}
		stackDir := filepath.Join(opts.OutDir, "stacks", name)
		if got, want := filepath.Join(stackDir, path), filepath.Join(opts.StateDir, name, "terraform.tfstate"); got != want {
			t.Errorf("%s path resolves to %s, want %s", name, got, want)
		}
		if got, want := filepath.Join(stackDir, wsDir), filepath.Join(opts.StateDir, name); got != want {
			t.Errorf("%s workspace_dir resolves to %s, want %s", name, got, want)
		}
		if ws := s.manifestStack(t, name).Workspace; ws != "test" {
			t.Errorf("%s workspace = %q, want the stage", name, ws)
		}
	}
	// The consumer reads the producer's state with the same relative
	// config, which resolves the same from its sibling directory.
	rs := asMap(at(s.stack(t, "Second"), "data", "terraform_remote_state", "cross-stack-reference-input-First", "config"))
	if !reflect.DeepEqual(rs, asMap(at(s.stack(t, "First"), "terraform", "backend", "local"))) {
		t.Errorf("remote state config %v differs from First's backend", rs)
	}
	if s.m.Backend.Kind != "local" || s.m.Backend.Config["dir"] != opts.StateDir {
		t.Errorf("manifest backend = %+v", s.m.Backend)
	}

	// LocalBackend.Dir relative to the project.
	opts2 := testOptions(t)
	s = synthOK(t, Config{Name: "notes", Backend: LocalBackend{Dir: "state-here"}}, opts2, stacks(t, func(s *Stack) any { return notesTable(s) })...)
	path, _ := at(s.stack(t, "First"), "terraform", "backend", "local", "path").(string)
	if got, want := filepath.Join(opts2.OutDir, "stacks", "First", path), filepath.Join(testProject(t), "state-here", "First", "terraform.tfstate"); got != want {
		t.Errorf("LocalBackend.Dir path resolves to %s, want %s", got, want)
	}
}
