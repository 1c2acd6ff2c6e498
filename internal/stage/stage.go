// Package stage validates, sanitizes and resolves stage names.
//
// A stage becomes a Terraform workspace and part of every physical AWS name
// ({stage}-{app}-{id}), so the rules are the strictest common subset of what
// those accept: lower-case because S3 bucket and RDS names are, short because
// every character spent on the stage is one fewer for the resource id.
// Both the app (validating SST_STAGE before synthesis) and the CLI (resolving
// --stage before anything runs) use this package so they can never disagree.
package stage

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
)

// MaxLen is the longest stage name accepted.
const MaxLen = 32

// Default is the stage used when nothing else names one.
const Default = "dev"

// File is where a project keeps its personal default stage, relative to the
// project directory.
const File = ".sst/stage"

// Sources reported by Resolve.
const (
	SourceFlag    = "flag"
	SourceEnv     = "env"
	SourceFile    = "file"
	SourceUser    = "user"
	SourceDefault = "default"
)

const rule = `stage names must match [a-z][a-z0-9-]* (lower-case letters, digits, "-"), at most 32 characters`

// InvalidError reports a stage name that breaks the naming rules.
type InvalidError struct {
	Name       string
	Problem    string // the specific rule broken
	Suggestion string // a valid alternative, or "" when none can be derived
}

func (e *InvalidError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "invalid stage %q: %s; %s", e.Name, e.Problem, rule)
	if e.Suggestion != "" {
		fmt.Fprintf(&b, `; try %q`, e.Suggestion)
	}
	return b.String()
}

// Validate reports whether name is a usable stage name. The error, an
// *InvalidError, names the stage, the rule it breaks and a suggested fix.
func Validate(name string) error {
	problem := check(name)
	if problem == "" {
		return nil
	}
	return &InvalidError{Name: name, Problem: problem, Suggestion: Sanitize(name)}
}

func check(name string) string {
	switch {
	case name == "":
		return "the name is empty"
	case len(name) > MaxLen:
		return fmt.Sprintf("it is %d characters long", len(name))
	}
	for i, r := range name {
		switch {
		case r >= 'A' && r <= 'Z':
			return fmt.Sprintf("upper-case %q is not allowed", string(r))
		case r > 0x7f || (!isLower(name[i]) && !isDigit(name[i]) && r != '-'):
			return fmt.Sprintf("%q is not allowed", string(r))
		}
	}
	switch {
	case !isLower(name[0]):
		return "it must start with a lower-case letter"
	case strings.Contains(name, "--"):
		return `it contains "--"`
	case strings.HasSuffix(name, "-"):
		return `it ends with "-"`
	}
	return ""
}

// Sanitize derives a valid stage name from any string, such as an OS user
// name ("John.Doe@corp" → "john-doe-corp"). It returns "" when nothing
// usable is left (for example, only digits or symbols); callers then fall
// back to Default. Sanitize of a valid name returns it unchanged.
func Sanitize(s string) string {
	b := make([]byte, 0, len(s))
	dash := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		switch {
		case isLower(c):
		case isDigit(c):
			// A stage must start with a letter; dropping leading digits keeps
			// the rest recognisable ("1prod" → "prod").
			if len(b) == 0 {
				continue
			}
		default:
			// Any run of other bytes (including multi-byte runes) becomes one
			// "-", never a leading one.
			if len(b) > 0 {
				dash = true
			}
			continue
		}
		if dash {
			b = append(b, '-')
			dash = false
		}
		b = append(b, c)
	}
	if len(b) > MaxLen {
		b = b[:MaxLen]
	}
	return strings.TrimRight(string(b), "-")
}

// Input is where Resolve looks for a stage, in order of precedence.
type Input struct {
	// Flag is the value of --stage; FlagSet says the flag was given at all.
	Flag    string
	FlagSet bool
	// Env is the value of SST_STAGE; EnvSet says the variable exists.
	Env    string
	EnvSet bool
	// ProjectDir holds the personal default in .sst/stage.
	ProjectDir string
}

// ErrEmpty is wrapped by the error for a stage given explicitly as "".
// A CI job that passes --stage "$STAGE" or sets SST_STAGE from a variable
// that is not defined gets "", and falling back to the user's default
// stage would deploy somewhere nobody asked for.
var ErrEmpty = errors.New("the stage is empty")

// Resolve picks the stage by precedence: the --stage flag, SST_STAGE, the
// trimmed contents of <ProjectDir>/.sst/stage, the current OS user's name
// sanitized, then Default. Explicit values (flag, env, file) are validated,
// never silently rewritten, and an error names where the bad value came
// from. A flag or variable that is given but empty is an error wrapping
// ErrEmpty, not a request for the next source. source is one of the
// Source* constants.
func Resolve(in Input) (stage, source string, err error) {
	switch {
	case in.FlagSet && in.Flag == "":
		return "", SourceFlag, fmt.Errorf(`--stage: %w (the flag was given as ""): pass a stage name (--stage dev), or leave the flag out to use $SST_STAGE, %s or your user name; in CI, check the variable the stage comes from`, ErrEmpty, File)
	case in.Flag != "":
		return explicit(in.Flag, SourceFlag, "--stage")
	case in.EnvSet && in.Env == "":
		return "", SourceEnv, fmt.Errorf(`SST_STAGE: %w (the variable is set to ""): set it to a stage name (SST_STAGE=dev), or unset it to use %s or your user name; in CI, check the variable or secret it comes from`, ErrEmpty, File)
	case in.Env != "":
		return explicit(in.Env, SourceEnv, "SST_STAGE")
	}
	path := filepath.Join(in.ProjectDir, filepath.FromSlash(File))
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if s := strings.TrimSpace(string(data)); s != "" {
			return explicit(s, SourceFile, path)
		}
	case !errors.Is(err, os.ErrNotExist):
		return "", SourceFile, fmt.Errorf("reading default stage: %w", err)
	}
	if s := Sanitize(userName()); s != "" {
		return s, SourceUser, nil
	}
	return Default, SourceDefault, nil
}

func explicit(name, source, origin string) (string, string, error) {
	if err := Validate(name); err != nil {
		return "", source, fmt.Errorf("%s: %w", origin, err)
	}
	return name, source, nil
}

// userName is a variable so tests do not depend on who runs them.
var userName = func() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		name := u.Username
		// Windows reports DOMAIN\user; the domain is the same for a whole team
		// and would only eat into the 32 characters.
		if i := strings.LastIndexByte(name, '\\'); i >= 0 {
			name = name[i+1:]
		}
		return name
	}
	return os.Getenv("USER")
}

// WriteDefault validates stage and saves it as the project's personal default
// in <projectDir>/.sst/stage, so later commands resolve it without a flag.
func WriteDefault(projectDir, stage string) error {
	if err := Validate(stage); err != nil {
		return err
	}
	path := filepath.Join(projectDir, filepath.FromSlash(File))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("saving default stage: %w", err)
	}
	// Write then rename so a concurrent Resolve never reads a half-written file.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".stage-*")
	if err != nil {
		return fmt.Errorf("saving default stage: %w", err)
	}
	_, werr := tmp.WriteString(stage + "\n")
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("saving default stage: %w", werr)
	}
	return nil
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
