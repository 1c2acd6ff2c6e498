// Package route parses API Gateway v2 HTTP route keys ("GET /notes/{id}",
// "$default") so a bad key fails at synthesis with a useful message instead
// of as a BadRequestException in the middle of terraform apply.
package route

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Key is a parsed route key.
type Key struct {
	Method  string // upper-case, e.g. "GET" or "ANY"; "" when Default
	Path    string // starts with "/"; "" when Default
	Default bool   // the "$default" catch-all route
}

// DefaultKey is the catch-all route key.
const DefaultKey = "$default"

// Methods lists the methods a route key may use, in the order error
// messages show them.
var Methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"}

// String is the canonical key API Gateway expects: "GET /notes/{id}" or
// "$default".
func (k Key) String() string {
	if k.Default {
		return DefaultKey
	}
	return k.Method + " " + k.Path
}

// Error reports an invalid route key.
type Error struct {
	Key     string
	Problem string
}

func (e *Error) Error() string { return fmt.Sprintf("route %q: %s", e.Key, e.Problem) }

// Parse validates a route key. Like SST v2 it accepts several spaces or
// tabs between method and path (route tables are often column-aligned);
// Key.String gives the single-space form API Gateway requires.
func Parse(key string) (Key, error) {
	fail := func(format string, args ...any) (Key, error) {
		return Key{}, &Error{Key: key, Problem: fmt.Sprintf(format, args...)}
	}
	if key == DefaultKey {
		return Key{Default: true}, nil
	}
	if strings.EqualFold(key, DefaultKey) {
		return fail("the catch-all route is spelled %q", DefaultKey)
	}
	method, rest, ok := strings.Cut(key, " ")
	if m, r, tab := strings.Cut(key, "\t"); tab && (!ok || len(m) < len(method)) {
		method, rest, ok = m, r, true
	}
	if !ok || method == "" {
		if strings.HasPrefix(key, "/") {
			return fail(`missing method: write it as "GET %s" (or ANY for every method)`, strings.TrimSpace(key))
		}
		return fail(`expected "METHOD /path" (e.g. "GET /notes/{id}") or %q`, DefaultKey)
	}
	path := strings.TrimLeft(rest, " \t")
	if !isMethod(method) {
		if up := strings.ToUpper(method); isMethod(up) {
			return fail("method %q must be upper-case: use %q", method, up)
		}
		return fail("unknown method %q (use one of %s, or %q)", method, strings.Join(Methods, ", "), DefaultKey)
	}
	if path == "" {
		return fail(`missing path after %q (e.g. "%s /notes")`, method, method)
	}
	if strings.ContainsAny(path, " \t") {
		return fail("path %q contains whitespace", path)
	}
	if path[0] != '/' {
		return fail("path %q must start with \"/\"", path)
	}
	if _, err := params(path); err != "" {
		return fail("%s", err)
	}
	return Key{Method: method, Path: path}, nil
}

// MustParse is Parse for keys known to be valid at compile time.
func MustParse(key string) Key {
	k, err := Parse(key)
	if err != nil {
		panic(err)
	}
	return k
}

func isMethod(m string) bool {
	for _, x := range Methods {
		if m == x {
			return true
		}
	}
	return false
}

// Params lists the path parameter names of k in order, without braces or
// the greedy "+": "GET /users/{userId}/files/{path+}" → [userId path].
func Params(k Key) []string {
	if k.Default {
		return nil
	}
	names, _ := params(k.Path)
	return names
}

