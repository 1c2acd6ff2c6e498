package job

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sst-tf/sst/runtime"
)

// fakeAWS answers one AWS JSON API call and records the request.
func fakeAWS(t *testing.T, answer string) (url string, got func() (*http.Request, []byte)) {
	t.Helper()
	var req *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req = r
		body, _ = io.ReadAll(r.Body)
		if r.Header.Get("X-Amz-Invocation-Type") == "Event" {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() (*http.Request, []byte) { return req, body }
}

func awsEnv(t *testing.T) {
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
}

func TestRunStartsTheProjectsBuild(t *testing.T) {
	awsEnv(t)
	url, got := fakeAWS(t, `{"build":{"id":"dev-app-Report:b1"}}`)
	t.Setenv("AWS_ENDPOINT_URL_CODEBUILD", url)
	t.Setenv("SST_DEV", "")
	t.Setenv("SST_Job_projectName_Report", "dev-app-Report")
	id, err := Run(context.Background(), "Report", map[string]any{"month": "2026-11"})
	if err != nil || id != "dev-app-Report:b1" {
		t.Fatalf("Run = %q, %v", id, err)
	}
	req, body := got()
	if req.Header.Get("X-Amz-Target") != "CodeBuild_20161006.StartBuild" {
		t.Errorf("target %q", req.Header.Get("X-Amz-Target"))
	}
	var in struct {
		ProjectName                  string `json:"projectName"`
		EnvironmentVariablesOverride []struct{ Name, Value, Type string }
	}
	if err := json.Unmarshal(body, &in); err != nil {
		t.Fatal(err)
	}
	if in.ProjectName != "dev-app-Report" || len(in.EnvironmentVariablesOverride) != 1 ||
		in.EnvironmentVariablesOverride[0].Name != "SST_PAYLOAD" || in.EnvironmentVariablesOverride[0].Value != `{"month":"2026-11"}` {
		t.Errorf("StartBuild input = %s", body)
	}
}

func TestRunUnderDevInvokesTheInvoker(t *testing.T) {
	awsEnv(t)
	url, got := fakeAWS(t, "")
	// What sst dev gives local handlers: its Lambda API, which runs the
	// job's handler when the invoker is invoked.
	t.Setenv("AWS_ENDPOINT_URL_LAMBDA", url)
	t.Setenv("SST_DEV", "true")
	t.Setenv("SST_Job_functionName_Report", "dev-app-Report")
	id, err := Run(context.Background(), "Report", []int{1, 2})
	if err != nil || id != LocalRun {
		t.Fatalf("Run = %q, %v", id, err)
	}
	req, body := got()
	if req.URL.Path != "/2015-03-31/functions/dev-app-Report/invocations" || req.Header.Get("X-Amz-Invocation-Type") != "Event" || string(body) != "[1,2]" {
		t.Errorf("invoke %s %v %s", req.URL.Path, req.Header, body)
	}
}

func TestRunNotBound(t *testing.T) {
	t.Setenv("SST_DEV", "")
	_, err := Run(context.Background(), "Nope", nil)
	var nb *runtime.NotBoundError
	if !errors.As(err, &nb) || !strings.Contains(err.Error(), "SST_Job_projectName_Nope") {
		t.Errorf("err = %v", err)
	}
}

func TestRunOnce(t *testing.T) {
	var got struct{ Month string }
	err := RunOnce(context.Background(), `{"Month":"2026-11"}`, func(_ context.Context, p struct{ Month string }) error {
		got = p
		return nil
	})
	if err != nil || got.Month != "2026-11" {
		t.Errorf("RunOnce = %+v, %v", got, err)
	}
	if err := RunOnce(context.Background(), "", func(_ context.Context, p *struct{}) error {
		if p != nil {
			return errors.New("want nil payload")
		}
		return nil
	}); err != nil {
		t.Error(err)
	}
	if err := RunOnce(context.Background(), "{", func(context.Context, any) error { return nil }); err == nil || !strings.Contains(err.Error(), "SST_PAYLOAD") {
		t.Errorf("bad payload: %v", err)
	}
}
