// Package runtime gives Go Lambda handlers typed access to the resources
// bound to their function.
//
// Binding a construct to a function (Bind: []sst.Bindable{table}) sets
// environment variables in SST v2's format, SST_{Type}_{prop}_{id}, for
// example SST_Table_tableName_Notes, plus SST_APP, SST_STAGE and
// SST_SSM_PREFIX. Because the names match SST v2, the same function can be
// read by SST v2's Node client and by this package. The id part is the
// construct id with every character outside [A-Za-z0-9_] replaced by "_";
// accessors take the construct id as written and do that mapping.
//
// A value of "__FETCH_FROM_SSM__" means the real value lives in SSM
// Parameter Store (secrets, values too large or sensitive for the
// environment). Reading it needs the AWS SDK, which this package must not
// import: it is compiled into every Go Lambda and stays stdlib-only so
// binaries are small and cold starts fast. Importing
// github.com/sst-tf/sst/runtime/ssm for its side effect sets SSMFetcher and
// enables it (a handler reading runtime.Secret needs that import).
//
// A handler:
//
//	package main
//
//	import (
//		"context"
//
//		"github.com/aws/aws-lambda-go/events"
//		"github.com/aws/aws-lambda-go/lambda"
//		"github.com/sst-tf/sst/runtime"
//	)
//
//	// Fails at cold start, with the fix in the message, if Notes is not bound.
//	var table = runtime.MustTableName("Notes")
//
//	func handler(ctx context.Context, req events.APIGatewayV2HTTPRequest) (string, error) {
//		return "notes live in " + table + " on stage " + runtime.Stage(), nil
//	}
//
//	func main() { lambda.Start(handler) }
package runtime

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/sst-tf/sst/internal/binding"
)

// SSMPlaceholder is the binding value meaning "fetch me from SSM".
const SSMPlaceholder = binding.SSMPlaceholder

// App is the SST app name (SST_APP).
func App() string { return os.Getenv(binding.EnvApp) }

// Stage is the stage the function was deployed to (SST_STAGE).
func Stage() string { return os.Getenv(binding.EnvStage) }

// SSMPrefix is the Parameter Store path prefix of the app's stage
// (SST_SSM_PREFIX), ending in "/".
func SSMPrefix() string { return os.Getenv(binding.EnvSSMPrefix) }

// SSMFetcher reads SSM parameters by full name, with decryption, and returns
// the values found keyed by name; names it cannot find are simply absent.
// It is nil until a package that links the AWS SDK sets it at init.
var SSMFetcher func(ctx context.Context, names []string) (map[string]string, error)

// ErrNoSSMFetcher is wrapped by errors for SSM-backed values read while
// SSMFetcher is nil.
var ErrNoSSMFetcher = errors.New("no SSM fetcher is configured")

// NotBoundError reports a resource that is not bound to this function.
type NotBoundError struct {
	Type, Prop, ID string
	Env            string // the variable that was looked up
}

func (e *NotBoundError) Error() string {
	return fmt.Sprintf("runtime: %s %q is not bound to this function (%s is not set): add it to the function's Bind list", e.Type, e.ID, e.Env)
}

// EnvName is the variable that carries prop of the construct typ/id.
func EnvName(typ, prop, id string) string { return binding.EnvName(typ, prop, id) }

// ssmPath is where an SSM-backed value lives; the id is the construct id as
// written, matching the parameter the construct creates.
func ssmPath(typ, prop, id string) string {
	return binding.SSMPath(SSMPrefix(), typ, id, prop)
}

// cache holds SSM values for the life of the process: they are fixed for a
// deployment, and each fetch is a network round trip on the request path.
var cache struct {
	sync.Mutex
	values map[string]string
}

func cached(name string) (string, bool) {
	cache.Lock()
	defer cache.Unlock()
	v, ok := cache.values[name]
	return v, ok
}

func store(values map[string]string) {
	cache.Lock()
	defer cache.Unlock()
	if cache.values == nil {
		cache.values = map[string]string{}
	}
	for k, v := range values {
		cache.values[k] = v
	}
}

// Get returns prop of the bound construct typ/id, e.g.
// Get("Table", "tableName", "Notes"), fetching it from SSM when the binding
// says so.
func Get(typ, prop, id string) (string, error) {
	return GetContext(context.Background(), typ, prop, id)
}

