package tf

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/sst-tf/sst/internal/tfconfig"
)

// Diagnostic is an error or warning terraform reported.
type Diagnostic struct {
	Severity string // "error" or "warning"
	Summary  string
	Detail   string
	Address  string // resource the diagnostic is about, when known
	File     string // configuration file, e.g. cdk.tf.json
	Line     int
}

func (d Diagnostic) text() string {
	if d.Detail == "" {
		return d.Summary
	}
	return d.Summary + ": " + d.Detail
}

// Error is a failed terraform command. Diagnostics hold everything terraform
// reported; Error() is one line meant for a person.
type Error struct {
	Op          string // init, workspace, plan, apply, destroy, output, state list, state rm, force-unlock
	Dir         string
	Diagnostics []Diagnostic
	Err         error // the process error; errors.Is(err, context.Canceled) after cancellation
	// Hint says what to do, when the failure is one we recognize.
	Hint string
}

// Error reads "apply failed: aws_lambda_function.x: <summary>: <first line of detail>".
func (e *Error) Error() string {
	if errors.Is(e.Err, context.Canceled) || errors.Is(e.Err, context.DeadlineExceeded) {
		return fmt.Sprintf("%s interrupted: %v", e.Op, e.Err)
	}
	errs := errorDiagnostics(e.Diagnostics)
	if len(errs) == 0 {
		return fmt.Sprintf("%s failed: %s", e.Op, firstLine(errString(e.Err)))
	}
	d := errs[0]
	parts := []string{e.Op + " failed"}
	if d.Address != "" {
		parts = append(parts, d.Address)
	}
	parts = append(parts, d.Summary)
	if line := firstLine(d.Detail); line != "" {
		parts = append(parts, line)
	}
	msg := strings.Join(parts, ": ")
	if n := len(errs) - 1; n == 1 {
		msg += " (and 1 more error)"
	} else if n > 1 {
		msg += fmt.Sprintf(" (and %d more errors)", n)
	}
	if e.Hint != "" {
		msg += "\n  " + e.Hint
	}
	return msg
}

// registryHint is what to do when terraform init cannot reach the provider
// registry (no internet, a proxy, DNS): install providers from a mirror.
func registryHint(diags []Diagnostic) string {
	for _, d := range errorDiagnostics(diags) {
		for host, name := range map[string]string{tfconfig.TerraformRegistry: "Terraform", tfconfig.OpenTofuRegistry: "OpenTofu"} {
			if strings.Contains(d.Detail, "could not connect to "+host) {
				return "the " + name + " registry is unreachable from here: " + tfconfig.NoMirrorHint()
			}
		}
	}
	return ""
}

// emulatorGap matches what the AWS SDK reports when moto_server lacks an
// action: after its retries, a 500 whose body is moto's HTML error page,
// which neither the JSON nor the XML protocols' decoders can read (real
// AWS errors always decode), or moto's own "not implemented" text.
var (
	emulatorGap    = regexp.MustCompile(`operation error [^:]+: (\w+), exceeded maximum number of attempts, \d+, https response error StatusCode: 500.*(invalid character '<'|error while deserializing xml error response)`)
	notImplemented = regexp.MustCompile(`The (\w+) action has not been implemented`)
)

// emulatorHint names the resource and the action the emulator lacks, so a
// gap in the emulator is not mistaken for a bug in the app.
func emulatorHint(diags []Diagnostic) string {
	for _, d := range errorDiagnostics(diags) {
		text := d.Summary + " " + d.Detail
		m := emulatorGap.FindStringSubmatch(text)
		if m == nil {
			m = notImplemented.FindStringSubmatch(text)
		}
		if m == nil {
			continue
		}
		what := "this resource"
		if d.Address != "" {
			what = d.Address
		}
		return fmt.Sprintf("the emulator does not implement %s, which %s needs: leave that resource out on the emulator (README: \"Known emulator differences\") or deploy it to real AWS", m[1], what)
	}
	return ""
}

func (e *Error) Unwrap() error { return e.Err }

// LockError means another terraform run holds the state lock of the stack,
// or one that died left it behind.
type LockError struct {
	ID        string // pass to ForceUnlock
	Who       string // user@host that holds it
	Operation string // e.g. OperationTypeApply
	Created   string
	Path      string // the locked state
	Workspace string // the stage whose state is locked, when known
	Command   string // the engine's command, terraform or tofu ("" is terraform)
	Err       error  // the *Error with terraform's diagnostics
}

func (e *LockError) Error() string {
	var b strings.Builder
	b.WriteString("the state is locked")
	if e.Who != "" {
		b.WriteString(" by " + e.Who)
	}
	var info []string
	if op := strings.TrimPrefix(e.Operation, "OperationType"); op != "" {
		info = append(info, "running "+strings.ToLower(op))
	}
	if e.Created != "" {
		info = append(info, "since "+e.Created)
	}
	if e.ID != "" {
		info = append(info, "lock ID "+e.ID)
	}
	if len(info) > 0 {
		b.WriteString(" (" + strings.Join(info, ", ") + ")")
	}
	stage := e.Workspace
	if stage == "" || stage == "default" {
		stage = "<stage>"
	}
	id := e.ID
	if id == "" {
		id = "<ID>"
	}
	command := e.Command
	if command == "" {
		command = "terraform"
	}
	fmt.Fprintf(&b, "; if no deploy is running any more, release it with `sst unlock --stage %s` (or `sst unlock <stack> %s --stage %s`, or `%s force-unlock %s` in the stack directory)", stage, id, stage, command, id)
	return b.String()
}

