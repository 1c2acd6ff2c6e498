package cli

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sst-tf/sst/cli/internal/progress"
	"github.com/sst-tf/sst/manifest"
)

func TestConsoleServesTheDeployedStage(t *testing.T) {
	dir := secretsProject(t, "shop", "dev", "STRIPE_KEY")
	env := []string{"SST_STAGE=dev", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_REGION=us-east-1"}

	// Synthesized but never deployed: no outputs file.
	r := runIn(t, dir, env, "console")
	if r.code == 0 || !strings.Contains(r.errOut, `stage "dev" has never been deployed from here`) || !strings.Contains(r.errOut, "sst deploy --stage dev") {
		t.Fatalf("console of an undeployed stage: %d %q", r.code, r.errOut)
	}
	if r := runIn(t, dir, env, "console", "--port", "70000"); r.code == 0 || !strings.Contains(r.errOut, "--port 70000") {
		t.Errorf("bad --port: %d %q", r.code, r.errOut)
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)
	if r := runIn(t, dir, env, "console", "--port", port); r.code == 0 || !strings.Contains(r.errOut, "--port "+port+": the port is in use") {
		t.Errorf("--port in use: %d %q", r.code, r.errOut)
	}
	writeFile(t, filepath.Join(dir, manifest.OutputsDir, "dev.json"), `{"Config":{"Region":"us-east-1"}}`)

	var buf bytes.Buffer
	out := &progress.LockedWriter{W: &buf}
	printed := func() (s string) { out.Do(func() { s = buf.String() }); return s }
	f := &Factory{
		IO:      &IOStreams{In: strings.NewReader(""), Out: out, ErrOut: io.Discard},
		Getwd:   func() (string, error) { return dir, nil },
		Environ: func() []string { return env },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() { done <- Execute(ctx, f, []string{"console"}) }()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("sst console exited %d after Ctrl-C", code)
		}
	}()
	urlRE := regexp.MustCompile(`http://127\.0\.0\.1:\d+/\?token=[0-9a-f]+`)
	var url string
	for deadline := time.Now().Add(20 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		url = urlRE.FindString(printed())
	}
	if url == "" {
		t.Fatalf("sst console printed no URL:\n%s", printed())
	}
	jar, _ := cookiejar.New(nil)
	res, err := (&http.Client{Jar: jar}).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "shop") || !strings.Contains(string(body), "STRIPE_KEY") {
		t.Fatalf("GET %s: %d\n%s", url, res.StatusCode, body)
	}
	// Without the token the same server refuses.
	res, err = http.Get(strings.Split(url, "?")[0] + "functions")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("tokenless request: %d, want 401", res.StatusCode)
	}
}