// GetContext is Get with a context for the SSM fetch.
func GetContext(ctx context.Context, typ, prop, id string) (string, error) {
	env := EnvName(typ, prop, id)
	v, ok := os.LookupEnv(env)
	if !ok {
		return "", &NotBoundError{Type: typ, Prop: prop, ID: id, Env: env}
	}
	if v != SSMPlaceholder {
		return v, nil
	}
	name := ssmPath(typ, prop, id)
	if v, ok := cached(name); ok {
		return v, nil
	}
	if err := fetch(ctx, []string{name}); err != nil {
		return "", fmt.Errorf("runtime: %s %q: %s is stored in SSM at %s: %w", typ, id, prop, name, err)
	}
	if v, ok := cached(name); ok {
		return v, nil
	}
	return "", fmt.Errorf("runtime: %s %q: SSM parameter %s does not exist; deploy the stage (or set the secret) first", typ, id, name)
}

// fetch loads names through SSMFetcher into the cache, without holding the
// lock over the network call. Concurrent first reads may fetch twice, which
// is harmless; failures are not cached so a later call retries.
func fetch(ctx context.Context, names []string) error {
	f := SSMFetcher
	if f == nil {
		return fmt.Errorf("%w: add import _ \"github.com/sst-tf/sst/runtime/ssm\" to the handler (or set runtime.SSMFetcher)", ErrNoSSMFetcher)
	}
	values, err := f(ctx, names)
	if err != nil {
		return err
	}
	want := make(map[string]string, len(names))
	for _, n := range names {
		if v, ok := values[n]; ok {
			want[n] = v
		}
	}
	store(want)
	return nil
}

// Preload fetches every SSM-backed binding of this function in one call, so
// handlers can pay that cost once at cold start rather than per value.
func Preload(ctx context.Context) error {
	var names []string
	for _, kv := range os.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		if value != SSMPlaceholder {
			continue
		}
		v, ok := binding.Parse(name)
		if !ok {
			continue
		}
		// The variable only has the mapped id; it equals the construct id
		// for ids without "-", which is what SST v2's client assumes too.
		path := ssmPath(v.Type, v.Prop, v.ID)
		if _, ok := cached(path); !ok {
			names = append(names, path)
		}
	}
	if len(names) == 0 {
		return nil
	}
	if err := fetch(ctx, names); err != nil {
		return fmt.Errorf("runtime: loading SSM-backed bindings: %w", err)
	}
	return nil
}

// Bound lists the resources of type typ bound to this function:
// id → prop → value, where id is the env-var form (see package comment).
// SSM-backed values appear as SSMPlaceholder unless already fetched; use Get
// to read them.
func Bound(typ string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, kv := range os.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		v, ok := binding.Parse(name)
		if !ok || v.Type != typ {
			continue
		}
		if value == SSMPlaceholder {
			if c, ok := cached(ssmPath(v.Type, v.Prop, v.ID)); ok {
				value = c
			}
		}
		if out[v.ID] == nil {
			out[v.ID] = map[string]string{}
		}
		out[v.ID][v.Prop] = value
	}
	return out
}

func must(v string, err error) string {
	if err != nil {
		panic(err)
	}
	return v
}

// TableName is the name of the bound Table id.
func TableName(id string) (string, error) { return Get("Table", "tableName", id) }

// MustTableName is TableName that panics when the table is not bound.
func MustTableName(id string) string { return must(TableName(id)) }

// ApiURL is the URL of the bound Api id.
func ApiURL(id string) (string, error) { return Get("Api", "url", id) }

// MustApiURL is ApiURL that panics when the API is not bound.
func MustApiURL(id string) string { return must(ApiURL(id)) }

// ServiceURL is the URL of the bound Service id (sst.NewService), the
// custom domain's when it has one.
func ServiceURL(id string) (string, error) { return Get("Service", "url", id) }

// MustServiceURL is ServiceURL that panics when the service is not bound.
func MustServiceURL(id string) string { return must(ServiceURL(id)) }

// BucketName is the name of the bound Bucket id.
func BucketName(id string) (string, error) { return Get("Bucket", "bucketName", id) }

// QueueURL is the URL of the bound Queue id.
func QueueURL(id string) (string, error) { return Get("Queue", "queueUrl", id) }

// TopicARN is the ARN of the bound Topic id.
func TopicARN(id string) (string, error) { return Get("Topic", "topicArn", id) }

// Secret is the value of the bound Secret name, always read from SSM.
func Secret(name string) (string, error) { return Get("Secret", "value", name) }

