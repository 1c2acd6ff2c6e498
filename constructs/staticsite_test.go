package sst

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sst-tf/sst/manifest"
)

// TestStaticSite synthesizes a site whose build embeds a literal and an
// Api URL known only after deploy, and checks bucket, distribution,
// objects and manifest.
func TestStaticSite(t *testing.T) {
	opts := testOptions(t)
	var siteURL string
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t,
		func(s *Stack) any {
			return NewApi(s, "Api", ApiProps{Routes: map[string]ApiRoute{"GET /": {Handler: nodeHandler}}})
		},
		func(s *Stack) any {
			api := Use[*Api](s, First)
			site := NewStaticSite(s, "Web", StaticSiteProps{
				Path:         "site",
				BuildCommand: "./build.sh",
				Environment:  map[string]any{"API_URL": api.URL(), "STAGE": "test"},
				SPA:          true,
			})
			siteURL = site.URL()
			NewFunction(s, "Fn", FunctionProps{Handler: nodeHandler, Bind: []Bindable{site}})
			s.AddOutputs(map[string]any{"SiteUrl": site.URL()})
			return site
		})...)

	// The app's SiteUrl is its own; the site's outputs for sst are not.
	for _, o := range s.manifestStack(t, "Second").Outputs {
		if (o.Name == "SiteUrl") == o.Internal || (o.Name != "SiteUrl" && !strings.HasPrefix(o.Name, "Web_")) {
			t.Errorf("manifest output %+v", o)
		}
	}

	if !strings.HasPrefix(siteURL, "https://") {
		t.Errorf("URL() = %q", siteURL)
	}
	b := s.resource(t, "Second", "aws_s3_bucket", "Web_assets")
	if b["bucket"] != "test-notes-web-assets" || b["force_destroy"] != true {
		t.Errorf("bucket = %v", b)
	}
	pab := s.resource(t, "Second", "aws_s3_bucket_public_access_block", "Web_assets_public_access")
	for _, k := range []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} {
		if pab[k] != true {
			t.Errorf("public access block %s = %v", k, pab[k])
		}
	}
	oac := s.resource(t, "Second", "aws_cloudfront_origin_access_control", "Web_oac")
	if oac["origin_access_control_origin_type"] != "s3" || oac["signing_behavior"] != "always" || oac["signing_protocol"] != "sigv4" {
		t.Errorf("OAC = %v", oac)
	}

	d := s.resource(t, "Second", "aws_cloudfront_distribution", "Web_distribution")
	wantJSON(t, "origin", at(d, "origin"), []any{map[string]any{
		"domain_name":              "${aws_s3_bucket.Web_assets.bucket_regional_domain_name}",
		"origin_access_control_id": "${aws_cloudfront_origin_access_control.Web_oac.id}",
		"origin_id":                "s3",
	}})
	wantJSON(t, "default behaviour", at(d, "default_cache_behavior"), map[string]any{
		"allowed_methods": []string{"GET", "HEAD", "OPTIONS"}, "cached_methods": []string{"GET", "HEAD"},
		"cache_policy_id": cachingOptimizedPolicy, "compress": true, "target_origin_id": "s3",
		"viewer_protocol_policy": "redirect-to-https",
	})
	if d["default_root_object"] != "index.html" {
		t.Errorf("default_root_object = %v", d["default_root_object"])
	}
	// SPA: both "no such key" answers of a private bucket become index.html.
	wantJSON(t, "error responses", at(d, "custom_error_response"), []any{
		map[string]any{"error_caching_min_ttl": 0, "error_code": 403, "response_code": 200, "response_page_path": "/index.html"},
		map[string]any{"error_caching_min_ttl": 0, "error_code": 404, "response_code": 200, "response_page_path": "/index.html"},
	})
	if at(d, "viewer_certificate", "cloudfront_default_certificate") != true {
		t.Errorf("viewer certificate = %v", at(d, "viewer_certificate"))
	}

	// Only this distribution may read.
	pol := s.resource(t, "Second", "aws_s3_bucket_policy", "Web_assets_policy")
	var doc map[string]any
	if err := json.Unmarshal([]byte(pol["policy"].(string)), &doc); err != nil {
		t.Fatal(err)
	}
	wantJSON(t, "read statement", at(doc, "Statement", 0), map[string]any{
		"Action": "s3:GetObject", "Effect": "Allow", "Sid": "CloudFrontRead",
		"Principal": map[string]any{"Service": "cloudfront.amazonaws.com"},
		"Resource":  "${aws_s3_bucket.Web_assets.arn}/*",
		"Condition": map[string]any{"StringEquals": map[string]any{"AWS:SourceArn": "${aws_cloudfront_distribution.Web_distribution.arn}"}},
	})
	if n := len(doc["Statement"].([]any)); n != 1 {
		t.Errorf("policy has %d statements, want only the CloudFront read", n)
	}

	// No object is a Terraform resource: the CLI uploads the plan.
	if got := s.resources("Second", "aws_s3_object"); len(got) != 0 {
		t.Errorf("objects in the Terraform JSON: %v", keys(got))
	}
	up := s.siteUpload(t, "Second", "Web")
	if up.Bucket != "Web_bucket" || up.Distribution != "Web_distribution_id" || up.Server != "" || len(up.Keep) != 0 || up.WaitForInvalidation {
		t.Errorf("upload plan = %+v", up)
	}
	want := map[string][2]string{
		"index.html":             {"text/html; charset=utf-8", cacheHTML},
		"404.html":               {"text/html; charset=utf-8", cacheHTML},
		"favicon.svg":            {"image/svg+xml", cacheOther},
		"robots.txt":             {"text/plain; charset=utf-8", cacheOther},
		"assets/style.css":       {"text/css; charset=utf-8", cacheOther},
		"assets/app-3f9a1c2b.js": {"text/javascript; charset=utf-8", cacheImmutable},
	}
	if len(up.Files) != len(want) {
		t.Errorf("files = %+v, want %d", up.Files, len(want))
	}
	for _, f := range up.Files {
		w, ok := want[f.Key]
		if p, served := up.ServedPath(f.Key); !ok || f.ContentType != w[0] || f.CacheControl != w[1] || !served || p != f.Key {
			t.Errorf("%s: content type %q, cache control %q, served at %q; want %v", f.Key, f.ContentType, f.CacheControl, p, w)
		}
		if _, err := os.Stat(filepath.Join(s.out, "stacks", "Second", f.Source)); err != nil {
			t.Errorf("%s: source %q does not resolve from the stack dir: %v", f.Key, f.Source, err)
		}
		if len(f.MD5) != 32 {
			t.Errorf("%s: md5 %q", f.Key, f.MD5)
		}
		// The script holds the Api URL placeholder: the deploy fills it in.
		if f.Replace != (f.Key == "assets/app-3f9a1c2b.js") {
			t.Errorf("%s: replace = %v", f.Key, f.Replace)
		}
	}
	wantJSON(t, "placeholders", up.Replace, map[string]string{"{{ API_URL }}": "Web_env_API_URL"})
	built, err := os.ReadFile(filepath.Join(testProject(t), "site", "dist", "assets", "app-3f9a1c2b.js"))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(built); !strings.Contains(got, `api: "{{ API_URL }}"`) || !strings.Contains(got, `stage: "test"`) {
		t.Errorf("the build saw the wrong environment: %s", got)
	}

	// Outputs and manifest: the `sst env` contract.
	outs := asMap(s.stacks["Second"]["output"])
	for _, o := range []string{"Web_url", "Web_distribution_id", "Web_bucket", "Web_env_API_URL"} {
		if _, ok := outs[o]; !ok {
			t.Errorf("no output %s: %v", o, keys(outs))
		} else if asMap(outs[o])["sensitive"] == true {
			t.Errorf("output %s is sensitive: `sst env` reads it from the outputs file", o)
		}
	}
	var c map[string]string
	for _, st := range s.m.Stacks {
		for _, con := range st.Constructs {
			if con.ID == "Web" {
				if con.Type != "StaticSite" {
					t.Errorf("type %s", con.Type)
				}
				c = con.Data
			}
		}
	}
	for k, v := range map[string]string{
		"path": "site", "url": "@output:Second/Web_url", "distributionId": "@output:Second/Web_distribution_id",
		"env.STAGE": "test", "env.API_URL": "@output:Second/Web_env_API_URL",
	} {
		if c[k] != v {
			t.Errorf("manifest %s = %q, want %q", k, c[k], v)
		}
	}
	if got := s.env(t, "Second", "Fn")["SST_StaticSite_url_Web"]; got == nil || !strings.HasPrefix(got.(string), "https://${aws_cloudfront_distribution.Web_distribution.domain_name}") {
		t.Errorf("SST_StaticSite_url_Web = %v", got)
	}
}

