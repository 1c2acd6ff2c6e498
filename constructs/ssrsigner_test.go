package sst

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// runURLSigner runs the embedded Lambda@Edge signer in node on one
// origin-request event, with fixed credentials, and returns its answer.
func runURLSigner(t *testing.T, request map[string]any) map[string]any {
	t.Helper()
	file := filepath.Join(t.TempDir(), "index.mjs")
	if err := os.WriteFile(file, urlSigner, 0o644); err != nil {
		t.Fatal(err)
	}
	event, _ := json.Marshal(map[string]any{"Records": []any{map[string]any{"cf": map[string]any{"request": request}}}})
	script := `const { handler } = await import(process.env.SIGNER);
console.log(JSON.stringify(await handler(JSON.parse(process.env.EVENT))));`
	cmd := exec.Command("node", "--input-type=module", "-e", script)
	cmd.Env = append(os.Environ(), "SIGNER=file://"+file, "EVENT="+string(event),
		"AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "AWS_SESSION_TOKEN=session-token")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return got
}

// header is one header's value in a Lambda@Edge request.
func header(req map[string]any, name string) string {
	v, _ := at(req, "headers", name, 0, "value").(string)
	return v
}

// TestSsrSiteURLSigner checks the signer's signatures against the AWS SDK
// for Go's SigV4 signer on the same request: a form POST (the body
// CloudFront passes, hashed), a GET, and an escaped path and query; a
// body CloudFront truncated is refused rather than signed wrong.
func TestSsrSiteURLSigner(t *testing.T) {
	const host = "abcdefghij.lambda-url.eu-west-1.on.aws"
	form := "name=x&note=%C3%A9t%C3%A9"
	for _, c := range []struct {
		method, uri, query, body string
	}{
		{"POST", "/notes", "", form},
		{"GET", "/", "", ""},
		{"GET", "/api/a%20b/c~d", "z=1&a=b%2Fc&a=a&empty", ""},
	} {
		req := map[string]any{
			"method": c.method, "uri": c.uri, "querystring": c.query,
			"headers": map[string]any{"authorization": []any{map[string]any{"key": "Authorization", "value": "Bearer viewer"}}},
			"origin":  map[string]any{"custom": map[string]any{"domainName": host}},
		}
		if c.body != "" {
			req["body"] = map[string]any{"inputTruncated": false, "action": "read-only", "encoding": "base64", "data": base64.StdEncoding.EncodeToString([]byte(c.body))}
		}
		got := runURLSigner(t, req)
		sum := sha256.Sum256([]byte(c.body))
		payload := hex.EncodeToString(sum[:])
		if header(got, "x-amz-content-sha256") != payload || header(got, "host") != host || header(got, "x-amz-security-token") != "session-token" {
			t.Errorf("%s %s: headers %v", c.method, c.uri, got["headers"])
		}
		when, err := time.Parse("20060102T150405Z", header(got, "x-amz-date"))
		if err != nil {
			t.Fatalf("x-amz-date: %v", err)
		}
		url := "https://" + host + c.uri
		if c.query != "" {
			url += "?" + c.query
		}
		want, _ := http.NewRequest(c.method, url, nil)
		want.Header.Set("X-Amz-Content-Sha256", payload)
		creds := aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", SessionToken: "session-token"}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, want, payload, "lambda", "eu-west-1", when); err != nil {
			t.Fatal(err)
		}
		if a := header(got, "authorization"); a != want.Header.Get("Authorization") {
			t.Errorf("%s %s?%s:\n signer  %s\n AWS SDK %s", c.method, c.uri, c.query, a, want.Header.Get("Authorization"))
		}
	}
	got := runURLSigner(t, map[string]any{
		"method": "POST", "uri": "/upload", "querystring": "", "headers": map[string]any{},
		"origin": map[string]any{"custom": map[string]any{"domainName": host}},
		"body":   map[string]any{"inputTruncated": true, "encoding": "base64", "data": ""},
	})
	if got["status"] != "413" || header(got, "authorization") != "" {
		t.Errorf("truncated body: %v, want a 413 answer, unsigned", got)
	}
}
