// Package project finds an SST app on disk and reads its cdktf.json. It is
// the first thing every project command does, so its errors are written for
// a person who just typed a command in the wrong directory.
package project

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/sst-tf/sst/manifest"
)

// ConfigFile is the file that marks a project root. We reuse CDKTF's own
// file so `cdktf synth` and `sst synth` agree on what the app is.
const ConfigFile = "cdktf.json"

// Config is the part of cdktf.json the CLI reads.
type Config struct {
	Language string `json:"language"`
	// App is the shell command that synthesizes the app, e.g. "go run .".
	App string `json:"app"`
	// SST holds settings of the sst CLI itself; CDKTF ignores the key.
	SST Settings `json:"sst"`
}

// Settings are the "sst" object of cdktf.json.
type Settings struct {
	// Engine is "terraform" (the default) or "tofu": which program plans
	// and applies the stacks, unless --engine or $SST_ENGINE says.
	Engine string `json:"engine"`
}

// Project is a located and parsed project.
type Project struct {
	// Dir is the absolute project root.
	Dir string
	// ConfigPath is the absolute path of cdktf.json.
	ConfigPath string
	Config     Config
}

// ErrNotFound is returned (wrapped) when no cdktf.json is found.
var ErrNotFound = errors.New("no " + ConfigFile + " found")

// Find walks up from start to the nearest directory holding cdktf.json.
func Find(start string) (string, error) {
	abs, err := filepath.Abs(start)
	if err != nil {
		return "", err
	}
	for dir := abs; ; {
		if fi, err := os.Stat(filepath.Join(dir, ConfigFile)); err == nil && !fi.IsDir() {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "", fmt.Errorf("%w in %s or any parent directory: run \"sst init\" or cd into your project", ErrNotFound, abs)
}

// Load reads cdktf.json in dir. An explicit project directory (--project)
// is not walked up from: the user said where the project is.
func Load(dir string) (*Project, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(abs, ConfigFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w in %s: run \"sst init\" or pass the directory that holds it", ErrNotFound, abs)
	}
	if err != nil {
		return nil, err
	}
	cfg, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &Project{Dir: abs, ConfigPath: path, Config: cfg}, nil
}

// Parse decodes cdktf.json content and checks the fields the CLI needs.
func Parse(b []byte) (Config, error) {
	var cfg Config
	if err := json.Unmarshal(b, &cfg); err != nil {
		return cfg, fmt.Errorf("invalid JSON: %s", describeJSONError(b, err))
	}
	if strings.TrimSpace(cfg.App) == "" {
		return cfg, errors.New(`missing "app": set it to the command that synthesizes your app, e.g. "app": "go run ."`)
	}
	return cfg, nil
}

// describeJSONError adds a line and column to syntax errors, which
// encoding/json reports only as a byte offset.
func describeJSONError(b []byte, err error) string {
	var off int64 = -1
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
	}
	if off < 0 || off > int64(len(b)) {
		return err.Error()
	}
	line, col := 1, 1
	for _, c := range b[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("line %d, column %d: %v", line, col, err)
}

// ValidateEndpoint checks an AWS endpoint override. A typo here would
// otherwise surface minutes later as an opaque provider error, or worse,
// silently talk to real AWS.
func ValidateEndpoint(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("invalid endpoint %q: %v", s, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("invalid endpoint %q: must be an http:// or https:// URL, e.g. http://127.0.0.1:5000", s)
	}
	if u.Host == "" {
		return fmt.Errorf("invalid endpoint %q: missing host, e.g. http://127.0.0.1:5000", s)
	}
	// Every service's SDK client and the provider append their own paths:
	// a path, query or credentials here would be silently mangled or
	// dropped.
	if strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("invalid endpoint %q: only http(s)://host[:port] is allowed, without a path, query or user; try %q", s, u.Scheme+"://"+u.Host)
	}
	return nil
}

// OutDir is the absolute output directory for a stage.
func (p *Project) OutDir(stage string) string {
	return filepath.Join(p.Dir, filepath.FromSlash(manifest.OutDir), stage)
}

// Path joins a slash-separated path relative to the project root, such as
// the layout constants in package manifest.
func (p *Project) Path(rel ...string) string {
	parts := append([]string{p.Dir}, rel...)
	return filepath.FromSlash(filepath.Join(parts...))
}