// TestStaticSiteDomainAndErrorPage: a custom domain issues a us-east-1
// certificate and alias records; ErrorPage answers 404s.
func TestStaticSiteDomainAndErrorPage(t *testing.T) {
	opts := testOptions(t)
	opts.Region = "eu-west-1"
	opts.Profile = "ci"
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		return NewStaticSite(s, "Docs", StaticSiteProps{
			Path:         "site/public",
			ErrorPage:    "404.html",
			CustomDomain: &CustomDomain{DomainName: "docs.example.com", HostedZone: "example.com"},
		})
	})...)
	d := s.resource(t, "First", "aws_cloudfront_distribution", "Docs_distribution")
	wantJSON(t, "aliases", d["aliases"], []string{"docs.example.com"})
	wantJSON(t, "error responses", at(d, "custom_error_response", 1), map[string]any{
		"error_caching_min_ttl": 0, "error_code": 404, "response_code": 404, "response_page_path": "/404.html",
	})
	wantJSON(t, "certificate", at(d, "viewer_certificate"), map[string]any{
		"acm_certificate_arn":      "${aws_acm_certificate_validation.Docs_certificate_validation.certificate_arn}",
		"minimum_protocol_version": "TLSv1.2_2021", "ssl_support_method": "sni-only",
	})
	cert := s.resource(t, "First", "aws_acm_certificate", "Docs_certificate")
	if cert["provider"] != "aws.Docs_us_east_1" {
		t.Errorf("certificate provider = %v, want the us-east-1 alias", cert["provider"])
	}
	// The alias is the stack's provider but for its region: the same
	// profile, tags and retries (an alias without them created the
	// certificate with other credentials, untagged).
	providers := map[string]map[string]any{}
	for _, p := range at(s.stack(t, "First"), "provider", "aws").([]any) {
		p := maps.Clone(p.(map[string]any))
		alias, _ := p["alias"].(string)
		if alias == "" && p["region"] != "eu-west-1" || alias != "" && p["region"] != "us-east-1" {
			t.Errorf("provider %q in region %v", alias, p["region"])
		}
		delete(p, "alias")
		delete(p, "region")
		providers[alias] = p
	}
	if len(providers) != 2 || providers[""]["profile"] != "ci" {
		t.Fatalf("providers: %v", providers)
	}
	if !reflect.DeepEqual(providers[""], providers["Docs_us_east_1"]) {
		t.Errorf("the us-east-1 alias differs from the stack's provider beyond its region:\nstack %v\nalias %v", providers[""], providers["Docs_us_east_1"])
	}
	for _, typ := range []string{"a", "aaaa"} {
		r := s.resource(t, "First", "aws_route53_record", "Docs_domain_record_"+typ)
		if at(r, "alias", "name") != "${aws_cloudfront_distribution.Docs_distribution.domain_name}" || r["name"] != "docs.example.com" {
			t.Errorf("record %s = %v", typ, r)
		}
	}
	if up := s.siteUpload(t, "First", "Docs"); len(up.Replace) != 0 || len(up.Files) == 0 {
		t.Errorf("a site without tokens: upload plan %+v", up)
	}
}

