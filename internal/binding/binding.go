// Package binding is the contract between a construct bound to a function
// and the code running in that function: the environment variables binding
// sets and where SSM-backed values live.
//
// A bound property travels as SST_{Type}_{prop}_{id}, SST v2's format, so
// SST v2's Node client reads the variables this module's constructs set:
// SST_Table_tableName_Notes, SST_Api_url_Api, SST_Secret_value_STRIPE_KEY.
// Type and prop never contain "_"; the id part is the construct id with
// every byte outside [A-Za-z0-9_] replaced by "_" (construct ids are ASCII,
// so that is one "_" per character).
//
// The constructs write these names, the runtime package reads them inside
// every Go Lambda, and `sst types` generates accessors for them: all three
// go through this package, which imports only the standard library because
// the runtime side is compiled into every function.
package binding

import "strings"

// Variables every function gets besides its bindings.
const (
	// EnvApp is the app's name.
	EnvApp = "SST_APP"
	// EnvStage is the stage the function is deployed to.
	EnvStage = "SST_STAGE"
	// EnvSSMPrefix is SSMPrefix(app, stage): where the stage's secrets and
	// SSM-backed values live.
	EnvSSMPrefix = "SST_SSM_PREFIX"
)

// envPrefix starts every binding variable.
const envPrefix = "SST_"

// SSMPlaceholder is a binding value meaning "the real value is in SSM at
// SSMPath": secrets, never put into the environment. It is SST v2's
// placeholder, so SST v2's Node client fetches it too.
const SSMPlaceholder = "__FETCH_FROM_SSM__"

// Var is one bound property, as found in a variable name.
type Var struct {
	// Type is SST's construct type name: "Table", "Api", "Secret", …
	Type string
	// Prop is the property: "tableName", "url", "value", …
	Prop string
	// ID is the construct id in its variable form (see EnvID).
	ID string
}

// EnvName is the variable that carries prop of the construct typ/id.
func EnvName(typ, prop, id string) string {
	return envPrefix + typ + "_" + prop + "_" + EnvID(id)
}

// EnvID is the id part of a binding variable: every byte outside
// [A-Za-z0-9_] becomes "_", so "my-table" gives "my_table". It works per
// byte (a multi-byte character gives several "_") so the result has the
// id's length; construct ids are ASCII, where bytes and characters agree.
func EnvID(id string) string {
	b := []byte(id)
	for i, c := range b {
		if !envByte(c) {
			b[i] = '_'
		}
	}
	return string(b)
}

func envByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// Parse splits a variable name SST_{Type}_{prop}_{id}; ok is false for
// names that are not binding variables, among them EnvApp, EnvStage and
// EnvSSMPrefix. Type and prop end at the first "_" after them; the id is
// the rest and may hold "_".
func Parse(name string) (v Var, ok bool) {
	rest, ok := strings.CutPrefix(name, envPrefix)
	if !ok {
		return Var{}, false
	}
	parts := strings.SplitN(rest, "_", 3)
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return Var{}, false
	}
	return Var{Type: parts[0], Prop: parts[1], ID: parts[2]}, true
}

// SSMPrefix is the Parameter Store path under which a stage of an app
// keeps its secrets and SSM-backed values, ending in "/"; functions get
// it as EnvSSMPrefix.
func SSMPrefix(app, stage string) string {
	return "/sst/" + ssmSegment(app) + "/" + ssmSegment(stage) + "/"
}

// SSMPath is the parameter holding prop of the construct typ/id under
// prefix (an SSMPrefix), e.g. "/sst/notes/dev/Secret/StripeKey/value".
// Characters Parameter Store rejects become "-".
func SSMPath(prefix, typ, id, prop string) string {
	return prefix + ssmSegment(typ) + "/" + ssmSegment(id) + "/" + ssmSegment(prop)
}

// FallbackPrefix is where an app keeps the values every stage without
// its own falls back to (`sst secrets set --fallback`).
func FallbackPrefix(app string) string { return SSMPrefix(app, ".fallback") }

func ssmSegment(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !envByte(c) && c != '-' && c != '.' {
			b[i] = '-'
		}
	}
	return string(b)
}
