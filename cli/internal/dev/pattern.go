package dev

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Pattern is an event filter pattern as Lambda's event filtering and
// EventBridge match it: every field of the pattern must match the event;
// a field's list matches when one of its values or matchers does.
type Pattern map[string]any

// ParsePattern reads a filter pattern, refusing matchers it cannot
// evaluate (so nothing is filtered on a guess).
func ParsePattern(s string) (Pattern, error) {
	var p map[string]any
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	if err := checkPattern("", p); err != nil {
		return nil, err
	}
	return p, nil
}

var matchers = []string{"prefix", "suffix", "anything-but", "numeric", "exists", "equals-ignore-case"}

func checkPattern(path string, p map[string]any) error {
	for k, v := range p {
		switch t := v.(type) {
		case map[string]any:
			if err := checkPattern(path+k+".", t); err != nil {
				return err
			}
		case []any:
			for _, item := range t {
				if m, ok := item.(map[string]any); ok {
					for op := range m {
						if !slices.Contains(matchers, op) {
							return fmt.Errorf("%s%s: matcher %q is not one sst dev evaluates (%s)", path, k, op, strings.Join(matchers, ", "))
						}
					}
				}
			}
		default:
			return fmt.Errorf("%s%s: a pattern's leaves are lists of values", path, k)
		}
	}
	return nil
}

// Match reports whether the event (decoded JSON) matches.
func (p Pattern) Match(event map[string]any) bool {
	for k, want := range p {
		v, present := event[k]
		switch w := want.(type) {
		case map[string]any:
			sub, ok := v.(map[string]any)
			if !ok {
				sub = map[string]any{}
			}
			if !Pattern(w).Match(sub) {
				return false
			}
		case []any:
			if !matchesAny(w, v, present) {
				return false
			}
		}
	}
	return true
}

// matchesAny: one of the allowed values or matchers matches the value
// (or, for a list value, one of its elements).
func matchesAny(allowed []any, v any, present bool) bool {
	values := []any{v}
	if l, ok := v.([]any); ok {
		values = l
	}
	for _, a := range allowed {
		if m, ok := a.(map[string]any); ok {
			if e, ok := m["exists"].(bool); ok {
				if e == present {
					return true
				}
				continue
			}
		}
		if !present {
			continue
		}
		for _, x := range values {
			if matchOne(a, x) {
				return true
			}
		}
	}
	return false
}

func matchOne(allowed, v any) bool {
	m, ok := allowed.(map[string]any)
	if !ok {
		return equal(allowed, v)
	}
	s, isStr := v.(string)
	for op, arg := range m {
		switch op {
		case "prefix":
			if a, ok := arg.(string); !ok || !isStr || !strings.HasPrefix(s, a) {
				return false
			}
		case "suffix":
			if a, ok := arg.(string); !ok || !isStr || !strings.HasSuffix(s, a) {
				return false
			}
		case "equals-ignore-case":
			if a, ok := arg.(string); !ok || !isStr || !strings.EqualFold(s, a) {
				return false
			}
		case "anything-but":
			switch a := arg.(type) {
			case []any:
				if slices.ContainsFunc(a, func(x any) bool { return equal(x, v) }) {
					return false
				}
			case map[string]any:
				if matchOne(a, v) {
					return false
				}
			default:
				if equal(a, v) {
					return false
				}
			}
		case "numeric":
			n, ok := v.(float64)
			a, _ := arg.([]any)
			if !ok || !numeric(a, n) {
				return false
			}
		}
	}
	return true
}

// numeric evaluates ["<", 10, ">=", 2]-style conditions, all of which
// must hold.
func numeric(conds []any, n float64) bool {
	if len(conds) == 0 || len(conds)%2 != 0 {
		return false
	}
	for i := 0; i < len(conds); i += 2 {
		op, _ := conds[i].(string)
		x, ok := conds[i+1].(float64)
		if !ok {
			return false
		}
		var hold bool
		switch op {
		case "<":
			hold = n < x
		case "<=":
			hold = n <= x
		case "=":
			hold = n == x
		case ">":
			hold = n > x
		case ">=":
			hold = n >= x
		}
		if !hold {
			return false
		}
	}
	return true
}

// equal compares JSON values as EventBridge does: strings, numbers (by
// value), booleans and null.
func equal(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nil:
		return b == nil
	}
	return false
}