// TestSiteBadInput: each mistake fails synthesis naming the site and the
// prop, shows a failing build's own output, and writes nothing.
func TestSiteBadInput(t *testing.T) {
	static := func(props StaticSiteProps) body {
		return func(s *Stack) any { return NewStaticSite(s, "Web", props) }
	}
	next := func(props NextjsSiteProps) body {
		return func(s *Stack) any { return NewNextjsSite(s, "App", props) }
	}
	astro := func(props AstroSiteProps) body {
		return func(s *Stack) any { return NewAstroSite(s, "App", props) }
	}
	tests := []struct {
		name string
		body body
		want []string
	}{
		{"ssr: Path defaults to the project", next(NextjsSiteProps{BuildCommand: "true"}), []string{`NextjsSite "App"`, ".open-next/open-next.output.json is missing after the build"}},
		{"ssr: failing build", next(NextjsSiteProps{Path: "site", BuildCommand: "FAIL=1 ./build.sh"}), []string{`NextjsSite "App"`, "exit status 3", "bundler: cannot resolve ./missing.js"}},
		{"ssr: no OpenNext output after the build", next(NextjsSiteProps{Path: "site", BuildCommand: "true"}), []string{`NextjsSite "App"`, ".open-next/open-next.output.json is missing after the build", "@opennextjs/aws"}},
		{"ssr: no adapter output after the build", astro(AstroSiteProps{Path: "site", BuildCommand: "true"}), []string{`AstroSite "App"`, "dist/server/entry.mjs", "missing after the build"}},
		{"ssr: custom domain without hosted zone", next(NextjsSiteProps{Path: "ssr/next", BuildCommand: "true", CustomDomain: &CustomDomain{DomainName: "app.example.com"}}), []string{`NextjsSite "App"`, "CustomDomain.HostedZone is required"}},
		{"ssr: warm without a warmer", astro(AstroSiteProps{Path: "ssr/astro", BuildCommand: "true", Warm: 2}), []string{`AstroSite "App"`, "Warm", "no warmer"}},
		{"ssr: timeout over CloudFront's", next(NextjsSiteProps{Path: "ssr/next", BuildCommand: "true", Timeout: 2 * time.Minute}), []string{`NextjsSite "App"`, "Timeout 2m", "at most 1m"}},
		{"ssr: memory out of range", next(NextjsSiteProps{Path: "ssr/next", BuildCommand: "true", MemorySize: 64}), []string{"App_server", "MemorySize 64"}},
		{"default path without a build", static(StaticSiteProps{}), []string{`StaticSite "Web"`, `Path defaults to the project itself (".")`, "whole project would be uploaded"}},
		{"default path, build output missing", static(StaticSiteProps{BuildCommand: "true"}), []string{`StaticSite "Web"`, `BuildOutput "dist"`, "not a directory after the build"}},
		{"bad file options", static(StaticSiteProps{Path: "site/public", FileOptions: []SiteFileOption{{CacheControl: "no-store"}, {Files: "*.html"}, {Files: "[", ContentType: "text/plain"}}}),
			[]string{`FileOptions[0] Files is empty`, `FileOptions[1] Files "*.html": set CacheControl or ContentType`, `FileOptions[2] glob "["`}},
		{"bad replace values", func(s *Stack) any {
			bucket := NewBucket(s, "Files", BucketProps{})
			return NewStaticSite(s, "Web", StaticSiteProps{Path: "site/public", Environment: map[string]any{"API": bucket.Arn()}, ReplaceValues: []SiteReplaceValue{
				{Search: "a", Replace: "b"}, {Files: "*", Search: "{{ API }}", Replace: "c"}, {Files: "*", Search: "d"}, {Files: "*", Search: "e", Replace: "1"}, {Files: "*", Search: "e", Replace: "2"}}})
		},
			[]string{`ReplaceValues[0]: Files is empty`, `ReplaceValues[1]: Search "{{ API }}" is already replaced`, `ReplaceValues[2]: Replace is empty for Search "d"`, `ReplaceValues[4]: Search "e" is already replaced`}},
		{"path not a directory", static(StaticSiteProps{Path: "nope"}), []string{`StaticSite "Web"`, `Path "nope"`, "no such directory"}},
		{"failing build", static(StaticSiteProps{Path: "site", BuildCommand: "FAIL=1 ./build.sh"}),
			[]string{`StaticSite "Web"`, `build command "FAIL=1 ./build.sh"`, "exit status 3", "bundler: cannot resolve ./missing.js"}},
		{"build output missing", static(StaticSiteProps{Path: "site", BuildCommand: "./build.sh", BuildOutput: "build"}),
			[]string{`StaticSite "Web"`, `BuildOutput "build"`, "not a directory after the build"}},
		{"custom domain without hosted zone", static(StaticSiteProps{Path: "site/public", CustomDomain: &CustomDomain{DomainName: "www.example.com"}}),
			[]string{`StaticSite "Web"`, "CustomDomain.HostedZone is required", `"example.com"`}},
		{"index page missing", static(StaticSiteProps{Path: "site/public", IndexPage: "home.html"}), []string{`IndexPage "home.html"`, "not in the build output"}},
		{"error page missing", static(StaticSiteProps{Path: "site/public", ErrorPage: "oops.html"}), []string{`ErrorPage "oops.html"`}},
		{"ssr: bad asset options", astro(AstroSiteProps{Path: "ssr/astro", BuildCommand: "true", Assets: SsrSiteAssets{
			VersionedFilesTTL: -time.Second, NonVersionedFilesTTL: time.Hour, NonVersionedFilesCacheHeader: "no-store", VersionedFilesCacheHeader: "a\nb", FileOptions: []SiteFileOption{{Files: "*.ico"}},
		}}), []string{`AstroSite "App"`, "Assets.VersionedFilesTTL -1s: must be a positive whole number of seconds", "Assets.NonVersionedFilesTTL and Assets.NonVersionedFilesCacheHeader both set", `Assets.FileOptions[0] Files "*.ico": set CacheControl or ContentType`}},
		{"ssr: TTL of a fraction of a second", astro(AstroSiteProps{Path: "ssr/astro", BuildCommand: "true", Assets: SsrSiteAssets{NonVersionedFilesTTL: 1500 * time.Millisecond}}), []string{"Assets.NonVersionedFilesTTL 1.5s: must be a positive whole number of seconds"}},
		{"ssr: header on two lines", astro(AstroSiteProps{Path: "ssr/astro", BuildCommand: "true", Assets: SsrSiteAssets{VersionedFilesCacheHeader: "public,\nmax-age=1"}}), []string{`Assets.VersionedFilesCacheHeader "public,\nmax-age=1": a header value is one line`}},
		{"environment of a bad type", static(StaticSiteProps{Path: "site/public", Environment: map[string]any{"N": []string{"x"}}}), []string{`Environment "N"`, "[]string"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := synthErr(t, Config{Name: "notes"}, testOptions(t), stacks(t, tt.body)...)
			wantContains(t, msg, append([]string{"stack First"}, tt.want...)...)
			t.Log(msg)
		})
	}
}

