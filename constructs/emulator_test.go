package sst

import (
	"reflect"
	"strings"
	"testing"
)

// TestEmulatorDefaults synthesizes one app with Cognito (identity pool on)
// and RDS for real AWS and for an emulator. The emulator's JSON differs
// only by the documented emulator-aware defaults, each announced in a
// warning; real AWS gets none of them.
func TestEmulatorDefaults(t *testing.T) {
	app := stacks(t, func(s *Stack) any {
		NewCognito(s, "Auth", CognitoProps{})
		return rdsPostgres(s)
	})
	real := synthOK(t, Config{Name: "notes"}, testOptions(t), app...)
	emuOpts := testOptions(t)
	emuOpts.Endpoint = "http://127.0.0.1:5000"
	emu := synthOK(t, Config{Name: "notes"}, emuOpts, app...)

	if len(real.m.Warnings) != 0 {
		t.Errorf("real AWS synth warns: %q", real.m.Warnings)
	}
	wantContains(t, strings.Join(emu.m.Warnings, "\n"),
		`emulator: RDS "Db" (aws_rds_cluster.Db): changes to enable_http_endpoint are ignored`,
		`emulator: Cognito "Auth" (aws_cognito_identity_pool_roles_attachment.Auth_roles): not created: the emulator does not implement SetIdentityPoolRoles`)

	timeouts := map[string]any{"create": "2m", "update": "2m", "delete": "2m"}
	for _, tc := range []struct {
		typ, name, key string
		want           any
	}{
		{"aws_rds_cluster", "Db", "timeouts", timeouts},
		{"aws_rds_cluster", "Db", "lifecycle", map[string]any{"ignore_changes": []any{"enable_http_endpoint"}}},
		{"aws_rds_cluster_instance", "Db_instance", "timeouts", timeouts},
		{"aws_cognito_identity_pool_roles_attachment", "Auth_roles", "count", float64(0)},
	} {
		r := emu.resource(t, "First", tc.typ, tc.name)
		if !reflect.DeepEqual(r[tc.key], tc.want) {
			t.Errorf("emulator %s.%s %s = %#v, want %#v", tc.typ, tc.name, tc.key, r[tc.key], tc.want)
		}
		delete(r, tc.key)
		if v, ok := real.resource(t, "First", tc.typ, tc.name)[tc.key]; ok {
			t.Errorf("real AWS %s.%s sets %s = %#v", tc.typ, tc.name, tc.key, v)
		}
	}
	realProvider := providerBlock(t, real)
	emuProvider := providerBlock(t, emu)
	if realProvider["max_retries"] != float64(defaultMaxRetries) || emuProvider["max_retries"] != float64(emulatorMaxRetries) {
		t.Errorf("max_retries real %v, emulator %v", realProvider["max_retries"], emuProvider["max_retries"])
	}
	for _, k := range []string{"max_retries", "endpoints", "skip_credentials_validation", "skip_requesting_account_id", "skip_metadata_api_check", "s3_use_path_style"} {
		delete(realProvider, k)
		delete(emuProvider, k)
	}
	// Everything else, every resource and the provider's remaining
	// arguments, is the same JSON.
	if !reflect.DeepEqual(real.stacks["First"]["resource"], emu.stacks["First"]["resource"]) {
		t.Error("the emulator's resources differ from real AWS's beyond the emulator-aware defaults")
	}
	if !reflect.DeepEqual(realProvider, emuProvider) {
		t.Errorf("provider differs beyond the endpoint settings:\nreal %v\nemulator %v", realProvider, emuProvider)
	}
}

func providerBlock(t *testing.T, s *synthesized) map[string]any {
	t.Helper()
	ps, ok := s.stacks["First"]["provider"].(map[string]any)["aws"].([]any)
	if !ok || len(ps) != 1 {
		t.Fatalf("provider block: %v", s.stacks["First"]["provider"])
	}
	return ps[0].(map[string]any)
}
