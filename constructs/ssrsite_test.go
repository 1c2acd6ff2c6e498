package sst

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// behaviours maps path patterns to target origins, "*" for the default.
func behaviours(d map[string]any) map[string]string {
	out := map[string]string{"*": at(d, "default_cache_behavior", "target_origin_id").(string)}
	list, _ := d["ordered_cache_behavior"].([]any)
	for _, b := range list {
		out[at(b, "path_pattern").(string)] = at(b, "target_origin_id").(string)
	}
	return out
}

// TestNextjsSite maps a real OpenNext output (trimmed, testdata/app/ssr/next)
// onto functions, queue, table, bucket and distribution.
func TestNextjsSite(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		table := notesTable(s)
		return NewNextjsSite(s, "Web", NextjsSiteProps{
			Path:         "ssr/next",
			BuildCommand: "true",
			Environment:  map[string]any{"NEXT_PUBLIC_TABLE": table.TableName(), "API_KEY": "k"},
			Bind:         []Bindable{table},
			MemorySize:   2048,
			Timeout:      20 * time.Second,
			Warm:         3,
		})
	})...)
	const st = "First"
	fns := s.resources(st, "aws_lambda_function")
	for _, id := range []string{"Web_server", "Web_image", "Web_revalidation", "Web_warmer"} {
		f, ok := fns[id]
		if !ok {
			t.Fatalf("no function %s: %v", id, keys(fns))
		}
		if f["handler"] != "index.handler" || f["runtime"] != "nodejs20.x" || !strings.HasSuffix(f["filename"].(string), ".zip") {
			t.Errorf("%s: handler %v runtime %v filename %v", id, f["handler"], f["runtime"], f["filename"])
		}
	}
	if srv := fns["Web_server"]; srv["memory_size"] != 2048.0 && srv["memory_size"] != 2048 {
		t.Errorf("server memory = %v", srv["memory_size"])
	}
	env := s.env(t, st, "Web_server")
	for k, want := range map[string]string{
		"CACHE_BUCKET_NAME": "${aws_s3_bucket.Web_assets.bucket}", "CACHE_BUCKET_KEY_PREFIX": "_cache", "CACHE_BUCKET_REGION": "us-east-1",
		"REVALIDATION_QUEUE_URL": "${aws_sqs_queue.Web_revalidation_queue.url}", "CACHE_DYNAMO_TABLE": "${aws_dynamodb_table.Web_revalidation_table.name}",
		"API_KEY": "k", "NEXT_PUBLIC_TABLE": "test-notes-Notes", "SST_Table_tableName_Notes": "test-notes-Notes",
	} {
		if env[k] != want {
			t.Errorf("server env %s = %v, want %v", k, env[k], want)
		}
	}
	if got := s.env(t, st, "Web_image"); got["BUCKET_KEY_PREFIX"] != "_assets" {
		t.Errorf("image env = %v", got)
	}
	if got := s.env(t, st, "Web_warmer"); got["CONCURRENCY"] != "3" || got["FUNCTION_NAME"] != "test-notes-Web_server" {
		t.Errorf("warmer env = %v", got)
	}
	p := s.policy(t, st, "Web_server")
	if got := p.grants("s3:PutObject"); !slices.Equal(got, []string{"${aws_s3_bucket.Web_assets.arn}/_cache/*"}) {
		t.Errorf("server writes %v, want only the cache prefix", got)
	}
	if got := p.grants("sqs:SendMessage"); !slices.Equal(got, []string{"${aws_sqs_queue.Web_revalidation_queue.arn}"}) {
		t.Errorf("server sends to %v", got)
	}
	if got := p.grants("dynamodb:GetItem"); len(got) < 3 { // the Notes binding plus the tag table and its index
		t.Errorf("server reads %v", got)
	}
	if got := s.policy(t, st, "Web_warmer").grants("lambda:InvokeFunction"); !slices.Equal(got, []string{"${aws_lambda_function.Web_server.arn}"}) {
		t.Errorf("warmer invokes %v", got)
	}

	url := s.resource(t, st, "aws_lambda_function_url", "Web_server_url")
	if url["authorization_type"] != "NONE" {
		t.Errorf("server URL = %v", url)
	}
	q := s.resource(t, st, "aws_sqs_queue", "Web_revalidation_queue")
	if q["fifo_queue"] != true || q["sqs_managed_sse_enabled"] != true || !strings.HasSuffix(q["name"].(string), ".fifo") {
		t.Errorf("revalidation queue = %v", q)
	}
	m := s.resource(t, st, "aws_lambda_event_source_mapping", "Web_revalidation_mapping")
	if m["event_source_arn"] != "${aws_sqs_queue.Web_revalidation_queue.arn}" || m["function_name"] != "${aws_lambda_function.Web_revalidation.arn}" {
		t.Errorf("revalidation mapping = %v", m)
	}
	tbl := s.resource(t, st, "aws_dynamodb_table", "Web_revalidation_table")
	if tbl["hash_key"] != "tag" || tbl["range_key"] != "path" || at(tbl, "global_secondary_index", 0, "name") != "revalidate" {
		t.Errorf("tag table = %v", tbl)
	}
	seed := s.resource(t, st, "aws_dynamodb_table_item", "Web_revalidation_seed")
	if n := len(asMap(seed["for_each"])); n != 4 {
		t.Errorf("seeded %d items, want the build's 4", n)
	}
	if at(s.resource(t, st, "aws_cloudwatch_event_rule", "Web_warmer_schedule"), "schedule_expression") != "rate(5 minutes)" {
		t.Error("warmer schedule")
	}

	d := s.resource(t, st, "aws_cloudfront_distribution", "Web_distribution")
	wantJSON(t, "behaviours", behaviours(d), map[string]string{
		"*": "server", "_next/image*": "image", "_next/data/*": "server", "api/*": "server",
		"BUILD_ID": "s3", "_next/*": "s3", "favicon.svg": "s3",
	})
	list := d["ordered_cache_behavior"].([]any)
	if at(list, 0, "path_pattern") != "_next/image*" {
		t.Errorf("the image behaviour must come before _next/*: %v", at(list, 0, "path_pattern"))
	}
	for _, b := range append(list, d["default_cache_behavior"]) {
		if at(b, "target_origin_id") == "s3" {
			if at(b, "cache_policy_id") != cachingOptimizedPolicy || at(b, "function_association") != nil {
				t.Errorf("s3 behaviour %v", b)
			}
			continue
		}
		if at(b, "cache_policy_id") != "${aws_cloudfront_cache_policy.Web_server_cache.id}" || at(b, "origin_request_policy_id") != allViewerExceptHostPolicy ||
			at(b, "function_association", 0, "function_arn") != "${aws_cloudfront_function.Web_viewer_request.arn}" {
			t.Errorf("function behaviour %v", b)
		}
	}
	origins := map[string]any{}
	for _, o := range d["origin"].([]any) {
		origins[at(o, "origin_id").(string)] = o
	}
	if at(origins["s3"], "origin_path") != "/_assets" || at(origins["server"], "custom_origin_config", "origin_protocol_policy") != "https-only" ||
		!strings.Contains(at(origins["server"], "domain_name").(string), "aws_lambda_function_url.Web_server_url.function_url") {
		t.Errorf("origins = %v", origins)
	}
	fn := s.resource(t, st, "aws_cloudfront_function", "Web_viewer_request")
	wantContains(t, fn["code"].(string), `request.headers["x-forwarded-host"] = request.headers.host`)
	cp := s.resource(t, st, "aws_cloudfront_cache_policy", "Web_server_cache")
	wantContains(t, jsonString(t, cp), `"rsc"`, `"next-router-state-tree"`, `"query_string_behavior":"all"`)

	up := s.siteUpload(t, st, "Web")
	files := planFiles(up)
	for k, cc := range map[string]string{
		"_assets/_next/static/chunks/255-73938ce8a8eac1ad.js": cacheImmutable,
		"_assets/_next/static/BUILDID1/_buildManifest.js":     cacheImmutable,
		"_assets/BUILD_ID":    cacheOther,
		"_assets/favicon.svg": cacheOther,
	} {
		if got := files[k].CacheControl; got != cc {
			t.Errorf("%s: cache control %v, want %v (keys %v)", k, got, cc, keys(files))
		}
	}
	// Served paths drop the origin path; the cache is not served, is
	// uploaded, and is never pruned (the server writes it).
	if p, ok := up.ServedPath("_assets/favicon.svg"); !ok || p != "favicon.svg" {
		t.Errorf("favicon path = %q, %v", p, ok)
	}
	var cache int
	for k := range files {
		if strings.HasPrefix(k, "_cache/") {
			cache++
			if p, ok := up.ServedPath(k); ok {
				t.Errorf("%s is served at %q", k, p)
			}
		}
	}
	if cache == 0 || !slices.Equal(up.Keep, []string{"_cache/"}) || len(up.Server) == 0 {
		t.Errorf("%d cache objects, keep %v, server hash %q", cache, up.Keep, up.Server)
	}
	var data map[string]string
	for _, c := range s.manifestStack(t, st).Constructs {
		if c.ID == "Web" && c.Type == "NextjsSite" {
			data = c.Data
		}
	}
	if data["path"] != "ssr/next" || data["url"] != "@output:First/Web_url" || data["env.API_KEY"] != "k" || data["env.NEXT_PUBLIC_TABLE"] != "test-notes-Notes" {
		t.Errorf("manifest data = %v", data)
	}
	if n := len(s.manifestStack(t, st).Functions); n < 4 {
		t.Errorf("manifest lists %d functions, want the site's 4 and more", n)
	}
}

