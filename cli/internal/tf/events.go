package tf

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"time"
)

// Event is one step of a plan, apply or destroy, from terraform's
// machine-readable UI (https://developer.hashicorp.com/terraform/internals/machine-readable-ui).
type Event struct {
	// Kind is "planned", "drift", "start", "progress", "complete", "errored",
	// "summary", "diagnostic" or "output".
	Kind string
	// Address is the resource address (aws_lambda_function.Api_GET_notes_fn),
	// the output name for "output", or the diagnostic's resource if any.
	Address string
	// Action is create, update, delete, replace, read or noop (terraform
	// may add more, e.g. move, import, remove; they are passed through).
	Action   string
	Elapsed  time.Duration
	Message  string // human text: terraform's line, or diagnostic summary + detail
	Severity string // "error" or "warning", for diagnostics
}

// Change is one planned change to a resource.
type Change struct {
	Address string
	Action  string
	// Importing is the import id when the change adopts an existing
	// resource into the state (an import block), "" otherwise.
	Importing string
}

// Summary is the outcome of a plan, apply or destroy. Add, Change and Remove
// come from terraform's last change summary: for Apply and Destroy what was
// done, for Plan what would be.
type Summary struct {
	Add, Change, Remove int
	// Import counts resources adopted into the state by import blocks.
	Import  int
	Changes []Change // planned changes, in terraform's order
	// Drift lists resources changed (Action "update") or deleted
	// ("delete") outside Terraform since the last apply, as the refresh
	// before the plan found them: why a stack with no local changes can
	// still have changes planned.
	Drift    []Change
	Duration time.Duration
}

// uiMessage is the subset of a -json UI line this package reads.
type uiMessage struct {
	Level   string `json:"@level"`
	Message string `json:"@message"`
	Type    string `json:"type"`
	Change  *struct {
		Resource  resourceAddr `json:"resource"`
		Action    string       `json:"action"`
		Importing *struct {
			ID string `json:"id"`
		} `json:"importing"`
	} `json:"change"`
	Hook *struct {
		Resource resourceAddr `json:"resource"`
		Action   string       `json:"action"`
		Elapsed  float64      `json:"elapsed_seconds"`
	} `json:"hook"`
	Changes *struct {
		Add       int    `json:"add"`
		Change    int    `json:"change"`
		Remove    int    `json:"remove"`
		Import    int    `json:"import"`
		Operation string `json:"operation"`
	} `json:"changes"`
	Diagnostic *jsonDiagnostic `json:"diagnostic"`
	Outputs    map[string]struct {
		Sensitive bool            `json:"sensitive"`
		Action    string          `json:"action"`
		Value     json.RawMessage `json:"value"`
	} `json:"outputs"`
}

type resourceAddr struct {
	Addr string `json:"addr"`
}

type jsonDiagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Address  string `json:"address"`
	Range    *struct {
		Filename string `json:"filename"`
		Start    struct {
			Line int `json:"line"`
		} `json:"start"`
	} `json:"range"`
	Snippet *struct {
		Context string `json:"context"`
	} `json:"snippet"`
}

func (d *jsonDiagnostic) diagnostic() Diagnostic {
	out := Diagnostic{
		Severity: d.Severity,
		Summary:  d.Summary,
		Detail:   d.Detail,
		Address:  d.Address,
	}
	if d.Range != nil {
		out.File = d.Range.Filename
		out.Line = d.Range.Start.Line
	}
	// Configuration errors (bad references, unknown arguments) carry no
	// address, only the block they are in: "resource.aws_s3_bucket.b".
	if out.Address == "" && d.Snippet != nil {
		out.Address = blockAddress(d.Snippet.Context)
	}
	return out
}

// blockAddress turns a snippet context such as "resource.aws_s3_bucket.b" or
// "data.aws_iam_policy_document.p" into a resource address.
func blockAddress(ctx string) string {
	if rest, ok := strings.CutPrefix(ctx, "resource."); ok {
		return rest
	}
	if strings.HasPrefix(ctx, "data.") {
		return ctx
	}
	return ""
}

// parser is an io.Writer that decodes terraform's -json stream line by line
// and calls on for each event as it arrives.
type parser struct {
	on      func(Event)
	mu      sync.Mutex
	partial []byte
	diags   []Diagnostic
	changes []Change
	drift   []Change
	summary Summary
}

func newParser(on func(Event)) *parser {
	if on == nil {
		on = func(Event) {}
	}
	return &parser{on: on}
}

func (p *parser) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(b)
	if len(p.partial) > 0 {
		b = append(p.partial, b...)
		p.partial = nil
	}
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			break
		}
		p.line(b[:i])
		b = b[i+1:]
	}
	if len(b) > 0 {
		p.partial = append([]byte(nil), b...)
	}
	return n, nil
}

func (p *parser) line(b []byte) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return
	}
	var m uiMessage
	if err := json.Unmarshal(b, &m); err != nil {
		// Not a UI message (e.g. terraform-exec's version probe); the
		// stream is advisory for progress, so skipping is safe.
		return
	}
	switch m.Type {
	case "planned_change", "resource_drift":
		if m.Change == nil {
			return
		}
		c := Change{Address: m.Change.Resource.Addr, Action: m.Change.Action}
		if m.Change.Importing != nil {
			c.Importing = m.Change.Importing.ID
		}
		kind := "planned"
		if m.Type == "resource_drift" {
			kind = "drift"
			p.drift = append(p.drift, c)
		} else {
			p.changes = append(p.changes, c)
		}
		p.on(Event{Kind: kind, Address: c.Address, Action: c.Action, Message: m.Message})
	case "apply_start", "apply_progress", "apply_complete", "apply_errored":
		if m.Hook == nil {
			return
		}
		kind := map[string]string{
			"apply_start":    "start",
			"apply_progress": "progress",
			"apply_complete": "complete",
			"apply_errored":  "errored",
		}[m.Type]
		p.on(Event{
			Kind:    kind,
			Address: m.Hook.Resource.Addr,
			Action:  m.Hook.Action,
			Elapsed: time.Duration(m.Hook.Elapsed * float64(time.Second)),
			Message: m.Message,
		})
	case "change_summary":
		if m.Changes == nil {
			return
		}
		p.summary.Add = m.Changes.Add
		p.summary.Change = m.Changes.Change
		p.summary.Remove = m.Changes.Remove
		p.summary.Import = m.Changes.Import
		p.on(Event{Kind: "summary", Message: m.Message})
	case "diagnostic":
		if m.Diagnostic == nil {
			return
		}
		d := m.Diagnostic.diagnostic()
		p.diags = append(p.diags, d)
		p.on(Event{Kind: "diagnostic", Address: d.Address, Severity: d.Severity, Message: d.text()})
	case "outputs":
		names := make([]string, 0, len(m.Outputs))
		for k := range m.Outputs {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			o := m.Outputs[k]
			ev := Event{Kind: "output", Address: k, Action: o.Action}
			if !o.Sensitive && len(o.Value) > 0 {
				ev.Message = string(o.Value)
			}
			p.on(ev)
		}
	}
}

// finish flushes a final line without newline and returns the summary.
func (p *parser) finish(start time.Time) *Summary {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.partial) > 0 {
		p.line(p.partial)
		p.partial = nil
	}
	s := p.summary
	s.Changes = append([]Change(nil), p.changes...)
	s.Drift = append([]Change(nil), p.drift...)
	s.Duration = time.Since(start)
	return &s
}

func (p *parser) diagnostics() []Diagnostic {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Diagnostic(nil), p.diags...)
}
