package dev

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sst-tf/sst/cli/internal/deploy"
	"github.com/sst-tf/sst/manifest"
)

func TestSiteEnvResolvesOutputs(t *testing.T) {
	outs := deploy.Outputs{"API": {"ApiUrl": json.RawMessage(`"https://abc.execute-api.us-east-1.amazonaws.com"`), "Port": json.RawMessage(`8080`)}}
	site := manifest.Construct{ID: "Web", Type: "StaticSite", Data: map[string]string{
		"path":             "web",
		"env.VITE_API_URL": "@output:API/ApiUrl",
		"env.VITE_PORT":    "@output:API/Port",
		"env.VITE_MODE":    "demo",
	}}
	env, err := SiteEnv(site, outs)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"VITE_API_URL": "https://abc.execute-api.us-east-1.amazonaws.com", "VITE_PORT": "8080", "VITE_MODE": "demo"}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	if len(env) != len(want) {
		t.Errorf("env %v has extra keys", env)
	}

	st := &State{Apis: map[string]ApiURLs{"Api": {Local: "http://127.0.0.1:3000", Deployed: "https://abc.execute-api.us-east-1.amazonaws.com"}}}
	st.Localize(env)
	if env["VITE_API_URL"] != "http://127.0.0.1:3000" {
		t.Errorf("localized %q", env["VITE_API_URL"])
	}

	// A WebSocketApi's url and httpsUrl bindings both become its local
	// gateway's.
	st.setGateway(manifest.Construct{ID: "Chat", Type: "WebSocketApi"}, "ws://127.0.0.1:3001", "http://127.0.0.1:3001", "wss://ws1.execute-api.us-east-1.amazonaws.com/dev")
	wsEnv := map[string]string{
		"SST_WebSocketApi_url_Chat":      "wss://ws1.execute-api.us-east-1.amazonaws.com/dev",
		"SST_WebSocketApi_httpsUrl_Chat": "https://ws1.execute-api.us-east-1.amazonaws.com/dev",
	}
	st.Localize(wsEnv)
	if wsEnv["SST_WebSocketApi_url_Chat"] != "ws://127.0.0.1:3001" || wsEnv["SST_WebSocketApi_httpsUrl_Chat"] != "http://127.0.0.1:3001" {
		t.Errorf("localized WebSocketApi bindings: %v", wsEnv)
	}

	site.Data["env.MISSING"] = "@output:API/Nope"
	if _, err := SiteEnv(site, outs); err == nil || !strings.Contains(err.Error(), "site Web: environment MISSING: stack API has no output Nope yet: deploy the stage first") {
		t.Errorf("missing output: %v", err)
	}
	if _, err := ResolveValue("@output:nostack", outs); err == nil {
		t.Error("a malformed reference resolved")
	}
}

func TestSitesAreConstructsWithAPath(t *testing.T) {
	m := &manifest.Manifest{Stacks: []manifest.Stack{{Constructs: []manifest.Construct{
		{ID: "Api", Type: "Api"},
		{ID: "Web", Type: "StaticSite", Data: map[string]string{"path": "web"}},
		{ID: "Next", Type: "NextjsSite", Data: map[string]string{"path": "packages/next"}},
	}}}}
	var ids []string
	for _, c := range Sites(m) {
		ids = append(ids, c.ID)
	}
	if strings.Join(ids, ",") != "Web,Next" {
		t.Errorf("sites %v", ids)
	}
}

func TestResolveRefsFromState(t *testing.T) {
	state := []byte(`{"version":4,"resources":[
	 {"mode":"managed","type":"aws_apigatewayv2_api","name":"Api","instances":[{"attributes":{"api_endpoint":"https://x1.execute-api.us-east-1.amazonaws.com"}}]},
	 {"mode":"managed","type":"aws_cognito_user_pool","name":"Auth_pool","instances":[{"attributes":{"id":"us-east-1_abc"}}]},
	 {"mode":"data","type":"aws_caller_identity","name":"Api","instances":[{"attributes":{"api_endpoint":"wrong"}}]}]}`)
	var dep deployed
	dep.add(state)
	look := dep.lookup
	got, ok := ResolveRefs("${aws_apigatewayv2_api.Api.api_endpoint}", look)
	if !ok || got != "https://x1.execute-api.us-east-1.amazonaws.com" {
		t.Errorf("api url: %q %v", got, ok)
	}
	got, ok = ResolveRefs("https://cognito-idp.us-east-1.amazonaws.com/${aws_cognito_user_pool.Auth_pool.id}", look)
	if !ok || got != "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc" {
		t.Errorf("issuer: %q %v", got, ok)
	}
	if got, ok := ResolveRefs("${aws_sqs_queue.Q.url}", look); ok || got != "${aws_sqs_queue.Q.url}" {
		t.Errorf("unknown reference: %q %v", got, ok)
	}
}

