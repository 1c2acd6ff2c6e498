package deploy

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CrossStackPrefix starts the names of the outputs CDKTF generates to pass
// values between stacks. They are sensitive plumbing, not something a user
// declared, so they are neither printed nor written.
const CrossStackPrefix = "cross-stack-output-"

// Outputs is the outputs file: stack → output name → JSON value.
type Outputs map[string]map[string]json.RawMessage

// ReadOutputs loads an outputs file; a missing file is an empty set.
func ReadOutputs(path string) (Outputs, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Outputs{}, nil
	}
	if err != nil {
		return nil, err
	}
	var o Outputs
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	if o == nil {
		o = Outputs{}
	}
	return o, nil
}

// Write stores the outputs file, indented for people reading it.
func (o Outputs) Write(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(b, '\n'))
}

// Visible reports whether an output belongs in the outputs file and on
// screen: not CDKTF's cross-stack plumbing and not marked sensitive.
func Visible(name string, sensitive bool) bool {
	return !sensitive && !strings.HasPrefix(name, CrossStackPrefix)
}
