package dev

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestLambdaAPIInvokesLocally: an AWS SDK pointed at the local Lambda API
// (as AWS_ENDPOINT_URL_LAMBDA points local handlers) runs the app's
// function locally by name or ARN, synchronously (payload, function error,
// log tail), asynchronously and as a dry run; a function that is not the
// app's goes on, signed again, to the real endpoint (moto here).
func TestLambdaAPIInvokesLocally(t *testing.T) {
	cfg := motoConfig(t)
	h, err := NewHistory(newRuntime(t, 10*time.Second), filepath.Join(t.TempDir(), "invocations.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	up, _ := url.Parse(*cfg.BaseEndpoint)
	api := &LambdaAPI{Inv: h, Upstream: up, Config: cfg, Resolve: func(name string) (string, bool) {
		return "node", name == "dev-app-node"
	}}
	srv := httptest.NewServer(api)
	defer srv.Close()
	local := cfg.Copy()
	local.BaseEndpoint = aws.String(srv.URL)
	c := lambda.NewFromConfig(local)
	ctx := context.Background()

	for _, name := range []string{"dev-app-node", "arn:aws:lambda:us-east-1:123456789012:function:dev-app-node:$LATEST"} {
		out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"log":"called by name"}`), LogType: types.LogTypeTail})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		logs, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
		if out.StatusCode != 200 || out.FunctionError != nil || !strings.Contains(string(out.Payload), `"version":1`) || !strings.Contains(string(logs), "called by name") {
			t.Errorf("%s: %d %v %s, logs %q", name, out.StatusCode, out.FunctionError, out.Payload, logs)
		}
	}
	out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("dev-app-node"), Payload: []byte(`{"action":"throw"}`)})
	if err != nil || aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), `"errorMessage":"handler threw on purpose"`) {
		t.Errorf("a throwing handler: %v %+v %s", err, out, out.Payload)
	}
	out, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("dev-app-node"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{"log":"async"}`)})
	if err != nil || out.StatusCode != 202 {
		t.Errorf("async invoke: %v %+v", err, out)
	}
	waitFor(t, "the async invocation", func() bool {
		for _, r := range h.Records() {
			if strings.Contains(string(r.Request), "async") && r.Source == "lambda:Invoke" {
				return true
			}
		}
		return false
	})
	if out, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("dev-app-node"), InvocationType: types.InvocationTypeDryRun}); err != nil || out.StatusCode != 204 {
		t.Errorf("dry run: %v %+v", err, out)
	}
	if n := len(h.Records()); n != 4 {
		t.Errorf("%d invocations recorded, want 4 (two by name, the throw, the async one)", n)
	}
	// Not the app's function: moto answers that it does not exist.
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("someone-elses"), Payload: []byte(`{}`)})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("a function that is not the app's: %v, want moto's ResourceNotFoundException", err)
	}
}

func TestFunctionName(t *testing.T) {
	for in, want := range map[string]string{
		"f": "f", "f:prod": "f", "123456789012:function:f": "f", "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST": "f",
		"arn:aws:lambda:us-east-1:123456789012:function:f": "f",
	} {
		if got := functionName(in); got != want {
			t.Errorf("functionName(%q) = %q, want %q", in, got, want)
		}
	}
}