// TestSsrSiteAdapters maps each adapter's checked-in output onto the base.
func TestSsrSiteAdapters(t *testing.T) {
	opts := testOptions(t)
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		NewAstroSite(s, "Astro", AstroSiteProps{Path: "ssr/astro", BuildCommand: "true", Cdk: SsrSiteCdkProps{ServerCachePolicyID: "existing", ViewerRequestFunctionARN: "arn:fn"}})
		NewRemixSite(s, "Remix", RemixSiteProps{Path: "ssr/remix", BuildCommand: "true", WaitForInvalidation: true, Assets: SsrSiteAssets{
			VersionedFilesTTL: 30 * 24 * time.Hour, NonVersionedFilesTTL: 4 * time.Hour,
			FileOptions: []SiteFileOption{{Files: "*.ico", ContentType: "image/vnd.microsoft.icon"}},
		}})
		NewSolidStartSite(s, "Solid", SolidStartSiteProps{Path: "ssr/solid", BuildCommand: "true"})
		NewSvelteKitSite(s, "Svelte", SvelteKitSiteProps{Path: "ssr/svelte", BuildCommand: "true"})
		return nil
	})...)
	const st = "First"
	fns := s.resources(st, "aws_lambda_function")
	// Each adapter's entry is bundled beside itself (it may import the
	// framework from node_modules, which the zip does not hold).
	for id, handler := range map[string]string{"Astro": "sst-server.handler", "Remix": "sst-server.handler", "Solid": "sst-server.handler", "Svelte": "lambda-handler/sst-server.handler"} {
		if got := fns[id+"_server"]["handler"]; got != handler {
			t.Errorf("%s server handler = %v, want %s", id, got, handler)
		}
		if _, ok := fns[id+"_image"]; ok {
			t.Errorf("%s has an image function", id)
		}
	}
	for id, want := range map[string]map[string]string{
		"Astro":  {"*": "server", "_astro/*": "s3", "favicon.svg": "s3"},
		"Remix":  {"*": "server", "assets/*": "s3", "favicon.ico": "s3"},
		"Solid":  {"*": "server", "assets/*": "s3"},
		"Svelte": {"*": "server", "_app/*": "s3", "about.html": "s3"},
	} {
		wantJSON(t, id+" behaviours", behaviours(s.resource(t, st, "aws_cloudfront_distribution", id+"_distribution")), want)
	}
	astro := s.resource(t, st, "aws_cloudfront_distribution", "Astro_distribution")
	if at(astro, "default_cache_behavior", "cache_policy_id") != "existing" || at(astro, "default_cache_behavior", "function_association", 0, "function_arn") != "arn:fn" {
		t.Errorf("Astro's Cdk overrides were not used: %v", at(astro, "default_cache_behavior"))
	}
	if _, ok := s.resources(st, "aws_cloudfront_function")["Astro_viewer_request"]; ok {
		t.Error("Astro created a viewer-request function although one was given")
	}
	// Remix's TTLs and file options; the other sites keep the defaults
	// and do not wait for their invalidations.
	remixUp := s.siteUpload(t, st, "Remix")
	remix := planFiles(remixUp)
	wantJSON(t, "Remix headers", map[string]any{
		"versioned": remix["assets/entry.client-Cq7Yb2mH.js"].CacheControl,
		"favicon":   []string{remix["favicon.ico"].CacheControl, remix["favicon.ico"].ContentType},
		"wait":      remixUp.WaitForInvalidation,
	}, map[string]any{
		"versioned": "public,max-age=2592000,immutable",
		"favicon":   []string{"public,max-age=0,s-maxage=14400,stale-while-revalidate=1440", "image/vnd.microsoft.icon"},
		"wait":      true,
	})
	astroFiles := planFiles(s.siteUpload(t, st, "Astro"))
	if got := astroFiles["favicon.svg"].CacheControl; got != cacheOther || s.siteUpload(t, st, "Astro").WaitForInvalidation {
		t.Errorf("Astro favicon cache control %q (want the default %q), or it waits", got, cacheOther)
	}
	svelteUp := s.siteUpload(t, st, "Svelte")
	svelte := planFiles(svelteUp)
	if got := svelte["_app/immutable/entry/start.BqVx1c9Z.js"].CacheControl; got != cacheImmutable {
		t.Errorf("svelte immutable = %v (%v)", got, keys(svelte))
	}
	if p, _ := svelteUp.ServedPath("about.html"); svelte["about.html"].ContentType != "text/html; charset=utf-8" || p != "about.html" {
		t.Errorf("svelte prerendered page = %+v at %q", svelte["about.html"], p)
	}
	for _, typ := range []string{"aws_sqs_queue", "aws_dynamodb_table"} {
		if got := s.resources(st, typ); len(got) != 0 {
			t.Errorf("non-Next sites created %s: %v", typ, keys(got))
		}
	}
	types := map[string]string{}
	for _, c := range s.manifestStack(t, st).Constructs {
		types[c.ID] = c.Type
	}
	wantJSON(t, "manifest types", types, map[string]string{"Astro": "AstroSite", "Remix": "RemixSite", "Solid": "SolidStartSite", "Svelte": "SvelteKitSite"})
}

