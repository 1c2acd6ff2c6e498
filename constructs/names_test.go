package sst

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudfrontdistribution"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"

	"github.com/sst-tf/sst/constructs/internal/naming"
)

// TestPhysicalNameCollisions checks that two constructs whose generated
// physical names are one AWS resource fail the synth, naming both
// constructs (with the line that created each) and the shared name, and
// write nothing (synthErr checks that).
func TestPhysicalNameCollisions(t *testing.T) {
	bucket := func(id string) body {
		return func(s *Stack) any { return NewBucket(s, id, BucketProps{}) }
	}
	// A function id whose physical name, {stage}-{app}-{id}, is cut to 64
	// characters with a hash, and an id that is exactly the cut name's
	// id part: different ids, one Lambda function.
	long := "Handler" + strings.Repeat("x", 56)
	cut := strings.TrimPrefix(naming.Lambda("test", "notes", long), "test-notes-")
	routes := map[string]ApiRoute{"GET /": {Handler: nodeHandler}}

	tests := []struct {
		name   string
		bodies []body
		want   []string
	}{
		{
			name: "buckets differing in case, one stack",
			bodies: []body{func(s *Stack) any {
				NewBucket(s, "Uploads", BucketProps{})
				return NewBucket(s, "uploads", BucketProps{})
			}},
			want: []string{`Bucket "Uploads" (stack First, `, `Bucket "uploads" (stack First, `, `S3 bucket "test-notes-uploads"`, "names_test.go:", "rename one"},
		},
		{
			name:   "buckets differing in case, across stacks",
			bodies: []body{bucket("Uploads"), bucket("uploads")},
			want:   []string{`Bucket "Uploads" (stack First`, `Bucket "uploads" (stack Second`, `S3 bucket "test-notes-uploads"`},
		},
		{
			name:   "buckets differing in a dash and an underscore",
			bodies: []body{bucket("Uploads_2"), bucket("uploads-2")},
			want:   []string{`Bucket "Uploads_2"`, `Bucket "uploads-2"`, `S3 bucket "test-notes-uploads-2"`},
		},
		{
			name: "a long name cut with a hash and an id equal to the cut name",
			bodies: []body{func(s *Stack) any {
				NewFunction(s, long, FunctionProps{Handler: nodeHandler})
				return NewFunction(s, cut, FunctionProps{Handler: nodeHandler})
			}},
			want: []string{`Function "` + long + `"`, `Function "` + cut + `"`, `Lambda function "test-notes-` + cut + `"`},
		},
		{
			name: "functions differing in case share an IAM role",
			bodies: []body{func(s *Stack) any {
				NewFunction(s, "Worker", FunctionProps{Handler: nodeHandler})
				return nil
			}, func(s *Stack) any {
				return NewFunction(s, "worker", FunctionProps{Handler: nodeHandler})
			}},
			want: []string{`Function "Worker" (stack First`, `Function "worker" (stack Second`, `IAM role "test-notes-Worker" (and "test-notes-worker": IAM role names ignore case)`},
		},
		{
			name: "a bucket and a site's asset bucket",
			bodies: []body{func(s *Stack) any {
				NewStaticSite(s, "Docs", StaticSiteProps{Path: "site/public"})
				return NewBucket(s, "docs_assets", BucketProps{})
			}},
			want: []string{`StaticSite "Docs"`, `Bucket "docs_assets"`, `S3 bucket "test-notes-docs-assets"`},
		},
		{
			name: "a route function and a function differing in case",
			bodies: []body{func(s *Stack) any {
				NewApi(s, "Api", ApiProps{Routes: map[string]ApiRoute{"GET /jobs": {Handler: nodeHandler}}})
				return NewFunction(s, "api_GET_jobs", FunctionProps{Handler: nodeHandler})
			}},
			want: []string{`function "Api_GET_jobs" of Api "Api"`, `Function "api_GET_jobs"`, "IAM role"},
		},
		{
			name: "a Cdk hook renaming a bucket onto another's name",
			bodies: []body{bucket("Media"), func(s *Stack) any {
				return NewBucket(s, "Files", BucketProps{Cdk: BucketCdkProps{Bucket: func(c *s3bucket.S3BucketConfig) {
					c.Bucket = jsii.String("test-notes-media")
				}}})
			}},
			want: []string{`Bucket "Media"`, `Bucket "Files"`, `S3 bucket "test-notes-media"`},
		},
		{
			name: "two APIs on one custom domain",
			bodies: []body{func(s *Stack) any {
				return NewApi(s, "Api", ApiProps{Routes: routes, CustomDomain: &CustomDomain{DomainName: "api.example.com", HostedZone: "example.com"}})
			}, func(s *Stack) any {
				return NewApi(s, "Admin", ApiProps{Routes: routes, CustomDomain: &CustomDomain{DomainName: "API.example.com.", HostedZone: "example.com"}})
			}},
			want: []string{`Api "Api" (stack First`, `Api "Admin" (stack Second`, `custom domain "api.example.com"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := synthErr(t, Config{Name: "notes"}, testOptions(t), stacks(t, tt.bodies...)...)
			wantContains(t, msg, append([]string{"physical name collision"}, tt.want...)...)
			if n := strings.Count(msg, "physical name collision"); n != 1 {
				t.Errorf("want the collision reported once, got %d times:\n%s", n, msg)
			}
			t.Log(msg)
		})
	}
}

// laterTable is set by a stack listed after the one that reads it: the
// shared-variable mistake sst.Use exists to prevent.
var laterTable *Table

// TestConstructFromALaterStack checks that a construct created by a stack
// listed later (nil while the earlier stack runs) gives an error naming
// the stack order and sst.Use, whether it is bound, read through an
// accessor, or used after a failed Use, instead of a nil pointer panic.
func TestConstructFromALaterStack(t *testing.T) {
	later := func(s *Stack) any { laterTable = notesTable(s); return laterTable }
	tests := []struct {
		name   string
		bodies []body
		want   []string
		count  int // times want[0] appears
	}{
		{
			name: "bound",
			bodies: []body{func(s *Stack) any {
				return NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler, Bind: []Bindable{laterTable}})
			}, later},
			want: []string{`stack First: function "Fn": Bind[0] is a nil *sst.Table: the construct is not built yet`, "listed after First", "before First", "sst.Use[*sst.Table](s, ThatStack)"},
		},
		{
			name: "bound through the app's defaults",
			bodies: []body{func(s *Stack) any {
				s.App().AddDefaultFunctionBinding(laterTable)
				return NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler})
			}, later},
			want: []string{`function "Fn": Bind[0] is a nil *sst.Table`, "sst.Use"},
		},
		{
			name: "accessor",
			bodies: []body{func(s *Stack) any {
				s.AddOutputs(map[string]any{"Arn": laterTable.Arn()})
				return nil
			}, later},
			want: []string{"stack First: ", "names_test.go:", "(*sst.Table).Arn called on a nil *sst.Table: the construct is not built yet", "sst.Use[*sst.Table]"},
		},
		{
			name: "accessor after a Use of a later stack",
			bodies: []body{func(s *Stack) any {
				tb := Use[*Table](s, Second)
				return NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler, Permissions: []Permission{Allow([]string{"dynamodb:GetItem"}, tb.Arn())}})
			}, later},
			want:  []string{"Use(Second): that stack is not defined yet — list Second before First"},
			count: 1,
		},
		{
			name: "accessor after a Use of the wrong type",
			bodies: []body{func(s *Stack) any { return notesTable(s) }, func(s *Stack) any {
				api := Use[*Api](s, First)
				s.AddOutputs(map[string]any{"Url": api.URL()})
				return nil
			}},
			want:  []string{"stack Second: Use(First): it returned *sst.Table, not *sst.Api"},
			count: 1,
		},
		{
			name: "field of a Use of the wrong type",
			bodies: []body{func(s *Stack) any { return notesTable(s) }, func(s *Stack) any {
				api := Use[*Api](s, First)
				return api.Cdk.Api
			}},
			want:  []string{"stack Second: Use(First): it returned *sst.Table, not *sst.Api"},
			count: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			laterTable = nil
			t.Cleanup(func() { laterTable = nil })
			msg := synthErr(t, Config{Name: "notes"}, testOptions(t), stacks(t, tt.bodies...)...)
			wantContains(t, msg, tt.want...)
			if strings.Contains(msg, "invalid memory address") {
				t.Errorf("the nil pointer panic leaks through:\n%s", msg)
			}
			if tt.count > 0 && strings.Count(msg, "\n")+1 != tt.count {
				t.Errorf("want %d error(s), got:\n%s", tt.count, msg)
			}
			t.Log(msg)
		})
	}
}

// TestEveryAccessorOfAnUnbuiltConstruct calls each exported method of each
// construct on a nil pointer inside a stack: every one must come back as
// the not-built error, never a crash or a bare nil pointer message.
func TestEveryAccessorOfAnUnbuiltConstruct(t *testing.T) {
	types := []any{
		(*Api)(nil), (*Bucket)(nil), (*Cognito)(nil), (*Cron)(nil), (*EventBus)(nil), (*Function)(nil),
		(*KinesisStream)(nil), (*Parameter)(nil), (*Queue)(nil), (*RDS)(nil), (*Script)(nil), (*Secret)(nil),
		(*SsrSite)(nil), (*StaticSite)(nil), (*Table)(nil), (*Topic)(nil), (*WebSocketApi)(nil),
	}
	calls := 0
	for _, c := range types {
		v := reflect.ValueOf(c)
		for i := 0; i < v.NumMethod(); i++ {
			m, name := v.Method(i), v.Type().Method(i).Name
			typ := v.Type().String()
			t.Run(typ+"."+name, func(t *testing.T) {
				// Arguments with something in them: an empty map or route
				// key would let some methods return before touching the
				// construct.
				args := make([]reflect.Value, m.Type().NumIn())
				for j := range args {
					args[j] = sample(m.Type().In(j))
				}
				if m.Type().IsVariadic() {
					args[len(args)-1] = sample(m.Type().In(len(args) - 1).Elem())
				}
				msg := synthErr(t, Config{Name: "notes"}, testOptions(t), stacks(t, func(s *Stack) any {
					m.Call(args)
					return nil
				})...)
				wantContains(t, msg, "stack First: ", fmt.Sprintf("(%s).%s called on a nil %s: the construct is not built yet", typ, name, typ), "sst.Use")
			})
			calls++
		}
	}
	if calls < 80 {
		t.Errorf("only %d methods checked; the list of construct types is out of date", calls)
	}
}

// TestDistributionOriginIDs checks that a Cdk.Distribution hook adding an
// origin whose id the site already uses fails the synth, not the apply.
func TestDistributionOriginIDs(t *testing.T) {
	msg := synthErr(t, Config{Name: "notes"}, testOptions(t), stacks(t, func(s *Stack) any {
		return NewStaticSite(s, "Docs", StaticSiteProps{Path: "site/public", Cdk: StaticSiteCdkProps{
			Distribution: func(c *cloudfrontdistribution.CloudfrontDistributionConfig) {
				origins := c.Origin.([]*cloudfrontdistribution.CloudfrontDistributionOrigin)
				c.Origin = append(origins, &cloudfrontdistribution.CloudfrontDistributionOrigin{OriginId: jsii.String("s3"), DomainName: jsii.String("example.com")})
			},
		}})
	})...)
	wantContains(t, msg, `stack First: StaticSite "Docs": Cdk.Distribution: two origins have the id "s3"`, "give the added origin another id")
}

// sample is a value of type t that is not empty where that matters: a
// route key for strings, one entry for maps and slices.
func sample(t reflect.Type) reflect.Value {
	switch t.Kind() {
	case reflect.String:
		return reflect.ValueOf("GET /x").Convert(t)
	case reflect.Map:
		m := reflect.MakeMap(t)
		m.SetMapIndex(sample(t.Key()), reflect.Zero(t.Elem()))
		return m
	case reflect.Slice:
		return reflect.Append(reflect.MakeSlice(t, 0, 1), reflect.Zero(t.Elem()))
	}
	return reflect.Zero(t)
}
