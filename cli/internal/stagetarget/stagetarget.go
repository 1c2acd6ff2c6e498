// Package stagetarget remembers where a stage was deployed: the endpoint
// (an emulator, or none for AWS), region and profile its first successful
// apply used. Later commands on the stage take them from the record, so a
// forgotten --endpoint cannot send a stage deployed to an emulator to real
// AWS (and fail with credential errors), and a different explicit endpoint
// or region is refused instead of deploying a second copy elsewhere.
//
// The record lives in the project, .sst/stages/<stage>.json, beside the
// stage's outputs and deploy hashes — not in the state backend: reading a
// record from an S3 backend needs the very endpoint and credentials the
// record is there to supply (the bucket of a stage on an emulator is on the
// emulator), so a checkout without the record (a teammate, CI) passes the
// flags once and its first deploy records them.
package stagetarget

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sst-tf/sst/internal/atomicfile"
	"github.com/sst-tf/sst/manifest"
)

// Target is what a stage was deployed with. Empty fields mean the default:
// no endpoint is real AWS; no region or profile is the app's own.
type Target struct {
	Endpoint string `json:"endpoint,omitempty"`
	Region   string `json:"region,omitempty"`
	Profile  string `json:"profile,omitempty"`
}

// File is the record's path relative to the project directory.
func File(stage string) string { return manifest.TargetsDir + "/" + stage + ".json" }

// Read returns the stage's record, or nil when it has none.
func Read(projectDir, stage string) (*Target, error) {
	path := filepath.Join(projectDir, filepath.FromSlash(File(stage)))
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var t Target
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("%s: %v: delete it and pass --endpoint/--region/--profile as the stage was deployed", path, err)
	}
	return &t, nil
}

// Write records t for the stage.
func Write(projectDir, stage string, t Target) error {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(projectDir, filepath.FromSlash(File(stage)))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(path, append(b, '\n'), 0o644)
}

// Forget deletes the stage's record (after `sst remove` of the whole stage).
func Forget(projectDir, stage string) error {
	path := filepath.Join(projectDir, filepath.FromSlash(File(stage)))
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	_ = os.Remove(filepath.Dir(path)) // only when empty
	return nil
}

// Setting is one value given on the command line or in the environment,
// with where it came from ("--endpoint", "$SST_ENDPOINT"), for messages.
type Setting struct {
	Value  string
	Source string
}

// Given is what this command was given.
type Given struct {
	Endpoint, Region, Profile Setting
}

// Resolve merges the record (nil: none) with what was given. Values not
// given come from the record, each with a note saying so; an endpoint that
// differs from the recorded one (including one given for a stage deployed
// to AWS), or a region that differs from a recorded region, is an error
// naming both and what to do. A different profile is allowed: it is whose
// credentials, not where the stage is.
func Resolve(stage string, rec *Target, g Given) (Target, []string, error) {
	t := Target{Endpoint: g.Endpoint.Value, Region: g.Region.Value, Profile: g.Profile.Value}
	if rec == nil {
		return t, nil, nil
	}
	file := File(stage)
	var notes []string
	switch {
	case g.Endpoint.Value == "":
		t.Endpoint = rec.Endpoint
		if rec.Endpoint != "" {
			notes = append(notes, fmt.Sprintf("Using endpoint %s (recorded for stage %s in %s by its first deploy)", rec.Endpoint, stage, file))
		}
	case !sameEndpoint(g.Endpoint.Value, rec.Endpoint):
		where := "endpoint " + rec.Endpoint
		if rec.Endpoint == "" {
			where = "AWS itself (no endpoint)"
		}
		return Target{}, nil, fmt.Errorf("%s is %s, but stage %q was deployed to %s (recorded in %s by its first deploy): leave %s out to use the recorded one; to move the stage, run `sst remove --stage %s` against the old target first (it forgets the record), or delete %s if the stage's resources there are gone",
			g.Endpoint.Source, g.Endpoint.Value, stage, where, file, g.Endpoint.Source, stage, file)
	}
	switch {
	case g.Region.Value == "":
		t.Region = rec.Region
		if rec.Region != "" {
			notes = append(notes, fmt.Sprintf("Using region %s (recorded for stage %s in %s)", rec.Region, stage, file))
		}
	case rec.Region != "" && g.Region.Value != rec.Region:
		return Target{}, nil, fmt.Errorf("%s is %s, but stage %q was deployed to region %s (recorded in %s by its first deploy): leave %s out to use the recorded one; to move the stage, run `sst remove --stage %s` first (it forgets the record), or delete %s if the stage's resources there are gone",
			g.Region.Source, g.Region.Value, stage, rec.Region, file, g.Region.Source, stage, file)
	}
	if g.Profile.Value == "" && rec.Profile != "" {
		t.Profile = rec.Profile
		notes = append(notes, fmt.Sprintf("Using profile %s (recorded for stage %s in %s)", rec.Profile, stage, file))
	}
	return t, notes, nil
}

// sameEndpoint compares endpoints as the provider would use them: a
// trailing slash and the case of scheme and host do not matter.
func sameEndpoint(a, b string) bool {
	norm := func(s string) string { return strings.ToLower(strings.TrimRight(s, "/")) }
	return norm(a) == norm(b)
}