// TestDeployedParams: an aws route's deployed request parameters, values
// resolved, are read by the integration's address; other attributes and
// resources are not maps of strings.
func TestDeployedParams(t *testing.T) {
	var dep deployed
	dep.add([]byte(`{"version":4,"resources":[{"mode":"managed","type":"aws_sqs_queue","name":"Jobs","instances":[{"attributes":{"url":"u"}}]}]}`))
	dep.add([]byte(`{"version":4,"resources":[
	 {"mode":"managed","type":"aws_apigatewayv2_integration","name":"Api_POST_jobs_integration","instances":[{"attributes":{"integration_subtype":"SQS-SendMessage",
	   "request_parameters":{"MessageBody":"$request.body","QueueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/jobs"}}}]},
	 {"mode":"managed","type":"aws_apigatewayv2_integration","name":"Tagged","instances":[{"attributes":{"request_parameters":{"n":1}}}]}]}`))
	got, ok := dep.params("aws_apigatewayv2_integration.Api_POST_jobs_integration")
	if !ok || len(got) != 2 || got["QueueUrl"] != "https://sqs.us-east-1.amazonaws.com/123456789012/jobs" || got["MessageBody"] != "$request.body" {
		t.Errorf("request_parameters = %v %v", got, ok)
	}
	for _, addr := range []string{"aws_apigatewayv2_integration.Tagged", "aws_apigatewayv2_integration.Other", "aws_apigatewayv2_integration", "aws_sqs_queue.Jobs"} {
		if got, ok := dep.params(addr); ok {
			t.Errorf("%s = %v", addr, got)
		}
	}
	if got := dep.resolve(`{"url":"${aws_sqs_queue.Jobs.url}"}`); got != `{"url":"u"}` {
		t.Errorf("resolve = %s", got)
	}
}

func TestStateFileIsOnlyReadWhileItsProcessLives(t *testing.T) {
	dir := t.TempDir()
	if st, err := ReadState(dir); err != nil || st != nil {
		t.Fatalf("no file: %v %v", st, err)
	}
	live := &State{PID: os.Getpid(), Apis: map[string]ApiURLs{"Api": {Local: "http://127.0.0.1:1"}}}
	if err := live.Write(dir); err != nil {
		t.Fatal(err)
	}
	if st, err := ReadState(dir); err != nil || st == nil || st.Apis["Api"].Local != "http://127.0.0.1:1" {
		t.Fatalf("live state: %v %v", st, err)
	}
	// A pid no process has: sst dev died without cleaning up.
	dead := &State{PID: 1 << 22}
	if err := dead.Write(dir); err != nil {
		t.Fatal(err)
	}
	if st, err := ReadState(dir); err != nil || st != nil {
		t.Fatalf("stale state was used: %v %v", st, err)
	}
}

func TestWatcherReportsEditsAddsAndRemovalsButNotOutputs(t *testing.T) {
	root := t.TempDir()
	write := func(rel, body string) string {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("functions/a/main.go", "package main")
	gone := write("functions/b.ts", "export {}")
	write("node_modules/x/index.js", "")
	w := NewWatcher(root)
	w.Interval = 10 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	batches := make(chan []string, 10)
	go w.Run(ctx, func(files []string) { batches <- files })

	write("functions/a/main.go", "package main // edited")
	added := write("functions/c.ts", "export {}")
	write("node_modules/x/index.js", "changed")
	write(".sst/out/x.json", "{}")
	write("README.md", "not a source")
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	var got []string
	timeout := time.After(5 * time.Second)
	for len(got) < 3 {
		select {
		case b := <-batches:
			got = append(got, b...)
		case <-timeout:
			t.Fatalf("watcher reported %v, want the edit, the new file and the removal", got)
		}
	}
	sort.Strings(got)
	want := []string{a, gone, added}
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("reported\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