// MustBucketName is BucketName that panics when the bucket is not bound.
func MustBucketName(id string) string { return must(BucketName(id)) }

// MustQueueURL is QueueURL that panics when the queue is not bound.
func MustQueueURL(id string) string { return must(QueueURL(id)) }

// MustTopicARN is TopicARN that panics when the topic is not bound.
func MustTopicARN(id string) string { return must(TopicARN(id)) }

// MustSecret is Secret that panics when the secret is not bound or cannot
// be read.
func MustSecret(name string) string { return must(Secret(name)) }

// Parameter is the value of the bound Parameter name (SST_Parameter_value_<name>).
func Parameter(name string) (string, error) { return Get("Parameter", "value", name) }

// MustParameter is Parameter that panics when the parameter is not bound.
func MustParameter(name string) string { return must(Parameter(name)) }

// CognitoUserPoolID is the user pool id of the bound Cognito id.
func CognitoUserPoolID(id string) (string, error) { return Get("Cognito", "userPoolId", id) }

// CognitoUserPoolClientID is the user pool client id of the bound Cognito id.
func CognitoUserPoolClientID(id string) (string, error) {
	return Get("Cognito", "userPoolClientId", id)
}

// CognitoIdentityPoolID is the identity pool id of the bound Cognito id.
func CognitoIdentityPoolID(id string) (string, error) { return Get("Cognito", "identityPoolId", id) }

// RDSClusterArn is the cluster ARN of the bound RDS id, for the Data API's
// resourceArn.
func RDSClusterArn(id string) (string, error) { return Get("RDS", "clusterArn", id) }

// RDSSecretArn is the ARN of the bound RDS id's master credentials secret,
// for the Data API's secretArn.
func RDSSecretArn(id string) (string, error) { return Get("RDS", "secretArn", id) }

// RDSDatabase is the default database name of the bound RDS id.
func RDSDatabase(id string) (string, error) { return Get("RDS", "defaultDatabaseName", id) }

// EventBusName is the name of the bound EventBus id.
func EventBusName(id string) (string, error) { return Get("EventBus", "eventBusName", id) }

// MustEventBusName is EventBusName that panics when the bus is not bound.
func MustEventBusName(id string) string { return must(EventBusName(id)) }

// StreamName is the name of the bound KinesisStream id.
func StreamName(id string) (string, error) { return Get("KinesisStream", "streamName", id) }

// MustStreamName is StreamName that panics when the stream is not bound.
func MustStreamName(id string) string { return must(StreamName(id)) }

// AppSyncURL is the GraphQL endpoint of the bound AppSyncApi id.
func AppSyncURL(id string) (string, error) { return Get("AppSyncApi", "url", id) }

// AppSyncApiID is AppSync's id for the bound AppSyncApi id.
func AppSyncApiID(id string) (string, error) { return Get("AppSyncApi", "apiId", id) }

// AppSyncApiKey is the API key of the bound AppSyncApi id. It is a secret:
// read from SSM on first use (import github.com/sst-tf/sst/runtime/ssm),
// then cached; ctx bounds that fetch.
func AppSyncApiKey(ctx context.Context, id string) (string, error) {
	return GetContext(ctx, "AppSyncApi", "apiKey", id)
}

// WebSocketURL is the wss:// URL of the bound WebSocketApi id.
func WebSocketURL(id string) (string, error) { return Get("WebSocketApi", "url", id) }

// MustWebSocketURL is WebSocketURL that panics when the API is not bound.
func MustWebSocketURL(id string) string { return must(WebSocketURL(id)) }

// WebSocketManagementEndpoint is the endpoint of the bound WebSocketApi's
// connection management API (PostToConnection and friends): its httpsUrl
// binding, or (bound by an older sst) the URL with wss:// turned into
// https://. Under `sst dev` both are the local gateway's (ws:// and
// http://).
func WebSocketManagementEndpoint(id string) (string, error) {
	if u, err := Get("WebSocketApi", "httpsUrl", id); err == nil && u != "" {
		return u, nil
	}
	u, err := WebSocketURL(id)
	if err != nil {
		return "", err
	}
	if rest, ok := strings.CutPrefix(u, "wss://"); ok {
		return "https://" + rest, nil
	}
	if rest, ok := strings.CutPrefix(u, "ws://"); ok {
		return "http://" + rest, nil
	}
	return "", fmt.Errorf("sst: WebSocketApi %q has URL %q, which is not ws:// or wss://", id, u)
}
