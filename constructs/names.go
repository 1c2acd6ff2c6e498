package sst

import (
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	goruntime "runtime"
	"strconv"
	"strings"

	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudfrontdistribution"

	"github.com/sst-tf/sst/constructs/internal/naming"
)

// describeOwner is how errors that name two constructs (physical name
// collisions) point at one: its type, id, stack and the line of the
// user's code that created it.
func describeOwner(s *Stack, typ, id string) string {
	where := "stack " + s.name
	if pos := userCaller(s.app.opts.ProjectDir); pos != "" {
		where += ", " + pos
	}
	return fmt.Sprintf("%s %q (%s)", typ, id, where)
}

// owner is the description of construct id recorded when it was claimed.
func (a *App) owner(id string) string {
	if d, ok := a.owners[id]; ok {
		return d
	}
	return strconv.Quote(id)
}

// thisPackage prefixes the function names of this package ("…/constructs.").
var thisPackage = reflect.TypeOf(App{}).PkgPath() + "."

// inPackage is whether f runs this package's own code (its tests count as
// the user's).
func inPackage(f goruntime.Frame) bool {
	return strings.HasPrefix(f.Function, thisPackage) && !strings.HasSuffix(f.File, "_test.go")
}

// position is f's file:line, relative to the project when inside it.
func position(projectDir string, f goruntime.Frame) string {
	file := f.File
	if rel, err := filepath.Rel(projectDir, file); err == nil && !strings.HasPrefix(rel, "..") {
		file = rel
	}
	return fmt.Sprintf("%s:%d", filepath.ToSlash(file), f.Line)
}

// userCaller is file:line of the innermost caller that is not this
// package's own code: where the app (or a test of this package) created
// the construct. Paths inside the project are relative to it.
func userCaller(projectDir string) string {
	pcs := make([]uintptr, 32)
	frames := goruntime.CallersFrames(pcs[:goruntime.Callers(2, pcs)])
	for {
		f, more := frames.Next()
		if f.Function != "" && !inPackage(f) {
			return position(projectDir, f)
		}
		if !more {
			return ""
		}
	}
}

// claim records the physical name a resource config ends up with, after
// the construct's Cdk hook had its say (a hook may rename the resource),
// for construct id; nil (the hook removed the name) claims nothing.
func (a *App) claim(k naming.Kind, name *string, id string) string {
	if name == nil {
		return ""
	}
	return a.names.Claim(k, *name, a.owner(id))
}

// claimNames claims the names newSiteBucket gave the site's asset bucket
// and origin access control, read back from the resources so the formula
// stays in one place.
func (b *siteBucket) claimNames(a *App, siteID string) {
	a.claim(naming.KindBucket, b.bucket.BucketInput(), siteID)
	a.claim(naming.KindCloudFrontOAC, b.oac.NameInput(), siteID)
}

// accessor matches a method of a construct as the runtime names it,
// "(*Table).Arn", after the package path.
var accessor = regexp.MustCompile(`^\(\*([A-Z]\w*)\)\.([A-Z]\w*)$`)

// nilConstruct recognizes the panic of the stack function calling a
// method (an accessor such as Arn, or AddRoutes) on a nil construct — one
// not built yet, typically held in a variable a later stack sets — and
// says so, with the line and what to do. ok is false for any other panic.
// It must run in the deferred function that recovered r, whose stack still
// holds the panicking frames.
func (s *Stack) nilConstruct(r any) (msg string, ok bool) {
	if !isNilPointer(r) {
		return "", false
	}
	pcs := make([]uintptr, 64)
	frames := goruntime.CallersFrames(pcs[:goruntime.Callers(0, pcs)])
	var method string
	for {
		f, more := frames.Next()
		own := inPackage(f)
		if !own && method != "" && f.Function != "" {
			// f called method, the outermost of this package's frames
			// below it: the user's call on the nil construct.
			m := accessor.FindStringSubmatch(method)
			if m == nil || m[1] == "App" || m[1] == "Stack" {
				return "", false
			}
			typ := "*sst." + m[1]
			return fmt.Sprintf("stack %s: %s: (%s).%s called on a nil %s: %s", s.name, position(s.app.opts.ProjectDir, f), typ, m[2], typ, notBuilt(s, typ)), true
		}
		if own && !strings.HasPrefix(f.Function, thisPackage+"(*Stack).") {
			method = strings.TrimPrefix(f.Function, thisPackage)
		} else if !own {
			method = ""
		}
		if !more {
			return "", false
		}
	}
}

// checkOriginIDs refuses a distribution with two origins of one id (a
// Cdk.Distribution hook can add origins): behaviours target origins by
// id, and CloudFront would only refuse it at apply time.
// A hook that sets the origins to a token is left to CloudFront.
func checkOriginIDs(a *App, where string, origin any) {
	origins, _ := origin.([]*cloudfrontdistribution.CloudfrontDistributionOrigin)
	seen := map[string]bool{}
	for _, o := range origins {
		if o == nil || o.OriginId == nil {
			continue
		}
		if id := *o.OriginId; seen[id] {
			a.errorf("%s: Cdk.Distribution: two origins have the id %q; origin ids must be unique in a distribution (the site's own are \"s3\", \"server\" and \"image\"): give the added origin another id", where, id)
		} else {
			seen[id] = true
		}
	}
}

// isNilPointer reports whether a recovered panic is a nil pointer
// dereference.
func isNilPointer(r any) bool {
	err, isErr := r.(goruntime.Error)
	return isErr && strings.Contains(err.Error(), "nil pointer dereference")
}
