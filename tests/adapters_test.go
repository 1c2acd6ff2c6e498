package tests

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sst-tf/sst/internal/testenv"
)

// adapterSite is what one framework's real adapter build must deploy.
type adapterSite struct {
	id, dir, handler, serverDir string
	// immutable matches the hashed asset keys (long-lived cache).
	immutable *regexp.Regexp
	// behaviours are the distribution's, path pattern → origin.
	behaviours map[string]string
	// page is what the server renders for "/" with SITE_STAGE set.
	page string
}

var adapterSites = []adapterSite{{
	id: "Astro", dir: "astro", handler: "sst-server.handler", serverDir: "dist/server",
	immutable:  regexp.MustCompile(`^_astro/index\.[A-Za-z0-9_-]+\.css$`),
	behaviours: map[string]string{"*": "server", "_astro/*": "s3", "favicon.svg": "s3"},
	page:       "Hello from astro on ",
}, {
	id: "Svelte", dir: "svelte", handler: "lambda-handler/sst-server.handler", serverDir: ".svelte-kit/svelte-kit-sst/server",
	immutable:  regexp.MustCompile(`^_app/immutable/assets/2\.[A-Za-z0-9_-]+\.css$`),
	behaviours: map[string]string{"*": "server", "_app/*": "s3", "favicon.svg": "s3"},
	page:       "Hello from sveltekit on ",
}, {
	id: "Remix", dir: "remix", handler: "sst-server.handler", serverDir: "build/server",
	immutable:  regexp.MustCompile(`^assets/root-[A-Za-z0-9_-]+\.css$`),
	behaviours: map[string]string{"*": "server", "assets/*": "s3", "favicon.svg": "s3"},
	page:       "Hello from remix on ",
}, {
	id: "Solid", dir: "solid", handler: "sst-server.handler", serverDir: "dist/server",
	immutable: regexp.MustCompile(`^assets/entry-client-[A-Za-z0-9_-]+\.css$`),
	// solid-start writes its build manifests into the client directory,
	// and everything there is uploaded and routed to S3.
	behaviours: map[string]string{"*": "server", "assets/*": "s3", "favicon.svg": "s3",
		"manifest.json": "s3", "ssr-manifest.json": "s3", "route-manifest.json": "s3"},
	page: "Hello from solidstart on ",
}}