// TestSitesRemoveMode: `sst remove` synthesizes without building, so a
// broken build or a missing output never blocks removing a stage.
func TestSitesRemoveMode(t *testing.T) {
	opts := testOptions(t)
	opts.Mode = "remove"
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		NewStaticSite(s, "Web", StaticSiteProps{Path: "site", BuildCommand: "FAIL=1 ./build.sh", BuildOutput: "never-built"})
		NewNextjsSite(s, "Next", NextjsSiteProps{Path: "site", BuildCommand: "exit 1"})
		return nil
	})...)
	if _, ok := s.resources("First", "aws_cloudfront_distribution")["Web_distribution"]; !ok {
		t.Error("the static site's distribution is not in the JSON")
	}
	if up := s.siteUpload(t, "First", "Web"); len(up.Files) != 0 {
		t.Errorf("remove mode uploads %+v", up.Files)
	}
	if _, ok := s.resources("First", "aws_lambda_function")["Next_server"]; !ok {
		t.Error("the Next.js server function is not in the JSON")
	}
}

// siteUpload reads a site's upload plan through its manifest entry, as
// the CLI does.
func (s *synthesized) siteUpload(t *testing.T, stack, id string) manifest.SiteUpload {
	t.Helper()
	for _, c := range s.manifestStack(t, stack).Constructs {
		if c.ID != id {
			continue
		}
		st := s.manifestStack(t, stack)
		b, err := os.ReadFile(filepath.Join(s.out, st.Dir, filepath.FromSlash(c.Data[manifest.SiteAssets])))
		if err != nil {
			t.Fatalf("%s upload plan: %v", id, err)
		}
		var u manifest.SiteUpload
		if err := json.Unmarshal(b, &u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	t.Fatalf("stack %s has no construct %s", stack, id)
	return manifest.SiteUpload{}
}

// planFiles are a plan's files by key.
func planFiles(u manifest.SiteUpload) map[string]manifest.SiteFile {
	out := map[string]manifest.SiteFile{}
	for _, f := range u.Files {
		out[f.Key] = f
	}
	return out
}

// TestStaticSiteFileOptionsAndDefaultPath: Path defaults to the project
// (BuildOutput relative to it), and FileOptions set the headers of the
// files their globs match, later options winning, Ignore excepted.
func TestStaticSiteFileOptionsAndDefaultPath(t *testing.T) {
	s := synthOK(t, Config{Name: "notes"}, testOptions(t), stacks(t, func(s *Stack) any {
		return NewStaticSite(s, "Web", StaticSiteProps{BuildOutput: "site/public", WaitForInvalidation: true, FileOptions: []SiteFileOption{
			{Files: "*.html", CacheControl: "no-store"},
			{Files: "assets/**", CacheControl: "public,max-age=60", ContentType: "text/css"},
			{Files: "**/*.svg", ContentType: "image/svg+xml; charset=utf-8"},
			{Files: "*.txt", Ignore: "robots.txt", CacheControl: "never applied"},
			{Files: "404.html", CacheControl: "public,max-age=300"},
		}})
	})...)
	if !s.siteUpload(t, "First", "Web").WaitForInvalidation {
		t.Error("the upload plan does not say to wait for the invalidation")
	}
	got := map[string]string{}
	for _, f := range s.siteUpload(t, "First", "Web").Files {
		got[f.Key] = f.CacheControl + " | " + f.ContentType
	}
	wantJSON(t, "headers", got, map[string]string{
		"404.html":         "public,max-age=300 | text/html; charset=utf-8",
		"assets/style.css": "public,max-age=60 | text/css",
		"favicon.svg":      cacheOther + " | image/svg+xml; charset=utf-8",
		"index.html":       "no-store | text/html; charset=utf-8",
		"robots.txt":       cacheOther + " | text/plain; charset=utf-8",
	})
	for _, c := range []struct {
		pattern, key string
		want         bool
	}{
		{"*.js", "a/b/c.js", true}, {"assets/*", "assets/a/b.css", false}, {"assets/**", "assets/a/b.css", true},
		{"**/b.css", "b.css", true}, {"a/**/c", "a/x/y/c", true}, {"a/**/c", "a/x/y/d", false},
	} {
		if globMatch(c.pattern, c.key) != c.want {
			t.Errorf("globMatch(%q, %q) = %v", c.pattern, c.key, !c.want)
		}
	}
}

// TestStaticSiteReplaceValues: each entry's text is replaced after the
// deploy, with its value read from a stack output, only in the files its
// glob matches and that hold it.
func TestStaticSiteReplaceValues(t *testing.T) {
	s := synthOK(t, Config{Name: "notes"}, testOptions(t), stacks(t, func(s *Stack) any {
		api := NewApi(s, "Api", ApiProps{Routes: map[string]ApiRoute{"GET /": {Handler: nodeHandler}}})
		return NewStaticSite(s, "Web", StaticSiteProps{Path: "site/public", ReplaceValues: []SiteReplaceValue{
			{Files: "index.html", Search: "docs", Replace: api.URL()},
			{Files: "*.html", Search: "not found", Replace: "missing"},
			{Files: "*.txt", Search: "nowhere", Replace: "x"},
		}})
	})...)
	u := s.siteUpload(t, "First", "Web")
	wantJSON(t, "replace", u.Replace, map[string]string{"docs": "Web_replace_0", "not found": "Web_replace_1", "nowhere": "Web_replace_2"})
	search := map[string][]string{}
	for _, f := range u.Files {
		if f.Replace != (len(f.Search) > 0) {
			t.Errorf("%s: Replace %v with Search %v", f.Key, f.Replace, f.Search)
		}
		search[f.Key] = f.Search
	}
	wantJSON(t, "search", search, map[string][]string{"index.html": {"docs"}, "404.html": {"not found"}, "assets/style.css": nil, "favicon.svg": nil, "robots.txt": nil})
	outs := asMap(s.stacks["First"]["output"])
	if v := asMap(outs["Web_replace_0"])["value"]; v != "${aws_apigatewayv2_api.Api.api_endpoint}" {
		t.Errorf("Web_replace_0 = %v", v)
	}
	if v := asMap(outs["Web_replace_1"])["value"]; v != "missing" {
		t.Errorf("Web_replace_1 = %v", v)
	}
}
