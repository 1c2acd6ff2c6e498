package tf

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
)

// StateRef is one version of a workspace's state. Terraform applies a
// saved plan only to the state version it was made from, and so does the
// CLI's check before any stack is applied.
type StateRef struct {
	// Lineage is "" for a workspace that has no state yet.
	Lineage string `json:"lineage"`
	Serial  uint64 `json:"serial"`
}

// String reads "lineage 4f0c…, serial 7", or "no state".
func (r StateRef) String() string {
	if r.Lineage == "" {
		return "no state"
	}
	return fmt.Sprintf("lineage %s, serial %d", r.Lineage, r.Serial)
}

// ParseStateRef reads the version of a state (StatePull's bytes); empty
// input is a workspace without state.
func ParseStateRef(state []byte) (StateRef, error) {
	if len(bytes.TrimSpace(state)) == 0 {
		return StateRef{}, nil
	}
	var r StateRef
	if err := json.Unmarshal(state, &r); err != nil {
		return StateRef{}, fmt.Errorf("read the state's lineage and serial: %w", err)
	}
	return r, nil
}

// SavedPlanState is the state version a saved plan was made from: the
// prior state terraform keeps inside the plan file (a zip, entry
// "tfstate"), which is what terraform compares when it applies the plan.
func SavedPlanState(file string) (StateRef, error) {
	z, err := zip.OpenReader(file)
	if err != nil {
		return StateRef{}, fmt.Errorf("read saved plan %s: %w", file, err)
	}
	defer z.Close()
	for _, f := range z.File {
		if f.Name != "tfstate" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return StateRef{}, err
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			return StateRef{}, err
		}
		return ParseStateRef(b)
	}
	return StateRef{}, fmt.Errorf("saved plan %s holds no prior state: not a terraform plan file", file)
}

// ChangedOutputs lists the root outputs a plan (`terraform show -json`)
// creates, changes or deletes, sorted: what stacks reading them through
// terraform_remote_state would see differently after the apply.
func ChangedOutputs(show []byte) ([]string, error) {
	var p struct {
		OutputChanges map[string]struct {
			Actions []string `json:"actions"`
		} `json:"output_changes"`
	}
	if err := json.Unmarshal(show, &p); err != nil {
		return nil, fmt.Errorf("read terraform's JSON plan: %w", err)
	}
	var out []string
	for name, c := range p.OutputChanges {
		if a := planAction(c.Actions); a != "noop" {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}