// params checks every segment of path (which starts with "/") and returns
// its parameter names, or a description of the first problem.
func params(path string) ([]string, string) {
	if path == "/" {
		return nil, ""
	}
	segs := strings.Split(path[1:], "/")
	var names []string
	seen := map[string]bool{}
	for i, seg := range segs {
		if seg == "" {
			return nil, fmt.Sprintf(`path %q has an empty segment (remove the trailing "/" or doubled "//")`, path)
		}
		if seg[0] != '{' && seg[len(seg)-1] != '}' {
			if bad := badLiteralChar(seg); bad != "" {
				return nil, fmt.Sprintf(`segment %q: %q is not allowed in a path (use letters, digits, ".", "_", "~", "-", or a whole-segment parameter like "{id}")`, seg, bad)
			}
			continue
		}
		if seg[0] != '{' || seg[len(seg)-1] != '}' || len(seg) < 2 {
			return nil, fmt.Sprintf(`segment %q: a path parameter must be a whole segment, like "{id}"`, seg)
		}
		name := seg[1 : len(seg)-1]
		greedy := strings.HasSuffix(name, "+")
		if greedy {
			name = name[:len(name)-1]
			if i != len(segs)-1 {
				return nil, fmt.Sprintf("greedy parameter %q must be the last segment of the path", seg)
			}
		}
		if !isParamName(name) {
			return nil, fmt.Sprintf(`segment %q: parameter name %q must match [A-Za-z_][A-Za-z0-9_]*`, seg, name)
		}
		if seen[name] {
			return nil, fmt.Sprintf("parameter %q appears more than once; give each parameter its own name", name)
		}
		seen[name] = true
		names = append(names, name)
	}
	return names, ""
}

func badLiteralChar(seg string) string {
	for _, r := range seg {
		if r < 0x80 && (isAlnum(byte(r)) || strings.ContainsRune("._~-", r)) {
			continue
		}
		return string(r)
	}
	return ""
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isParamName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) && s[i] != '_' {
			return false
		}
	}
	return true
}

// Slug is a construct-id-safe form of k, [A-Za-z0-9_] only: the method and
// the path's segments joined by "_", braces dropped.
//
//	"GET /notes/{id}" → "GET_notes_id"
//	"ANY /{proxy+}"   → "ANY_proxy"
//	"GET /"           → "GET"
//	"$default"        → "default"
//
// Distinct keys always get distinct slugs, and a key's slug never changes
// (it names Terraform resources, so a change would replace them). Dropping
// braces and punctuation loses information ("/notes/id" reads like
// "/notes/{id}"), so each readable slug is read back one fixed way: segments
// are literal, except a segment named "id" or ending in "Id"/"ID" is a
// parameter and a last segment named "proxy" is the greedy "{proxy+}". A key
// that does not read back as itself gets "__" and 8 hex digits of the hash of
// its canonical form appended ("GET /notes/{slug}" →
// "GET_notes_slug__1a2b3c4d"). Readable slugs never contain "__", so the two
// kinds cannot meet.
func Slug(k Key) string {
	if k.Default {
		return "default"
	}
	var b strings.Builder
	method := idSafe(k.Method)
	b.WriteString(method)
	// Keys that did not come from Parse must not borrow a valid key's slug.
	exact := isMethod(k.Method) && strings.HasPrefix(k.Path, "/")
	segs := []string{}
	if k.Path != "/" {
		segs = strings.Split(strings.TrimPrefix(k.Path, "/"), "/")
	}
	for i, seg := range segs {
		name, param, greedy := seg, false, false
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") && len(seg) >= 2 {
			name, param = seg[1:len(seg)-1], true
			if strings.HasSuffix(name, "+") {
				name, greedy = name[:len(name)-1], true
			}
		}
		token := idSafe(name)
		if token != name || strings.Contains(name, "_") || token == "" {
			exact = false
		}
		last := i == len(segs)-1
		readGreedy := last && token == "proxy"
		readParam := !readGreedy && looksLikeParam(token)
		if greedy != readGreedy || (param && !greedy) != readParam {
			exact = false
		}
		b.WriteByte('_')
		b.WriteString(token)
	}
	if exact {
		return b.String()
	}
	h := sha256.Sum256([]byte(k.String()))
	return b.String() + "__" + hex.EncodeToString(h[:])[:8]
}

func looksLikeParam(token string) bool {
	return token == "id" || strings.HasSuffix(token, "Id") || strings.HasSuffix(token, "ID")
}

func idSafe(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !isAlnum(c) && c != '_' {
			b[i] = '_'
		}
	}
	return string(b)
}
