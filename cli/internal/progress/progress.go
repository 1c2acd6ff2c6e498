// Package progress renders terraform events as the lines a person watches
// during `sst deploy` and `sst remove`: one line per finished resource, a
// colored symbol on a terminal and a plain, grep-able form in CI logs.
package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/sst-tf/sst/cli/internal/tf"
)

// Style colors text on a terminal and leaves it alone elsewhere.
type Style struct{ Color bool }

func (s Style) wrap(code, t string) string {
	if !s.Color || t == "" {
		return t
	}
	return "\x1b[" + code + "m" + t + "\x1b[0m"
}

func (s Style) Bold(t string) string   { return s.wrap("1", t) }
func (s Style) Dim(t string) string    { return s.wrap("2", t) }
func (s Style) Red(t string) string    { return s.wrap("31", t) }
func (s Style) Green(t string) string  { return s.wrap("32", t) }
func (s Style) Yellow(t string) string { return s.wrap("33", t) }
func (s Style) Cyan(t string) string   { return s.wrap("36", t) }

// Printer serializes lines from stacks running in parallel so they never
// interleave mid-line.
type Printer struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	Style Style
	// width pads stack names so resource columns line up; 0 hides the
	// stack name (one stack: the header already says which).
	width int
}

// New returns a printer. tty selects the symbol-and-color format; color can
// still be turned off (NO_COLOR) with tty on.
func New(w io.Writer, tty, color bool, stacks []string) *Printer {
	p := &Printer{w: w, tty: tty, Style: Style{Color: color && tty}}
	if len(stacks) > 1 {
		for _, s := range stacks {
			p.width = max(p.width, len(s))
		}
	}
	return p
}

// Println writes one line atomically.
func (p *Printer) Println(a ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintln(p.w, a...)
}

// Printf writes formatted text atomically.
func (p *Printer) Printf(format string, a ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, format, a...)
}

// Handler returns the event callback for one stack.
func (p *Printer) Handler(stack string) func(tf.Event) {
	return func(e tf.Event) {
		if line := p.Format(stack, e); line != "" {
			p.Println(line)
		}
	}
}

// Format renders one event, or "" for events not worth a line.
func (p *Printer) Format(stack string, e tf.Event) string {
	s := p.Style
	name := ""
	if p.width > 0 {
		name = fmt.Sprintf("%-*s", p.width, stack)
	}
	elapsed := ""
	if e.Elapsed > 0 {
		elapsed = FormatDuration(e.Elapsed)
	}
	switch e.Kind {
	case "complete":
		if p.tty {
			return join("  "+s.Green("✓"), s.Bold(name), e.Address, PastTense(e.Action), s.Dim(elapsed))
		}
		return plain(stack, e.Address, PastTense(e.Action), elapsed)
	case "errored":
		msg := "failed"
		if e.Message != "" {
			msg = "failed: " + firstLine(e.Message)
		}
		if p.tty {
			return join("  "+s.Red("✗"), s.Bold(name), e.Address, s.Red(msg), s.Dim(elapsed))
		}
		return plain(stack, e.Address, msg, elapsed)
	case "progress":
		// Terraform reports every ~10s on slow resources (CloudFront,
		// RDS); without these lines a deploy looks hung.
		still := "still " + Progressive(e.Action)
		if p.tty {
			return join("  "+s.Dim("…"), s.Bold(name), e.Address, s.Dim(still), s.Dim(elapsed))
		}
		return plain(stack, e.Address, still, elapsed)
	case "drift":
		what := PastTense(e.Action) + " outside Terraform"
		if p.tty {
			return join("  "+s.Yellow("!"), s.Bold(name), e.Address, s.Yellow(what))
		}
		return plain(stack, e.Address, what, "")
	case "diagnostic":
		if e.Severity != "warning" || e.Message == "" {
			// Errors come back in tf.Error and are printed once, in full.
			return ""
		}
		if p.tty {
			return join("  "+s.Yellow("!"), s.Bold(name), s.Yellow("warning: "+firstLine(e.Message)))
		}
		return plain(stack, "", "warning: "+firstLine(e.Message), "")
	}
	return ""
}

func plain(stack, addr, what, elapsed string) string {
	var b strings.Builder
	b.WriteString(stack)
	b.WriteString(" |")
	if addr != "" {
		b.WriteString(" " + addr)
	}
	b.WriteString(" " + what)
	if elapsed != "" {
		b.WriteString(" (" + elapsed + ")")
	}
	return b.String()
}

func join(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "  ")
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

// PastTense turns a terraform action into what happened to the resource.
func PastTense(action string) string {
	switch action {
	case "create":
		return "created"
	case "update":
		return "updated"
	case "delete":
		return "deleted"
	case "replace", "delete-create", "create-delete":
		return "replaced"
	case "read":
		return "read"
	case "import":
		return "imported"
	case "", "noop":
		return "done"
	}
	return action
}

// Progressive is the -ing form of an action, for "still creating".
func Progressive(action string) string {
	switch action {
	case "create":
		return "creating"
	case "update":
		return "updating"
	case "delete":
		return "deleting"
	case "replace", "delete-create", "create-delete":
		return "replacing"
	case "read":
		return "reading"
	case "import":
		return "importing"
	}
	return "working"
}

// Symbol is the plan symbol for an action, as in terraform's own plan.
func Symbol(action string) string {
	switch action {
	case "create":
		return "+"
	case "update":
		return "~"
	case "delete":
		return "-"
	case "replace", "delete-create", "create-delete":
		return "-/+"
	case "read":
		return "<="
	case "import":
		return "<-"
	}
	return " "
}

// FormatDuration prints durations the way people read them: 0.4s, 2.1s,
// 1m05s.
func FormatDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	default:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
}
