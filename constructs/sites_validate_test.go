package sst

import (
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/sst-tf/sst/internal/testenv"
)

// sitesEverything uses every site type and prop, so terraform validate
// checks them against the provider schema.
func sitesEverything(s *Stack) any {
	api := NewApi(s, "Api", ApiProps{Routes: map[string]ApiRoute{"GET /": {Handler: nodeHandler}}})
	NewStaticSite(s, "Web", StaticSiteProps{
		Path: "site", BuildCommand: "./build.sh", BuildOutput: "dist",
		Environment:  map[string]any{"API_URL": api.URL(), "STAGE": "test", "N": 3},
		SPA:          true,
		CustomDomain: &CustomDomain{DomainName: "www.example.com", HostedZone: "example.com"},
	})
	NewStaticSite(s, "Docs", StaticSiteProps{Path: "site/public", ErrorPage: "404.html", CustomDomain: &CustomDomain{DomainName: "docs.example.com", HostedZone: "example.com", CertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc"}})
	NewNextjsSite(s, "Next", NextjsSiteProps{
		Path: "ssr/next", BuildCommand: "true", Environment: map[string]any{"API_URL": api.URL()},
		Bind: []Bindable{api}, Permissions: []Permission{Allow([]string{"s3:GetObject"}, "arn:aws:s3:::b/*")},
		MemorySize: 2048, Timeout: 30 * time.Second, Warm: 1,
		CustomDomain: &CustomDomain{DomainName: "app.example.com", HostedZone: "example.com"},
		Regional:     SsrSiteRegional{EnableServerURLIAMAuth: true},
	})
	NewAstroSite(s, "Astro", AstroSiteProps{Path: "ssr/astro", BuildCommand: "true"})
	NewSvelteKitSite(s, "Svelte", SvelteKitSiteProps{Path: "ssr/svelte", BuildCommand: "true"})
	return nil
}

// TestSitesTerraformValidate fails, rather than skips, when terraform or
// the provider mirror is missing.
func TestSitesTerraformValidate(t *testing.T) {
	if _, err := exec.LookPath("terraform"); err != nil {
		t.Fatalf("terraform is not on PATH: %v", err)
	}
	env := testenv.TerraformEnv(t)
	opts := testOptions(t)
	opts.Region = "eu-west-1" // certificates then come from the us-east-1 alias
	m, err := Synth(Config{Name: "sites"}, opts, stacks(t, sitesEverything)...)
	if err != nil {
		t.Fatal(err)
	}
	checkFunctionsComplete(t, opts.OutDir, m)
	validateStacks(t, env, filepath.Join(opts.OutDir, m.Stacks[0].Dir))
}
