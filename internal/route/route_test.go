package route

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestParseValid(t *testing.T) {
	tests := []struct {
		key    string
		want   Key
		canon  string
		params []string
	}{
		{"$default", Key{Default: true}, "$default", nil},
		{"GET /", Key{Method: "GET", Path: "/"}, "GET /", nil},
		{"GET /notes", Key{Method: "GET", Path: "/notes"}, "GET /notes", nil},
		{"POST /notes", Key{Method: "POST", Path: "/notes"}, "POST /notes", nil},
		{"PUT /notes/{id}", Key{Method: "PUT", Path: "/notes/{id}"}, "PUT /notes/{id}", []string{"id"}},
		{"PATCH /a/b/c", Key{Method: "PATCH", Path: "/a/b/c"}, "PATCH /a/b/c", nil},
		{"DELETE /notes/{id}", Key{Method: "DELETE", Path: "/notes/{id}"}, "DELETE /notes/{id}", []string{"id"}},
		{"HEAD /health", Key{Method: "HEAD", Path: "/health"}, "HEAD /health", nil},
		{"OPTIONS /x", Key{Method: "OPTIONS", Path: "/x"}, "OPTIONS /x", nil},
		{"ANY /{proxy+}", Key{Method: "ANY", Path: "/{proxy+}"}, "ANY /{proxy+}", []string{"proxy"}},
		{"GET /users/{userId}/files/{path+}", Key{Method: "GET", Path: "/users/{userId}/files/{path+}"}, "GET /users/{userId}/files/{path+}", []string{"userId", "path"}},
		{"GET /v1.0/a_b/~x/a-b", Key{Method: "GET", Path: "/v1.0/a_b/~x/a-b"}, "GET /v1.0/a_b/~x/a-b", nil},
		{"GET /{_p}/{a1}", Key{Method: "GET", Path: "/{_p}/{a1}"}, "GET /{_p}/{a1}", []string{"_p", "a1"}},
		// SST v2 route tables are column-aligned; extra blanks are accepted
		// and the canonical form has one space.
		{"GET    /notes", Key{Method: "GET", Path: "/notes"}, "GET /notes", nil},
		{"DELETE\t/notes", Key{Method: "DELETE", Path: "/notes"}, "DELETE /notes", nil},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got, err := Parse(tt.key)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.key, err)
			}
			if got != tt.want {
				t.Errorf("Parse(%q) = %+v, want %+v", tt.key, got, tt.want)
			}
			if s := got.String(); s != tt.canon {
				t.Errorf("String() = %q, want %q", s, tt.canon)
			}
			if p := Params(got); !reflect.DeepEqual(p, tt.params) {
				t.Errorf("Params = %#v, want %#v", p, tt.params)
			}
			again, err := Parse(got.String())
			if err != nil || again != got {
				t.Errorf("canonical form does not round-trip: %+v, %v", again, err)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ key, want string }{
		{"GETT /x", `route "GETT /x": unknown method "GETT" (use one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY, or "$default")`},
		{"GET notes", `route "GET notes": path "notes" must start with "/"`},
		{"get /x", `route "get /x": method "get" must be upper-case: use "GET"`},
		{"Any /x", `method "Any" must be upper-case: use "ANY"`},
		{"$DEFAULT", `the catch-all route is spelled "$default"`},
		{"default", `expected "METHOD /path"`},
		{"", `expected "METHOD /path"`},
		{"GET", `expected "METHOD /path"`},
		{"/notes", `missing method: write it as "GET /notes"`},
		{" GET /x", `expected "METHOD /path"`},
		{"GET ", `missing path after "GET"`},
		{"GET /x ", `path "/x " contains whitespace`},
		{"GET /a b", `contains whitespace`},
		{"GET /notes/", `path "/notes/" has an empty segment`},
		{"GET //notes", `has an empty segment`},
		{"GET /a//b", `has an empty segment`},
		{"GET /{proxy+}/x", `greedy parameter "{proxy+}" must be the last segment`},
		{"GET /{1id}", `parameter name "1id" must match [A-Za-z_][A-Za-z0-9_]*`},
		{"GET /{my-id}", `parameter name "my-id"`},
		{"GET /{}", `parameter name ""`},
		{"GET /{+}", `parameter name ""`},
		{"GET /{id}/x/{id}", `parameter "id" appears more than once`},
		{"GET /{id}/{id+}", `parameter "id" appears more than once`},
		{"GET /a{id}", `segment "a{id}": a path parameter must be a whole segment`},
		{"GET /{id}a", `a path parameter must be a whole segment`},
		{"GET /{id", `a path parameter must be a whole segment`},
		{"GET /a{b}c", `"{" is not allowed`},
		{"GET /notes?x=1", `"?" is not allowed`},
		{"GET /café", `"é" is not allowed`},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			_, err := Parse(tt.key)
			if err == nil {
				t.Fatalf("Parse(%q) = nil error, want %q", tt.key, tt.want)
			}
			var re *Error
			if !errors.As(err, &re) || re.Key != tt.key {
				t.Errorf("error %#v is not a *Error for the key", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%q) error\n got %s\nwant %s", tt.key, err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), `route "`) {
				t.Errorf("error does not name the route: %s", err)
			}
		})
	}
}

func TestMustParse(t *testing.T) {
	if MustParse("GET /x").Path != "/x" {
		t.Fatal("MustParse")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("MustParse of a bad key did not panic")
		}
	}()
	MustParse("nope")
}

func TestParamsDefault(t *testing.T) {
	if p := Params(Key{Default: true}); p != nil {
		t.Errorf("Params($default) = %v", p)
	}
}

var slugAlphabet = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

func TestSlug(t *testing.T) {
	tests := []struct{ key, want string }{
		{"$default", "default"},
		{"GET /", "GET"},
		{"GET /notes", "GET_notes"},
		{"GET /notes/{id}", "GET_notes_id"},
		{"ANY /{proxy+}", "ANY_proxy"},
		{"GET /users/{userId}/notes/{noteID}", "GET_users_userId_notes_noteID"},
		{"POST /notes/{id}/comments", "POST_notes_id_comments"},
		{"GET /api/v1/notes", "GET_api_v1_notes"},
	}
	for _, tt := range tests {
		if got := Slug(MustParse(tt.key)); got != tt.want {
			t.Errorf("Slug(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestSlugHashesAmbiguousKeys(t *testing.T) {
	// Each group reads the same once braces and punctuation are dropped.
	groups := [][]string{
		{"GET /notes/{id}", "GET /notes/id"},
		{"ANY /{proxy+}", "ANY /{proxy}", "ANY /proxy"},
		{"GET /notes", "GET /{notes}"},
		{"GET /a/b", "GET /a_b", "GET /a-b", "GET /a.b", "GET /{a_b}", "GET /a~b"},
		{"GET /files/{path+}", "GET /files/{path}", "GET /files/path"},
		{"GET /{userId}", "GET /userId"},
	}
	for _, g := range groups {
		seen := map[string]string{}
		clean := 0
		for _, key := range g {
			s := Slug(MustParse(key))
			if !slugAlphabet.MatchString(s) {
				t.Errorf("Slug(%q) = %q has characters outside [A-Za-z0-9_]", key, s)
			}
			if prev, ok := seen[s]; ok {
				t.Errorf("Slug(%q) = Slug(%q) = %q", key, prev, s)
			}
			seen[s] = key
			if !strings.Contains(s, "__") {
				clean++
			}
		}
		if clean > 1 {
			t.Errorf("group %v has %d unhashed slugs: %v", g, clean, seen)
		}
	}
	if got := Slug(MustParse("GET /notes/{slug}")); !regexp.MustCompile(`^GET_notes_slug__[0-9a-f]{8}$`).MatchString(got) {
		t.Errorf("Slug = %q", got)
	}
}

func TestSlugOfHandBuiltKeys(t *testing.T) {
	// Keys not made by Parse must not take a parsed key's slug.
	valid := Slug(MustParse("GET /x"))
	for _, k := range []Key{{Method: "GET", Path: "x"}, {Method: "get", Path: "/x"}, {Method: "GET_", Path: "/x"}, {Method: "GET", Path: ""}} {
		s := Slug(k)
		if s == valid || !slugAlphabet.MatchString(s) {
			t.Errorf("Slug(%+v) = %q", k, s)
		}
	}
}

func TestSlugDistinctAcrossMethods(t *testing.T) {
	seen := map[string]string{}
	for _, m := range Methods {
		for _, p := range []string{"/", "/notes", "/notes/{id}", "/{proxy+}"} {
			k := MustParse(m + " " + p)
			s := Slug(k)
			if prev, ok := seen[s]; ok {
				t.Errorf("%q and %q share slug %q", prev, k, s)
			}
			seen[s] = k.String()
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"GET /notes/{id}", "$default", "ANY /{proxy+}", "GETT /x", "GET notes", "GET /{a}/{a}", "GET    /x", "GET /a{b}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		k, err := Parse(key)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "route ") {
				t.Fatalf("error does not name the route: %v", err)
			}
			return
		}
		canon := k.String()
		again, err := Parse(canon)
		if err != nil || again != k {
			t.Fatalf("Parse(%q) → %q does not round-trip: %+v %v", key, canon, again, err)
		}
		if !k.Default && strings.Count(canon, " ") != 1 {
			t.Fatalf("canonical %q must have exactly one space", canon)
		}
		s := Slug(k)
		if !slugAlphabet.MatchString(s) {
			t.Fatalf("Slug(%q) = %q", canon, s)
		}
		for _, p := range Params(k) {
			if !isParamName(p) {
				t.Fatalf("Params(%q) has %q", canon, p)
			}
		}
	})
}

// FuzzSlugUnique checks that two distinct valid keys never share a slug.
func FuzzSlugUnique(f *testing.F) {
	f.Add("GET /notes/{id}", "GET /notes/id")
	f.Add("ANY /{proxy+}", "ANY /proxy")
	f.Add("GET /a/b", "GET /a_b")
	f.Add("$default", "GET /default")
	f.Add("GET /", "GET /{notes}")
	f.Fuzz(func(t *testing.T, a, b string) {
		ka, err := Parse(a)
		if err != nil {
			return
		}
		kb, err := Parse(b)
		if err != nil || ka == kb {
			return
		}
		if Slug(ka) == Slug(kb) {
			t.Fatalf("%q and %q share slug %q", ka, kb, Slug(ka))
		}
	})
}