func (e *LockError) Unwrap() error { return e.Err }

// lockError finds terraform's "Error acquiring the state lock" diagnostic and
// reads the lock info block from its detail, which every backend prints the
// same way:
//
//	Lock Info:
//	  ID:        0f9c…
//	  Path:      terraform.tfstate
//	  Operation: OperationTypeApply
//	  Who:       alice@laptop
//	  …
func lockError(diags []Diagnostic) *LockError {
	for _, d := range diags {
		if d.Severity != "error" || !strings.Contains(d.Summary, "Error acquiring the state lock") {
			continue
		}
		le := &LockError{}
		for _, line := range strings.Split(d.Detail, "\n") {
			k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
			if !ok {
				continue
			}
			v = strings.TrimSpace(v)
			switch k {
			case "ID":
				le.ID = v
			case "Who":
				le.Who = v
			case "Operation":
				le.Operation = v
			case "Created":
				le.Created = v
			case "Path":
				le.Path = v
			}
		}
		return le
	}
	return nil
}

var humanLocation = regexp.MustCompile(`^on (.+) line (\d+)`)

// parseHuman reads diagnostics from terraform's human (-no-color) stderr:
//
//	Error: <summary>
//
//	  on main.tf line 3, in resource "x" "y":
//	   3: ...
//
//	<detail>
//
// Commands without -json (state, workspace, force-unlock) only speak this.
// Text that has no "Error:" heading at all (e.g. "Failed to unlock state:
// LocalState not locked") becomes one error diagnostic.
func parseHuman(stderr string) []Diagnostic {
	var diags []Diagnostic
	var cur *Diagnostic
	var detail []string
	flush := func() {
		if cur != nil {
			cur.Detail = strings.TrimSpace(strings.Join(detail, "\n"))
			diags = append(diags, *cur)
		}
		cur, detail = nil, nil
	}
	for _, line := range strings.Split(stderr, "\n") {
		line = strings.TrimRight(line, "\r")
		// terraform draws a "│ " gutter around diagnostics on some terminals.
		line = strings.TrimPrefix(strings.TrimPrefix(line, "╷"), "│ ")
		switch {
		case strings.HasPrefix(line, "Error: "):
			flush()
			cur = &Diagnostic{Severity: "error", Summary: strings.TrimSpace(strings.TrimPrefix(line, "Error: "))}
		case strings.HasPrefix(line, "Warning: "):
			flush()
			cur = &Diagnostic{Severity: "warning", Summary: strings.TrimSpace(strings.TrimPrefix(line, "Warning: "))}
		case cur != nil:
			if m := humanLocation.FindStringSubmatch(strings.TrimSpace(line)); m != nil && cur.File == "" {
				cur.File = m[1]
				cur.Line, _ = strconv.Atoi(m[2])
				continue
			}
			if strings.HasPrefix(line, "╵") {
				continue
			}
			detail = append(detail, line)
		}
	}
	flush()
	if !hasError(diags) {
		if s := strings.TrimSpace(stderr); s != "" {
			// terraform wraps these messages at 80 columns: the first
			// paragraph, unwrapped, is the summary.
			para, rest, _ := strings.Cut(s, "\n\n")
			summary := strings.Join(strings.Fields(para), " ")
			diags = append(diags, Diagnostic{Severity: "error", Summary: summary, Detail: strings.TrimSpace(rest)})
		}
	}
	return diags
}

func errorDiagnostics(diags []Diagnostic) []Diagnostic {
	var out []Diagnostic
	for _, d := range diags {
		if d.Severity == "error" {
			out = append(out, d)
		}
	}
	return out
}

func hasError(diags []Diagnostic) bool { return len(errorDiagnostics(diags)) > 0 }

func errString(err error) string {
	if err == nil {
		return "unknown error"
	}
	return err.Error()
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}

// staleHint is what to do when terraform refuses a saved plan because the
// state changed after it was made (another apply ran in between).
func staleHint(diags []Diagnostic) string {
	for _, d := range errorDiagnostics(diags) {
		if d.Summary == "Saved plan is stale" {
			return "the state changed after this plan was made (another deploy ran since): make a new plan (`sst diff --out DIR`), review it, and deploy that"
		}
	}
	return ""
}

// importHint explains an import block whose id names nothing: the id is
// looked up in the account, region and endpoint the stack deploys to.
func importHint(diags []Diagnostic) string {
	for _, d := range errorDiagnostics(diags) {
		if d.Summary == "Cannot import non-existent remote object" {
			what := "the resource"
			if d.Address != "" {
				what = d.Address
			}
			return fmt.Sprintf("no such resource for %s where this stage deploys (its account, region and endpoint): check the id given to `sst import` (a table or bucket name, a queue name or URL, a user pool id); nothing was imported", what)
		}
	}
	return ""
}
