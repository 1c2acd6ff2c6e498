package testenv

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sst-tf/sst/internal/tfconfig"
)

func TestProviderMirror(t *testing.T) {
	RequireTools(t)
	dir, err := ProviderMirror()
	if err != nil {
		t.Fatal(err)
	}
	if !tfconfig.HasAWSProvider(dir) {
		t.Fatalf("ProviderMirror() = %s, which has no registry.terraform.io/hashicorp/aws", dir)
	}

	t.Run("env wins", func(t *testing.T) {
		t.Setenv(MirrorEnv, dir)
		got, err := ProviderMirror()
		if err != nil || got != dir {
			t.Fatalf("ProviderMirror() = %q, %v; want %q", got, err, dir)
		}
	})
	t.Run("bad env is an error, not a fallback", func(t *testing.T) {
		t.Setenv(MirrorEnv, t.TempDir())
		_, err := ProviderMirror()
		if err == nil || !strings.Contains(err.Error(), MirrorEnv) {
			t.Fatalf("err = %v, want one naming %s", err, MirrorEnv)
		}
	})
}

func TestTerraformEnv(t *testing.T) {
	RequireTools(t)
	// A private cache makes this test exercise warming from empty.
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	env := TerraformEnv(t)
	rc := env["TF_CLI_CONFIG_FILE"]
	b, err := os.ReadFile(rc)
	if err != nil {
		t.Fatal(err)
	}
	mirror, _ := ProviderMirror()
	if !strings.Contains(string(b), mirror) || !strings.Contains(string(b), "plugin_cache_dir") {
		t.Errorf("CLI config lacks mirror or cache:\n%s", b)
	}
	if env["TF_IN_AUTOMATION"] != "1" || env["CHECKPOINT_DISABLE"] != "1" {
		t.Errorf("env = %v", env)
	}
	cache, _ := PluginCacheDir()
	if m, _ := filepath.Glob(filepath.Join(cache, "registry.terraform.io", "hashicorp", "aws", "*", "*")); len(m) == 0 {
		t.Errorf("plugin cache %s was not warmed", cache)
	}
}

func TestMoto(t *testing.T) {
	RequireTools(t)
	m, err := StartMoto()
	if err != nil {
		t.Fatal(err)
	}

	// An S3 bucket shows moto is serving AWS, and Reset that it forgets it.
	put, _ := http.NewRequest(http.MethodPut, m.URL()+"/testenv-bucket", nil)
	resp, err := http.DefaultClient.Do(put)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create bucket: %s", resp.Status)
	}
	if !bucketExists(t, m) {
		t.Fatal("bucket missing after create")
	}
	if err := m.Reset(); err != nil {
		t.Fatal(err)
	}
	if bucketExists(t, m) {
		t.Fatal("bucket still there after Reset")
	}

	env := AWSEnv(m)
	if env["SST_ENDPOINT"] != m.URL() || env["AWS_REGION"] != "us-east-1" || env["AWS_ACCESS_KEY_ID"] != "test" {
		t.Errorf("AWSEnv = %v", env)
	}
	if v, ok := env["AWS_PROFILE"]; !ok || v != "" {
		t.Errorf("AWSEnv must clear AWS_PROFILE, got %q, %v", v, ok)
	}

	log := m.LogPath()
	if err := m.Stop(); err != nil {
		t.Fatal(err)
	}
	if m.cmd.ProcessState == nil {
		t.Errorf("moto (pid %d) not reaped by Stop", m.cmd.Process.Pid)
	}
	if _, err := os.Stat(log); !os.IsNotExist(err) {
		t.Errorf("log %s not removed: %v", log, err)
	}
	c := http.Client{Timeout: time.Second}
	if _, err := c.Get(m.URL() + "/moto-api/"); err == nil {
		t.Errorf("moto still answering at %s after Stop", m.URL())
	}
}

// TestMotoPortTaken starts moto on a port that is already bound: moto must
// fail to start there and StartMoto must report the exit rather than talk
// to the squatter.
func TestMotoPortTaken(t *testing.T) {
	RequireTools(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	_, err = startMoto(port, nil)
	if err == nil {
		t.Fatal("moto started on a taken port")
	}
	if !strings.Contains(err.Error(), errMotoExited.Error()) {
		t.Fatalf("err = %v, want %v", err, errMotoExited)
	}
}

func bucketExists(t *testing.T, m *Moto) bool {
	resp, err := http.Head(m.URL() + "/testenv-bucket")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// TestMotoServerErrorsSince: only what moto logged after the offset, and of
// that only 5xx answers and tracebacks.
func TestMotoServerErrorsSince(t *testing.T) {
	m := &Moto{logDir: t.TempDir()}
	before := "127.0.0.1 - - [03/Dec/2026 05:13:22] \"POST / HTTP/1.1\" 500 -\n"
	after := `127.0.0.1 - - [03/Dec/2026 05:13:23] "POST / HTTP/1.1" 200 -
127.0.0.1 - - [03/Dec/2026 05:13:23] "POST / HTTP/1.1" 400 -
Error on request:
Traceback (most recent call last):
  File "/site-packages/werkzeug/serving.py", line 370, in run_wsgi
    execute(self.server.app)
RuntimeError: dictionary changed size during iteration
127.0.0.1 - - [03/Dec/2026 05:13:24] "POST / HTTP/1.1" 500 -
127.0.0.1 - - [03/Dec/2026 05:13:24] "GET /x HTTP/1.1" 503 -
127.0.0.1 - - [03/Dec/2026 05:13:25] "POST / HTTP/1.1" 201 -
`
	if err := os.WriteFile(m.LogPath(), []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	offset := m.LogSize()
	if offset != int64(len(before)) {
		t.Fatalf("LogSize = %d, want %d", offset, len(before))
	}
	if got := m.ServerErrorsSince(offset); got != "" {
		t.Errorf("nothing logged since: got %q", got)
	}
	if err := os.WriteFile(m.LogPath(), []byte(before+after), 0o644); err != nil {
		t.Fatal(err)
	}
	want := `Error on request:
Traceback (most recent call last):
  File "/site-packages/werkzeug/serving.py", line 370, in run_wsgi
    execute(self.server.app)
RuntimeError: dictionary changed size during iteration
127.0.0.1 - - [03/Dec/2026 05:13:24] "POST / HTTP/1.1" 500 -
127.0.0.1 - - [03/Dec/2026 05:13:24] "GET /x HTTP/1.1" 503 -`
	if got := m.ServerErrorsSince(offset); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
