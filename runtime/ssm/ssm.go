// Package ssm lets the runtime package read values kept in SSM Parameter
// Store — secrets above all — through the AWS SDK. Import it for its side
// effect in any handler that reads a bound Secret:
//
//	import (
//		"github.com/sst-tf/sst/runtime"
//		_ "github.com/sst-tf/sst/runtime/ssm"
//	)
//
//	var stripeKey = runtime.MustSecret("STRIPE_KEY")
//
// It lives apart from package runtime so that handlers with no secrets do
// not link the SDK. Values are fetched with GetParameters (decrypted), up to
// ten names per call, and runtime caches them for the life of the process:
// a cold start pays one round trip, warm invocations none. A secret with no
// value for the stage (/sst/{app}/{stage}/Secret/{name}/value) falls back to
// the app-wide value set with `sst secrets set --fallback`
// (/sst/{app}/.fallback/Secret/{name}/value); both are requested in the same
// call.
//
// The SDK is configured from the environment as usual (AWS_REGION, which
// Lambda sets, credentials, and AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_SSM to
// point it at an emulator).
package ssm

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	awsssm "github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/sst-tf/sst/runtime"
)

func init() { runtime.SSMFetcher = Fetch }

// API is the part of the SSM client the fetcher uses.
type API interface {
	GetParameters(ctx context.Context, in *awsssm.GetParametersInput, opts ...func(*awsssm.Options)) (*awsssm.GetParametersOutput, error)
}

// maxNames is GetParameters' limit per call.
const maxNames = 10

var (
	clientOnce sync.Once
	client     API
	clientErr  error
)

// Fetch reads parameters by full name with a client configured from the
// environment on first use. It is what init installs as runtime.SSMFetcher.
func Fetch(ctx context.Context, names []string) (map[string]string, error) {
	clientOnce.Do(func() {
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			clientErr = fmt.Errorf("ssm: load AWS config: %w", err)
			return
		}
		client = awsssm.NewFromConfig(cfg)
	})
	if clientErr != nil {
		return nil, clientErr
	}
	return Fetcher(client)(ctx, names)
}

// Fetcher returns a runtime.SSMFetcher that uses api, for handlers that
// configure their own client: runtime.SSMFetcher = ssm.Fetcher(myClient).
func Fetcher(api API) func(ctx context.Context, names []string) (map[string]string, error) {
	return func(ctx context.Context, names []string) (map[string]string, error) {
		var want []string
		seen := map[string]bool{}
		add := func(n string) {
			if !seen[n] {
				seen[n] = true
				want = append(want, n)
			}
		}
		for _, n := range names {
			add(n)
			if fb, ok := FallbackPath(n); ok {
				add(fb)
			}
		}
		got := map[string]string{}
		for start := 0; start < len(want); start += maxNames {
			chunk := want[start:min(start+maxNames, len(want))]
			out, err := api.GetParameters(ctx, &awsssm.GetParametersInput{Names: chunk, WithDecryption: aws.Bool(true)})
			if err != nil {
				return nil, fmt.Errorf("ssm: GetParameters %s: %w", strings.Join(chunk, ", "), err)
			}
			for _, p := range out.Parameters {
				got[aws.ToString(p.Name)] = aws.ToString(p.Value)
			}
		}
		values := map[string]string{}
		for _, n := range names {
			if v, ok := got[n]; ok {
				values[n] = v
			} else if fb, ok := FallbackPath(n); ok {
				if v, ok := got[fb]; ok {
					values[n] = v
				}
			}
		}
		return values, nil
	}
}

// FallbackPath maps a secret's stage parameter,
// /sst/{app}/{stage}/Secret/{name}/value, to the app-wide fallback,
// /sst/{app}/.fallback/Secret/{name}/value. Other names have no fallback.
func FallbackPath(name string) (string, bool) {
	parts := strings.Split(name, "/")
	// "", "sst", app, stage, "Secret", name, "value"
	if len(parts) != 7 || parts[0] != "" || parts[1] != "sst" || parts[4] != "Secret" || parts[3] == ".fallback" {
		return "", false
	}
	parts[3] = ".fallback"
	return strings.Join(parts, "/"), true
}
