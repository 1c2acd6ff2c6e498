package tf

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Sensitive and Unknown are how attribute values that must not or cannot
// be shown read, as in terraform's own plan.
const (
	Sensitive = "(sensitive value)"
	Unknown   = "(known after apply)"
)

// ResourceDiff is one resource's planned change with its attributes, from
// `terraform show -json` of a saved plan.
type ResourceDiff struct {
	Address string
	Action  string // create, update, delete, replace, read, noop
	Attrs   []AttrChange
}

// AttrChange is one leaf attribute that differs. Old is "" for a create,
// New is "" for a delete; a value is rendered as JSON, or as Sensitive or
// Unknown.
type AttrChange struct {
	Path string `json:"path"` // e.g. "tags.env", "environment[0].variables.FOO"
	Old  string `json:"old,omitempty"`
	New  string `json:"new,omitempty"`
}

// planJSON is the subset of terraform's JSON plan format this package reads
// (https://developer.hashicorp.com/terraform/internals/json-format).
type planJSON struct {
	ResourceChanges []struct {
		Address string `json:"address"`
		Mode    string `json:"mode"`
		Change  struct {
			Actions         []string `json:"actions"`
			Before          any      `json:"before"`
			After           any      `json:"after"`
			AfterUnknown    any      `json:"after_unknown"`
			BeforeSensitive any      `json:"before_sensitive"`
			AfterSensitive  any      `json:"after_sensitive"`
		} `json:"change"`
	} `json:"resource_changes"`
}

// ParsePlan reads `terraform show -json <planfile>` output into the
// resources it changes (no-ops left out), each with its differing leaf
// attributes. Sensitive values are never rendered, even when the plan
// holds them in clear.
func ParsePlan(b []byte) ([]ResourceDiff, error) {
	var p planJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("read terraform's JSON plan: %w", err)
	}
	var out []ResourceDiff
	for _, rc := range p.ResourceChanges {
		action := planAction(rc.Change.Actions)
		if action == "noop" || rc.Mode == "data" {
			continue
		}
		c := rc.Change
		d := ResourceDiff{Address: rc.Address, Action: action}
		walk("", side{c.Before, c.BeforeSensitive, nil}, side{c.After, c.AfterSensitive, c.AfterUnknown}, &d.Attrs)
		sort.Slice(d.Attrs, func(i, j int) bool { return d.Attrs[i].Path < d.Attrs[j].Path })
		out = append(out, d)
	}
	return out, nil
}

func planAction(actions []string) string {
	switch strings.Join(actions, ",") {
	case "delete,create", "create,delete":
		return "replace"
	case "", "no-op":
		return "noop"
	}
	return actions[0]
}

// side is one side of a change: the value and its parallel sensitive and
// unknown markers (true, or a structure of the value's shape).
type side struct {
	v, sensitive, unknown any
}

func (s side) child(k any) side {
	return side{index(s.v, k), index(s.sensitive, k), index(s.unknown, k)}
}

func index(v, k any) any {
	switch x := v.(type) {
	case map[string]any:
		if s, ok := k.(string); ok {
			return x[s]
		}
	case []any:
		if i, ok := k.(int); ok && i < len(x) {
			return x[i]
		}
	}
	return nil
}

// walk appends the differing leaves below path. Objects and lists present
// on both sides are compared element by element, so one changed tag is one
// line rather than the whole map twice.
func walk(path string, old, new side, out *[]AttrChange) {
	if old.sensitive == true || new.sensitive == true {
		if new.unknown == true || !equal(old.v, new.v) {
			*out = append(*out, AttrChange{Path: path, Old: render(old, false), New: render(new, true)})
		}
		return
	}
	if new.unknown == true {
		*out = append(*out, AttrChange{Path: path, Old: render(old, false), New: Unknown})
		return
	}
	om, oOK := old.v.(map[string]any)
	nm, nOK := new.v.(map[string]any)
	if oOK && nOK || oOK && new.v == nil || nOK && old.v == nil {
		keys := map[string]bool{}
		for k := range om {
			keys[k] = true
		}
		for k := range nm {
			keys[k] = true
		}
		if u, ok := new.unknown.(map[string]any); ok {
			for k := range u {
				keys[k] = true
			}
		}
		for k := range keys {
			walk(join(path, k), old.child(k), new.child(k), out)
		}
		return
	}
	ol, oOK := old.v.([]any)
	nl, nOK := new.v.([]any)
	if oOK && nOK || oOK && new.v == nil || nOK && old.v == nil {
		for i := 0; i < max(len(ol), len(nl)); i++ {
			walk(path+"["+strconv.Itoa(i)+"]", old.child(i), new.child(i), out)
		}
		return
	}
	if !equal(old.v, new.v) {
		*out = append(*out, AttrChange{Path: path, Old: render(old, false), New: render(new, true)})
	}
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// render shows a leaf value; "" stands for no value (null).
func render(s side, after bool) string {
	switch {
	case after && s.unknown == true:
		return Unknown
	case s.sensitive == true:
		if s.v == nil {
			return ""
		}
		return Sensitive
	case s.v == nil:
		return ""
	}
	// A whole structure beside "(known after apply)" says nothing useful,
	// may be long, and may hold values marked sensitive only elsewhere.
	switch s.v.(type) {
	case map[string]any:
		return "{…}"
	case []any:
		return "[…]"
	}
	b, err := json.Marshal(s.v)
	if err != nil {
		return fmt.Sprint(s.v)
	}
	return string(b)
}

func equal(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