// TestSsrAdapterSites builds each framework's app with its real adapter
// (npm ci, then the site's own build during deploy), deploys it to moto
// and reads it back: the server function, its URL and environment, the
// assets with their headers, and the distribution. moto cannot invoke a
// Lambda, so the deployed server directory, copied away from
// node_modules, is called with node and a function-URL event instead. The
// Astro and SvelteKit builds are the adapters' stock output, whose entries
// import the framework from node_modules: the site bundles them. The same
// stack holds a Next.js app built with OpenNext (checkNextjs), so that one
// apply and one destroy cover all five sites.
func TestSsrAdapterSites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := awsConfig()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	cf, lam := cloudfront.NewFromConfig(cfg), lambda.NewFromConfig(cfg)

	const stage, prefix = "adapters", "adapters-adapters-"
	dir := copyProject(t, filepath.Join(repo, "tests", "testdata", "sites", "adapters"))
	var sites []string
	for _, site := range adapterSites {
		sites = append(sites, filepath.Join(dir, site.dir))
	}
	npmInstall(t, append(sites, filepath.Join(dir, "next"))...)
	mustSSTEnv(t, dir, map[string]string{"NEXT_TELEMETRY_DISABLED": "1"}, "deploy", "--stage", stage)
	out := readOutputs(t, dir, stage)["Web"]
	t.Run("Next", func(t *testing.T) { checkNextjs(t, dir, stage, prefix, out) })

	for _, site := range adapterSites {
		t.Run(site.id, func(t *testing.T) {
			fname := prefix + site.id + "_server"
			fn, err := lam.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(fname)})
			if err != nil {
				t.Fatalf("server function: %v", err)
			}
			c := fn.Configuration
			if aws.ToString(c.Handler) != site.handler || string(c.Runtime) != "nodejs20.x" || c.Environment.Variables["SITE_STAGE"] != stage {
				t.Errorf("server = %s %s env %v", aws.ToString(c.Handler), c.Runtime, c.Environment.Variables)
			}
			u, err := lam.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String(fname)})
			if err != nil || u.AuthType != "NONE" {
				t.Fatalf("server URL = %+v, %v", u, err)
			}

			bucket := prefix + strings.ToLower(site.id) + "-assets"
			objs := siteObjects(t, s3c, bucket)
			var hashed string
			for k, o := range objs {
				if site.immutable.MatchString(k) {
					hashed = k
					if o.cacheControl != "public,max-age=31536000,immutable" || o.contentType != "text/css; charset=utf-8" {
						t.Errorf("%s: Content-Type %q, Cache-Control %q", k, o.contentType, o.cacheControl)
					}
				}
			}
			if fav := objs["favicon.svg"]; hashed == "" || fav.contentType != "image/svg+xml" || fav.cacheControl != "public,max-age=0,must-revalidate" {
				t.Errorf("objects = %v (favicon %+v)", keys(objs), fav)
			}

			dist := out[site.id+"_distribution_id"]
			d, err := cf.GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: aws.String(dist)})
			if err != nil {
				t.Fatalf("distribution %q: %v (outputs %v)", dist, err, out)
			}
			dc := d.Distribution.DistributionConfig
			got := map[string]string{"*": aws.ToString(dc.DefaultCacheBehavior.TargetOriginId)}
			for _, cb := range dc.CacheBehaviors.Items {
				got[aws.ToString(cb.PathPattern)] = aws.ToString(cb.TargetOriginId)
			}
			if !maps.Equal(got, site.behaviours) {
				t.Errorf("behaviours = %v, want %v", got, site.behaviours)
			}
			origins := map[string]string{}
			for _, o := range dc.Origins.Items {
				origins[aws.ToString(o.Id)] = aws.ToString(o.DomainName)
			}
			if host := strings.Split(aws.ToString(u.FunctionUrl), "/")[2]; origins["server"] != host || origins["s3"] != bucket+".s3.us-east-1.amazonaws.com" {
				t.Errorf("origins = %v (server URL host %s)", origins, host)
			}

			// The deployed zip is the server directory plus the bundle the
			// synth wrote beside the adapter's entry: run a copy of it
			// alone, as Lambda would, and check the page it renders reads
			// the environment and links the uploaded asset.
			res := invokeServer(t, filepath.Join(dir, site.dir, filepath.FromSlash(site.serverDir)), site.handler, c.Environment.Variables)
			if res.StatusCode != 200 || !strings.Contains(res.Body, site.page+stage) || !strings.Contains(res.Body, "/"+hashed) {
				t.Errorf("GET / = %d %v\n%s", res.StatusCode, res.Headers, res.Body)
			}
		})
	}

	mustSST(t, dir, "remove", "--stage", stage, "--yes")
	if left := inventory(t, prefix); len(left) > 0 {
		t.Errorf("left after remove: %v", left)
	}
}

type serverResponse struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
}

// invokeServer calls a copy of a built server bundle, with no
// node_modules in reach, through tests/testdata/sites/adapters/invoke.mjs.
func invokeServer(t *testing.T, server, handler string, env map[string]string) serverResponse {
	t.Helper()
	alone := filepath.Join(t.TempDir(), "server")
	if err := os.CopyFS(alone, os.DirFS(server)); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", filepath.Join(repo, "tests", "testdata", "sites", "adapters", "invoke.mjs"), alone, handler, "/")
	cmd.Dir = filepath.Dir(alone)
	extra := testenv.Environ(baseEnv)
	for k, v := range env {
		extra = append(extra, k+"="+v)
	}
	cmd.Env = extra
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("node invoke.mjs %s: %v\n%s", handler, err, b)
	}
	var res serverResponse
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("invoke output: %v\n%s", err, b)
	}
	return res
}