// TestSsrSiteServerURLIAMAuth: Regional.EnableServerURLIAMAuth puts the
// server's URL behind AWS_IAM and signs CloudFront's requests to it with
// a Lambda@Edge function in us-east-1 (sharing the alias provider of the
// site's certificate); a site without it keeps its public URL and gets no
// edge function.
func TestSsrSiteServerURLIAMAuth(t *testing.T) {
	opts := testOptions(t)
	opts.Region = "eu-west-1"
	s := synthOK(t, Config{Name: "notes"}, opts, stacks(t, func(s *Stack) any {
		NewNextjsSite(s, "Web", NextjsSiteProps{
			Path: "ssr/next", BuildCommand: "true",
			CustomDomain: &CustomDomain{DomainName: "app.example.com", HostedZone: "example.com"},
			Regional:     SsrSiteRegional{EnableServerURLIAMAuth: true},
		})
		NewNextjsSite(s, "Plain", NextjsSiteProps{Path: "ssr/next", BuildCommand: "true"})
		return nil
	})...)
	const st = "First"
	urls := s.resources(st, "aws_lambda_function_url")
	wantJSON(t, "URL auth", map[string]any{
		"Web_server": at(urls["Web_server_url"], "authorization_type"), "Web_image": at(urls["Web_image_url"], "authorization_type"),
		"Plain_server": at(urls["Plain_server_url"], "authorization_type"),
	}, map[string]any{"Web_server": "AWS_IAM", "Web_image": "NONE", "Plain_server": "NONE"})

	fns := s.resources(st, "aws_lambda_function")
	if _, ok := fns["Plain_url_signer"]; ok {
		t.Error("a site without EnableServerURLIAMAuth has a URL signer")
	}
	signer := s.resource(t, st, "aws_lambda_function", "Web_url_signer")
	wantJSON(t, "signer", map[string]any{
		"provider": signer["provider"], "publish": signer["publish"], "architectures": signer["architectures"],
		"runtime": signer["runtime"], "handler": signer["handler"], "timeout": signer["timeout"],
		"delete": at(signer, "timeouts", "delete"), "environment": signer["environment"],
	}, map[string]any{
		"provider": "aws.Web_us_east_1", "publish": true, "architectures": []any{"x86_64"},
		"runtime": "nodejs20.x", "handler": "index.handler", "timeout": 5.0,
		"delete": "30m", "environment": nil,
	})
	if cert := s.resource(t, st, "aws_acm_certificate", "Web_certificate"); cert["provider"] != "aws.Web_us_east_1" {
		t.Errorf("certificate provider = %v", cert["provider"])
	}
	if n := len(at(s.stack(t, st), "provider", "aws").([]any)); n != 2 {
		t.Errorf("%d aws providers, want the stack's and one us-east-1 alias shared by the certificate and the signer", n)
	}
	role := s.resource(t, st, "aws_iam_role", "Web_url_signer_role")
	wantContains(t, role["assume_role_policy"].(string), `"lambda.amazonaws.com"`, `"edgelambda.amazonaws.com"`)
	p := s.policy(t, st, "Web_url_signer")
	if got := p.grants("lambda:InvokeFunctionUrl"); !slices.Equal(got, []string{"${aws_lambda_function.Web_server.arn}"}) {
		t.Errorf("signer invokes %v, want only the server", got)
	}
	if got := p.grants("logs:PutLogEvents"); len(got) != 1 || !strings.Contains(got[0], ":log-group:/aws/lambda/us-east-1.") {
		t.Errorf("signer logs to %v", got)
	}
	if len(p.Statement) != 2 {
		t.Errorf("signer policy has %d statements, want 2: %+v", len(p.Statement), p.Statement)
	}

	// Every behaviour to the server signs, with the body; none other does.
	d := s.resource(t, st, "aws_cloudfront_distribution", "Web_distribution")
	signed := map[string]bool{}
	for _, b := range append(d["ordered_cache_behavior"].([]any), d["default_cache_behavior"]) {
		pat, _ := at(b, "path_pattern").(string)
		assoc := at(b, "lambda_function_association")
		if at(b, "target_origin_id") != "server" {
			if assoc != nil {
				t.Errorf("behaviour %q to %v runs the signer", pat, at(b, "target_origin_id"))
			}
			continue
		}
		want := map[string]any{"event_type": "origin-request", "include_body": true, "lambda_arn": "${aws_lambda_function.Web_url_signer.qualified_arn}"}
		wantJSON(t, "association of "+pat, at(assoc, 0), want)
		signed[pat] = true
	}
	if !signed[""] || !signed["api/*"] || !signed["_next/data/*"] {
		t.Errorf("signed behaviours %v, want the default, api/* and _next/data/*", keys(signed))
	}
	plain := s.resource(t, st, "aws_cloudfront_distribution", "Plain_distribution")
	if strings.Contains(jsonString(t, plain), "lambda_function_association") {
		t.Error("the site without EnableServerURLIAMAuth has a Lambda@Edge association")
	}
}
