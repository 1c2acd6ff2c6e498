package sst

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"
)

// TestBadInput checks that each configuration mistake fails synthesis with
// a message naming where it is (stack, construct, prop) and what to do,
// and that nothing is written to OutDir (synthErr checks that).
func TestBadInput(t *testing.T) {
	table := func(props TableProps) body {
		return func(s *Stack) any { return NewTable(s, "Notes", props) }
	}
	fn := func(props FunctionProps) body {
		return func(s *Stack) any { return NewFunction(s, "Fn", props) }
	}
	api := func(props ApiProps) body {
		return func(s *Stack) any { return NewApi(s, "Api", props) }
	}
	routes := map[string]ApiRoute{"GET /": {Handler: nodeHandler}}
	pk := map[string]string{"pk": "string"}

	tests := []struct {
		name   string
		cfg    Config // Name defaults to "notes" unless noName
		noName bool
		opts   func(*Options)
		bodies []body
		want   []string
		// not are what the message must not say (a second, contradictory
		// error for the same mistake).
		not []string
	}{
		{
			name:   "invalid stage",
			opts:   func(o *Options) { o.Stage = "Prod_1" },
			bodies: []body{table(TableProps{Fields: pk, PrimaryIndex: TableIndex{PartitionKey: "pk"}})},
			want:   []string{"Prod_1", "upper-case"},
		},
		{
			name:   "empty app name",
			noName: true,
			bodies: []body{table(TableProps{Fields: pk, PrimaryIndex: TableIndex{PartitionKey: "pk"}})},
			want:   []string{"sst.Config", "Name is required"},
		},
		{
			name:   "bad app name",
			cfg:    Config{Name: "my app"},
			bodies: []body{table(TableProps{Fields: pk, PrimaryIndex: TableIndex{PartitionKey: "pk"}})},
			want:   []string{"sst.Config: Name", `"my app"`},
		},
		{
			name:   "endpoint with a bad scheme",
			opts:   func(o *Options) { o.Endpoint = "ftp://127.0.0.1:5000" },
			bodies: []body{table(TableProps{Fields: pk, PrimaryIndex: TableIndex{PartitionKey: "pk"}})},
			want:   []string{"endpoint", "ftp://127.0.0.1:5000", "http://"},
		},
		{
			name:   "endpoint without a host",
			opts:   func(o *Options) { o.Endpoint = "http://" },
			bodies: []body{table(TableProps{Fields: pk, PrimaryIndex: TableIndex{PartitionKey: "pk"}})},
			want:   []string{"endpoint", "with a host"},
		},
		{
			name:   "bad default removal policy",
			cfg:    Config{Name: "notes", Defaults: Defaults{RemovalPolicy: "keep"}},
			bodies: []body{table(TableProps{Fields: pk, PrimaryIndex: TableIndex{PartitionKey: "pk"}})},
			want:   []string{"Defaults.RemovalPolicy", `"keep"`, `"retain"`},
		},
		{
			name:   "negative provider retries",
			cfg:    Config{Name: "notes", MaxRetries: -1},
			bodies: []body{table(TableProps{Fields: pk, PrimaryIndex: TableIndex{PartitionKey: "pk"}})},
			want:   []string{"sst.Config: MaxRetries -1", "default of 25"},
		},
		{
			name:   "bad table removal policy",
			bodies: []body{table(TableProps{Fields: pk, PrimaryIndex: TableIndex{PartitionKey: "pk"}, RemovalPolicy: "Retain"})},
			want:   []string{"stack First", `table "Notes"`, "RemovalPolicy", `"Retain"`},
		},
		{
			name:   "S3 backend without a lock",
			cfg:    Config{Name: "notes", Backend: S3Backend{Bucket: "state"}},
			bodies: []body{table(TableProps{Fields: pk, PrimaryIndex: TableIndex{PartitionKey: "pk"}})},
			want:   []string{"S3Backend", "DynamoDBTable or UseLockfile"},
		},
		{
			name:   "S3 backend without a bucket",
			cfg:    Config{Name: "notes", Backend: S3Backend{UseLockfile: true}},
			bodies: []body{table(TableProps{Fields: pk, PrimaryIndex: TableIndex{PartitionKey: "pk"}})},
			want:   []string{"S3Backend", "Bucket is required"},
		},
		{
			name:   "cloud backend without an organization",
			cfg:    Config{Name: "notes", Backend: CloudBackend{}},
			bodies: []body{table(TableProps{Fields: pk, PrimaryIndex: TableIndex{PartitionKey: "pk"}})},
			want:   []string{"CloudBackend", "Organization is required"},
		},
		{
			name: "duplicate construct id across stacks",
			bodies: []body{
				table(TableProps{Fields: pk, PrimaryIndex: TableIndex{PartitionKey: "pk"}}),
				fn(FunctionProps{Handler: nodeHandler}),
				func(s *Stack) any { return NewFunction(s, "Notes", FunctionProps{Handler: nodeHandler}) },
			},
			want: []string{"stack Third", `duplicate construct id "Notes"`, "already used in stack First"},
		},
		{
			name: "generated function id collides with a construct",
			bodies: []body{
				fn(FunctionProps{Handler: nodeHandler}),
				func(s *Stack) any {
					NewFunction(s, "Api_GET_notes", FunctionProps{Handler: nodeHandler})
					return NewApi(s, "Api", ApiProps{Routes: map[string]ApiRoute{"GET /notes": {Handler: nodeHandler}}})
				},
			},
			want: []string{"stack Second", `"Api"`, `"Api_GET_notes"`, "collides"},
		},
		{
			name:   "reserved construct id",
			bodies: []body{func(s *Stack) any { return NewApi(s, "Default", ApiProps{Routes: routes}) }},
			want:   []string{"stack First", `Api "Default"`, "reserved"},
		},
		{
			name:   "invalid construct id",
			bodies: []body{func(s *Stack) any { return NewFunction(s, "my fn", FunctionProps{Handler: nodeHandler}) }},
			want:   []string{"stack First", `Function "my fn"`, "invalid construct id"},
		},
		{
			name:   "misspelled method",
			bodies: []body{api(ApiProps{Routes: map[string]ApiRoute{"GETT /x": {Handler: nodeHandler}}})},
			want:   []string{"stack First", `api "Api"`, `"GETT /x"`, `unknown method "GETT"`},
		},
		{
			name:   "path without slash",
			bodies: []body{api(ApiProps{Routes: map[string]ApiRoute{"GET notes": {Handler: nodeHandler}}})},
			want:   []string{"stack First", `api "Api"`, `"GET notes"`, `must start with "/"`},
		},
		{
			name:   "route handler twice",
			bodies: []body{api(ApiProps{Routes: map[string]ApiRoute{"GET /": {Handler: nodeHandler, Function: FunctionProps{Handler: nodeHandler}}}})},
			want:   []string{"stack First", `api "Api"`, `route "GET /"`, "not both"},
		},
		{
			name:   "route defined twice",
			bodies: []body{api(ApiProps{Routes: map[string]ApiRoute{"GET /x": {Handler: nodeHandler}, "GET  /x": {Handler: nodeHandler}}})},
			want:   []string{"stack First", `api "Api"`, `route "GET /x" is defined twice`},
		},
		{
			name:   "handler that does not exist",
			bodies: []body{fn(FunctionProps{Handler: "functions/missing"})},
			want:   []string{"stack First", `function "Fn": Handler "functions/missing"`, "nothing to build"},
		},
		{
			name:   "node export of a missing file",
			bodies: []body{fn(FunctionProps{Handler: "node/nope.handler"})},
			want:   []string{"stack First", `function "Fn"`, `"node/nope.handler"`},
		},
		{
			name:   "missing handler",
			bodies: []body{fn(FunctionProps{})},
			want:   []string{"stack First", `function "Fn"`, "Handler is required"},
		},
		{
			name:   "Go handler that does not compile",
			bodies: []body{func(s *Stack) any { return NewFunction(s, "Broken", FunctionProps{Handler: "broken"}) }},
			want:   []string{"stack First: function \"Broken\": handler \"broken\"", "broken/main.go:6", `cannot use "not a number"`},
		},
		{
			name:   "unknown runtime",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, Runtime: "java21"})},
			want:   []string{"stack First", `function "Fn"`, `unknown runtime "java21"`},
		},
		{
			name:   "unknown architecture",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, Architecture: "arm"})},
			want:   []string{"stack First", `function "Fn"`, `Architecture "arm"`, "x86_64"},
		},
		{
			name:   "memory too small",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, MemorySize: 64})},
			want:   []string{"stack First", `function "Fn"`, "MemorySize 64", "128–10240"},
		},
		{
			name:   "memory too large",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, MemorySize: 10241})},
			want:   []string{`function "Fn"`, "MemorySize 10241"},
		},
		{
			name:   "timeout too long",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, Timeout: 901 * time.Second})},
			want:   []string{"stack First", `function "Fn"`, "Timeout 15m1s", "1s–15m in whole seconds"},
		},
		{
			name:   "negative timeout",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, Timeout: -time.Second})},
			want:   []string{`function "Fn"`, "Timeout -1s"},
		},
		{
			name:   "bad log retention",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, LogRetention: Days(10)})},
			want:   []string{"stack First", `function "Fn"`, "LogRetention 240h (10 days)", "14", "sst.Days"},
		},
		{
			name:   "bad access log retention",
			bodies: []body{api(ApiProps{Routes: routes, AccessLog: &ApiAccessLog{Retention: Days(2)}})},
			want:   []string{"stack First", `api "Api"`, "AccessLog.Retention 48h (2 days)"},
		},
		{
			name:   "timeout not whole seconds",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, Timeout: 1500 * time.Millisecond})},
			want:   []string{"stack First", `function "Fn"`, "Timeout 1.5s", "in whole seconds"},
		},
		{
			name:   "log retention not whole days",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, LogRetention: 36 * time.Hour})},
			want:   []string{`function "Fn"`, "LogRetention 36h", "1, 3, 5, 7, 14"},
		},
		{
			name:   "function url cors max age",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, URL: &FunctionURL{Cors: &Cors{MaxAge: 48 * time.Hour}}})},
			want:   []string{`function "Fn"`, "URL.Cors.MaxAge 48h (2 days)", "0s–24h"},
		},
		{
			name:   "api cors max age",
			bodies: []body{api(ApiProps{Routes: routes, Cors: &Cors{MaxAge: 90 * time.Millisecond}})},
			want:   []string{"stack First", `api "Api"`, "Cors.MaxAge 90ms", "in whole seconds"},
		},
		{
			name: "authorizer cache longer than an hour",
			bodies: []body{api(ApiProps{Routes: routes, Authorizers: map[string]ApiAuthorizer{
				"token": {Type: "lambda", Function: FunctionProps{Handler: nodeHandler}, ResultsCacheTTL: 2 * time.Hour},
			}})},
			want: []string{`api "Api": authorizer "token"`, "ResultsCacheTTL 2h", "0s–1h"},
		},
		{
			name:   "bad url authorizer",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, URL: &FunctionURL{Authorizer: "jwt"}})},
			want:   []string{`function "Fn"`, `URL.Authorizer "jwt"`},
		},
		{
			name:   "empty permission",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, Permissions: []Permission{Statement{Actions: []string{"s3:GetObject"}}}})},
			want:   []string{`function "Fn"`, "Permissions[0]", "Resources"},
		},
		{
			name:   "nil binding",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, Bind: []Bindable{nil}})},
			want:   []string{`function "Fn"`, "Bind[0] is nil"},
		},
		{
			name:   "bad default function props",
			cfg:    Config{Name: "notes", Defaults: Defaults{Function: FunctionProps{MemorySize: 1}}},
			bodies: []body{fn(FunctionProps{Handler: nodeHandler})},
			want:   []string{`function "Fn"`, "MemorySize 1"},
		},
		{
			name:   "table key not in fields",
			bodies: []body{table(TableProps{Fields: pk, PrimaryIndex: TableIndex{PartitionKey: "id"}})},
			want:   []string{"stack First", `table "Notes"`, `PrimaryIndex.PartitionKey "id" is not declared in Fields`},
		},
		{
			name:   "table without a key",
			bodies: []body{table(TableProps{Fields: pk})},
			want:   []string{`table "Notes"`, "PrimaryIndex.PartitionKey is required"},
		},
		{
			name:   "index key not in fields",
			bodies: []body{table(TableProps{Fields: pk, PrimaryIndex: TableIndex{PartitionKey: "pk"}, GlobalIndexes: map[string]TableGlobalIndex{"byX": {PartitionKey: "x"}}})},
			want:   []string{`table "Notes"`, `GlobalIndexes[byX].PartitionKey "x"`},
		},
		{
			name:   "unknown field type",
			bodies: []body{table(TableProps{Fields: map[string]string{"pk": "str"}, PrimaryIndex: TableIndex{PartitionKey: "pk"}})},
			want:   []string{"stack First", `table "Notes"`, `Fields["pk"] = "str"`, `"string"`},
		},
		{
			name:   "unknown projection",
			bodies: []body{table(TableProps{Fields: pk, PrimaryIndex: TableIndex{PartitionKey: "pk"}, GlobalIndexes: map[string]TableGlobalIndex{"g": {PartitionKey: "pk", Projection: "some"}}})},
			want:   []string{`table "Notes"`, `GlobalIndexes["g"].Projection "some"`},
		},
		{
			name:   "local index without a sort key",
			bodies: []body{table(TableProps{Fields: pk, PrimaryIndex: TableIndex{PartitionKey: "pk"}, LocalIndexes: map[string]TableLocalIndex{"l": {SortKey: "pk"}}})},
			want:   []string{`table "Notes"`, `LocalIndexes["l"]`, "PrimaryIndex.SortKey"},
		},
		{
			name:   "unknown stream",
			bodies: []body{table(TableProps{Fields: pk, PrimaryIndex: TableIndex{PartitionKey: "pk"}, Stream: "NEW_IMAGE"})},
			want:   []string{`table "Notes"`, `Stream "NEW_IMAGE"`, `"new_image"`},
		},
		{
			name: "bad consumer starting position",
			bodies: []body{table(TableProps{Fields: pk, PrimaryIndex: TableIndex{PartitionKey: "pk"}, Consumers: map[string]TableConsumer{
				"c": {Function: FunctionProps{Handler: nodeHandler}, StartingPosition: "AT_TIMESTAMP"},
			}})},
			want: []string{`table "Notes"`, `consumer "c"`, `StartingPosition "AT_TIMESTAMP"`},
		},
		{
			name: "undefined route authorizer",
			bodies: []body{api(ApiProps{
				Routes:      map[string]ApiRoute{"GET /": {Handler: nodeHandler, Authorizer: "cognito"}},
				Authorizers: map[string]ApiAuthorizer{"auth0": {Type: "jwt", JWT: JWTConfig{Issuer: "https://i/", Audience: []string{"a"}}}},
			})},
			want: []string{"stack First", `api "Api"`, `route "GET /"`, `Authorizer "cognito" is not defined`, `use one of "auth0", "iam" or "none"`},
		},
		{
			name: "failed constructs used by later code",
			bodies: []body{func(s *Stack) any {
				tb := NewTable(s, "Notes", TableProps{Fields: pk})
				fn := NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler, Timeout: 1000 * time.Second, Bind: []Bindable{tb}})
				NewFunction(s, "Other", FunctionProps{Handler: nodeHandler, Bind: []Bindable{fn, tb},
					Permissions: []Permission{tb, fn, Allow([]string{"dynamodb:Query"}, tb.Arn()+"/index/*"), Allow([]string{"lambda:InvokeFunction"}, fn.InvokeArn())}})
				s.AddOutputs(map[string]any{"Arn": tb.Arn(), "Fn": fn.Arn(), "Url": fn.URL()})
				return nil
			}},
			want: []string{`table "Notes": PrimaryIndex.PartitionKey is required`, `function "Fn": Timeout 16m40s`},
			not:  []string{"Permissions["},
		},
		{
			name:   "undefined default authorizer",
			bodies: []body{api(ApiProps{Routes: routes, Defaults: ApiDefaults{Authorizer: "cognito"}})},
			want:   []string{"stack First", `api "Api"`, `Defaults.Authorizer "cognito"`},
		},
		{
			name:   "unknown authorizer type",
			bodies: []body{api(ApiProps{Routes: routes, Authorizers: map[string]ApiAuthorizer{"a": {Type: "oauth"}}})},
			want:   []string{`api "Api"`, `authorizer "a"`, `Type "oauth"`},
		},
		{
			name:   "JWT authorizer without issuer",
			bodies: []body{api(ApiProps{Routes: routes, Authorizers: map[string]ApiAuthorizer{"a": {Type: "jwt"}}})},
			want:   []string{`api "Api"`, `authorizer "a"`, "JWT.Issuer"},
		},
		{
			name:   "reserved authorizer name",
			bodies: []body{api(ApiProps{Routes: routes, Authorizers: map[string]ApiAuthorizer{"iam": {Type: "jwt"}}})},
			want:   []string{`api "Api"`, `authorizer "iam"`, "reserved"},
		},
		{
			name:   "custom domain outside its zone",
			bodies: []body{api(ApiProps{Routes: routes, CustomDomain: &CustomDomain{DomainName: "api.example.com", HostedZone: "other.com"}})},
			want:   []string{"stack First", `"Api": CustomDomain`, `"api.example.com" is not inside HostedZone "other.com"`},
		},
		{
			name:   "bad output name",
			bodies: []body{func(s *Stack) any { s.AddOutputs(map[string]any{"1st": "x"}); return nil }},
			want:   []string{"stack First", `output "1st"`},
		},
		{
			name:   "retired Node runtime",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, Runtime: "nodejs16.x"})},
			want:   []string{"stack First", `function "Fn"`, `Runtime "nodejs16.x"`, "retired", `use "nodejs20.x"`},
		},
		{
			name:   "retired Python runtime",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, Runtime: "python3.8"})},
			want:   []string{`function "Fn"`, `Runtime "python3.8"`, "retired", `use "python3.12"`},
		},
		{
			name:   "unknown architecture lists SST v2's spelling",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, Architecture: "arm"})},
			want:   []string{`function "Fn"`, `Architecture "arm"`, `"arm64"`, `"arm_64"`, `"x86_64"`},
		},
		{
			name:   "disk size too small",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, DiskSize: 256})},
			want:   []string{`function "Fn"`, "DiskSize 256 MB", "512–10240"},
		},
		{
			name:   "unknown tracing mode",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, Tracing: "on"})},
			want:   []string{`function "Fn"`, `Tracing "on"`, "sst.TracingActive", `"pass_through"`},
		},
		{
			name:   "negative reserved concurrency",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, ReservedConcurrency: -5})},
			want:   []string{`function "Fn"`, "ReservedConcurrency -5"},
		},
		{
			name:   "too many retries",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, Retries: 3})},
			want:   []string{`function "Fn"`, "Retries 3", "sst.NoRetries"},
		},
		{
			name:   "event age too short",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, MaxEventAge: 30 * time.Second})},
			want:   []string{`function "Fn"`, "MaxEventAge 30s", "1m–6h"},
		},
		{
			name: "nil destination",
			bodies: []body{func(s *Stack) any {
				var q *Queue
				return NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler, OnFailure: q})
			}},
			want: []string{`function "Fn"`, "OnFailure is a nil *sst.Queue", "not built yet"},
		},
		{
			name:   "not a layer ARN",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, Layers: []string{"chrome-aws-lambda"}})},
			want:   []string{`function "Fn"`, `Layers[0] "chrome-aws-lambda"`, "layer version ARN"},
		},
		{
			name: "too many layers with the defaults'",
			cfg: Config{Name: "notes", Defaults: Defaults{Function: FunctionProps{Layers: []string{
				"arn:aws:lambda:us-east-1:123456789012:layer:a:1", "arn:aws:lambda:us-east-1:123456789012:layer:b:1", "arn:aws:lambda:us-east-1:123456789012:layer:c:1",
			}}}},
			bodies: []body{func(s *Stack) any {
				s.AddDefaultFunctionLayers("arn:aws:lambda:us-east-1:123456789012:layer:d:1", "arn:aws:lambda:us-east-1:123456789012:layer:e:1")
				return NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler, Layers: []string{"arn:aws:lambda:us-east-1:123456789012:layer:f:2"}})
			}},
			want: []string{`function "Fn"`, "Layers: 6 layers", "at most 5"},
		},
		{
			name:   "copied file missing",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, CopyFiles: []CopyFile{{From: "templates/missing.html"}}})},
			want:   []string{`function "Fn"`, `CopyFiles[0] From "templates/missing.html"`, "does not exist"},
		},
		{
			name:   "copied file outside the project",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, CopyFiles: []CopyFile{{From: "../secrets.txt"}}})},
			want:   []string{`function "Fn"`, `CopyFiles[0] From "../secrets.txt"`, "inside it"},
		},
		{
			name:   "copied file outside the bundle",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, CopyFiles: []CopyFile{{From: "node/lib.ts", To: "/etc/lib.ts"}}})},
			want:   []string{`function "Fn"`, `CopyFiles[0] To "/etc/lib.ts"`, "inside the bundle"},
		},
		{
			name:   "Nodejs.Install on a Go handler",
			bodies: []body{fn(FunctionProps{Handler: goHandler, Nodejs: NodejsProps{Install: []string{"sharp"}}})},
			want:   []string{`function "Fn"`, "Nodejs.Install/Loader/Banner/ESBuild are for Node handlers", "go handler"},
		},
		{
			name:   "Nodejs.Install with a version",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, Nodejs: NodejsProps{Install: []string{"sharp@0.33"}}})},
			want:   []string{`function "Fn"`, `Nodejs.Install[0] "sharp@0.33"`, "its version comes from package.json"},
		},
		{
			name:   "Nodejs.Install of a package the project does not depend on",
			bodies: []body{fn(FunctionProps{Handler: "nodeinstall/handler.handler", Nodejs: NodejsProps{Install: []string{"sharp"}, Loader: map[string]string{".txt": "text"}}})},
			want:   []string{`function "Fn"`, `Nodejs.Install: "sharp" is not a dependency in`, "nodeinstall/package.json", "npm install sharp"},
		},
		{
			name:   "unknown Nodejs.Loader",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, Nodejs: NodejsProps{Loader: map[string]string{".png": "image", "svg": "text"}}})},
			want:   []string{`function "Fn"`, `Nodejs.Loader[".png"] "image"`, "dataurl", `Nodejs.Loader "svg"`, `".svg"`},
		},
		{
			name:   "bad Nodejs.ESBuild",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, Nodejs: NodejsProps{ESBuild: ESBuildProps{Target: "node", Inject: []string{"node/missing.js"}}}})},
			want:   []string{`function "Fn"`, `Nodejs.ESBuild.Target: unknown esbuild target "node"`, `Nodejs.ESBuild.Inject[0] "node/missing.js"`, "does not exist"},
		},
		{
			name:   "Python.InstallCommands on a Node handler",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, Python: PythonProps{InstallCommands: []string{"pip install -r requirements.txt -t ."}}})},
			want:   []string{`function "Fn"`, "Python.InstallCommands are for Python handlers", "node handler"},
		},
		{
			name:   "failing Python.InstallCommands",
			bodies: []body{fn(FunctionProps{Handler: "py/handler.main", Python: PythonProps{InstallCommands: []string{"echo no index >&2; exit 1"}}})},
			want:   []string{`function "Fn"`, `Python.InstallCommands[0] "echo no index >&2; exit 1" failed`, "no index"},
		},
		{
			name:   "VPC without security groups",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, VPC: &FunctionVPC{SubnetIDs: []string{"subnet-1"}}})},
			want:   []string{`function "Fn"`, "VPC: SubnetIDs and SecurityGroupIDs are both required"},
		},
		{
			name:   "VPC with a VPC ID for a subnet",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, VPC: &FunctionVPC{SubnetIDs: []string{"vpc-1"}, SecurityGroupIDs: []string{"default"}}})},
			want:   []string{`function "Fn"`, `VPC.SubnetIDs[0] "vpc-1": not a subnet ID`, `VPC.SecurityGroupIDs[0] "default": not a security group ID`},
		},
		{
			name: "stack defaults after a function",
			bodies: []body{func(s *Stack) any {
				NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler})
				s.SetDefaultFunctionProps(FunctionProps{MemorySize: 512})
				return nil
			}},
			want: []string{"stack First", "SetDefaultFunctionProps", `already created function "Fn"`, "AddDefaultFunctionEnv"},
		},
		{
			// One error: the routes naming the authorizer are its
			// consequence, not a second mistake.
			name:   "unknown authorizer type named by routes: one error",
			bodies: []body{api(ApiProps{Authorizers: map[string]ApiAuthorizer{"a": {Type: "cognito"}}, Defaults: ApiDefaults{Authorizer: "a"}, Routes: map[string]ApiRoute{"GET /": {Handler: nodeHandler, Authorizer: "a"}}})},
			want:   []string{`api "Api": authorizer "a": Type "cognito"`, `use "user_pool", "jwt" or "lambda"`},
			not:    []string{"not defined", "\n"},
		},
		{
			name:   "user pool authorizer without clients",
			bodies: []body{api(ApiProps{Routes: routes, Authorizers: map[string]ApiAuthorizer{"a": {Type: "user_pool", UserPool: ApiUserPool{ID: "us-east-1_x"}}}})},
			want:   []string{`api "Api": authorizer "a"`, "UserPool.ID and UserPool.ClientIDs", "auth.UserPoolClientID()"},
		},
		{
			name:   "bad default payload format",
			bodies: []body{api(ApiProps{Routes: routes, Defaults: ApiDefaults{PayloadFormatVersion: "3.0"}})},
			want:   []string{`api "Api": Defaults.PayloadFormatVersion "3.0"`, `"1.0"`},
			not:    []string{"route"},
		},
		{
			name:   "bad route payload format",
			bodies: []body{api(ApiProps{Routes: map[string]ApiRoute{"GET /": {Handler: nodeHandler, PayloadFormatVersion: "1"}}})},
			want:   []string{`api "Api": route "GET /": PayloadFormatVersion "1"`, `"2.0"`},
		},
		{
			name:   "negative throttle",
			bodies: []body{api(ApiProps{Routes: routes, Defaults: ApiDefaults{Throttle: ApiThrottle{Burst: -1, Rate: 5}}})},
			want:   []string{`api "Api": Defaults.Throttle`, "Burst: -1", "positive"},
		},
		{
			name: "existing function with default function props",
			bodies: []body{func(s *Stack) any {
				fn := NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler})
				return NewApi(s, "Api", ApiProps{Defaults: ApiDefaults{Function: FunctionProps{MemorySize: 256}}, Routes: map[string]ApiRoute{"GET /": {Fn: fn}}})
			}},
			want: []string{`api "Api": route "GET /": Fn`, "Defaults.Function cannot apply", "Function props instead"},
		},
		{
			name: "existing function and a handler",
			bodies: []body{func(s *Stack) any {
				fn := NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler})
				return NewApi(s, "Api", ApiProps{Authorizers: map[string]ApiAuthorizer{"a": {Type: "lambda", Fn: fn, Function: FunctionProps{Handler: nodeHandler}}}, Routes: routes})
			}},
			want: []string{`api "Api": authorizer "a": Fn and Function props are both set`},
		},
		{
			name:   "nil permission",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, Permissions: []Permission{Allow([]string{"s3:GetObject"}, "*"), nil}})},
			want:   []string{`function "Fn"`, "Permissions[1] is nil"},
		},
		{
			name: "permission on a construct not built yet",
			bodies: []body{func(s *Stack) any {
				var later *Bucket
				return NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler, Permissions: []Permission{later}})
			}},
			want: []string{`function "Fn"`, "Permissions[0] is a nil *sst.Bucket", "sst.Use[*sst.Bucket]"},
		},
		{
			name:   "empty service name",
			bodies: []body{fn(FunctionProps{Handler: nodeHandler, Permissions: Service("s3", "")})},
			want:   []string{`function "Fn"`, `Permissions[1] action ":*"`, `"s3:GetObject"`},
		},
		{
			name: "bad attached permission",
			bodies: []body{func(s *Stack) any {
				f := NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler})
				f.AttachPermissions(Statement{Effect: "Maybe", Actions: []string{"s3:GetObject"}, Resources: []string{"*"}})
				return f
			}},
			want: []string{`function "Fn": AttachPermissions[0] Effect "Maybe"`, `"Allow" or "Deny"`},
		},
		{
			name: "nil default permission",
			bodies: []body{func(s *Stack) any {
				s.AddDefaultFunctionPermissions(nil)
				return NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler})
			}},
			want: []string{`function "Fn"`, "Permissions[0] is nil"},
		},
		{
			name: "two mistakes reported together",
			bodies: []body{
				table(TableProps{Fields: pk, PrimaryIndex: TableIndex{PartitionKey: "id"}}),
				fn(FunctionProps{Handler: nodeHandler, MemorySize: 64}),
			},
			want: []string{"stack First", `PrimaryIndex.PartitionKey "id"`, "stack Second", "MemorySize 64"},
		},
		{
			name:   "stage and name reported together",
			noName: true,
			opts:   func(o *Options) { o.Stage = "" },
			bodies: []body{table(TableProps{Fields: pk, PrimaryIndex: TableIndex{PartitionKey: "pk"}})},
			want:   []string{"Name is required", "empty"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			if cfg.Name == "" && !tt.noName {
				cfg.Name = "notes"
			}
			opts := testOptions(t)
			if tt.opts != nil {
				tt.opts(&opts)
			}
			msg := synthErr(t, cfg, opts, stacks(t, tt.bodies...)...)
			wantContains(t, msg, tt.want...)
			for _, n := range tt.not {
				if strings.Contains(msg, n) {
					t.Errorf("message says %q:\n%s", n, msg)
				}
			}
			t.Log(msg)
		})
	}
}

// A failed synth into a directory holding an earlier good synth leaves
// that synth alone.
func TestBadInputKeepsPreviousOutput(t *testing.T) {
	opts := testOptions(t)
	synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any { return notesTable(s) })...)
	before := readTree(t, opts.OutDir)
	_, err := Synth(Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		return NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler, Timeout: 1000 * time.Second})
	})...)
	if err == nil {
		t.Fatal("synth succeeded, want an error")
	}
	if after := readTree(t, opts.OutDir); !equalTrees(before, after) {
		t.Errorf("a failed synth changed the previous output:\nbefore %v\nafter  %v", keys(before), keys(after))
	}
}

// A raw CDKTF resource whose id clashes with one a construct generated
// makes CDKTF panic inside jsii; that must come back as an error naming
// the stack, not crash the app with a Go stack trace.
func TestRawResourceIDClashIsAnError(t *testing.T) {
	msg := synthErr(t, Config{Name: "notes"}, testOptions(t), stacks(t, func(s *Stack) any {
		NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler})
		s3bucket.NewS3Bucket(s.Scope(), jsii.String("Fn_role"), &s3bucket.S3BucketConfig{})
		return nil
	})...)
	wantContains(t, msg, "stack First", "Fn_role")
}
