package testenv

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Moto is a running moto_server: an in-memory AWS account (123456789012)
// on a loopback port. Start one per test binary, in TestMain.
type Moto struct {
	url     string
	cmd     *exec.Cmd
	logDir  string
	exited  chan struct{} // closed when the process has exited
	waitErr error
}

const (
	motoAttempts     = 5
	motoStartTimeout = 60 * time.Second
)

// StartMoto starts moto_server on 127.0.0.1 on a free port and waits until
// it answers. MOTO_IAM_LOAD_MANAGED_POLICIES is unset: loading AWS managed
// policies slows every IAM call, and our constructs write inline policies.
func StartMoto() (*Moto, error) { return StartMotoWith(nil) }

// StartMotoWith is StartMoto with extra environment for moto_server, e.g.
// MOTO_IAM_LOAD_MANAGED_POLICIES=true.
func StartMotoWith(env map[string]string) (*Moto, error) {
	if _, err := exec.LookPath("moto_server"); err != nil {
		return nil, errors.New("moto_server is not on PATH (pip install 'moto[server]')")
	}
	merged := map[string]string{"MOTO_IAM_LOAD_MANAGED_POLICIES": ""}
	for k, v := range env {
		merged[k] = v
	}
	var errs []error
	// A free port can be taken by someone else between our probe and moto's
	// bind; moto then exits, and we try another port.
	for range motoAttempts {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		m, err := startMoto(port, merged)
		if err == nil {
			return m, nil
		}
		errs = append(errs, err)
		if !errors.Is(err, errMotoExited) {
			break
		}
	}
	return nil, fmt.Errorf("starting moto_server: %w", errors.Join(errs...))
}

var errMotoExited = errors.New("moto_server exited")

func startMoto(port int, env map[string]string) (*Moto, error) {
	logDir, err := os.MkdirTemp("", "sst-moto-*")
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(logDir, "moto.log"))
	if err != nil {
		os.RemoveAll(logDir)
		return nil, err
	}
	defer logf.Close() // the child keeps its own descriptor

	cmd := exec.Command("moto_server", "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Env = Environ(env)
	cmd.Stdout = logf
	cmd.Stderr = logf
	setMotoProcAttr(cmd)
	if err := cmd.Start(); err != nil {
		os.RemoveAll(logDir)
		return nil, err
	}
	m := &Moto{
		url:    "http://127.0.0.1:" + strconv.Itoa(port),
		cmd:    cmd,
		logDir: logDir,
		exited: make(chan struct{}),
	}
	go func() {
		m.waitErr = cmd.Wait()
		close(m.exited)
	}()

	if err := m.waitReady(); err != nil {
		m.Stop()
		return nil, err
	}
	return m, nil
}

// waitReady polls until moto answers as moto. Checking the body, not just
// any response, and that our process is still alive, guards against a
// different server that grabbed the port first.
func (m *Moto) waitReady() error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(motoStartTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-m.exited:
			return fmt.Errorf("%w on %s: %v\n%s", errMotoExited, m.url, m.waitErr, m.logTail())
		default:
		}
		resp, err := client.Get(m.url + "/moto-api/")
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.Contains(strings.ToLower(string(body)), "moto") {
				select {
				case <-m.exited:
					continue // someone else answered; report our exit next round
				default:
					return nil
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("moto_server on %s did not answer within %s\n%s", m.url, motoStartTimeout, m.logTail())
}

// URL is moto's endpoint, e.g. http://127.0.0.1:41234.
func (m *Moto) URL() string { return m.url }

// LogPath is the file holding moto's stdout and stderr; it is removed by
// Stop.
func (m *Moto) LogPath() string { return filepath.Join(m.logDir, "moto.log") }

// Stop terminates moto and everything it started (its process group), waits
// for it, and removes its log.
func (m *Moto) Stop() error {
	select {
	case <-m.exited:
	default:
		terminate(m.cmd, false)
		select {
		case <-m.exited:
		case <-time.After(5 * time.Second):
			terminate(m.cmd, true)
			<-m.exited
		}
	}
	return os.RemoveAll(m.logDir)
}

// Reset empties moto's account (POST /moto-api/reset), which is much faster
// than restarting it.
func (m *Moto) Reset() error {
	resp, err := http.Post(m.url+"/moto-api/reset", "application/json", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("moto reset: %s", resp.Status)
	}
	return nil
}

// AWSEnv is the environment that points AWS SDKs, the terraform provider
// and the sst CLI (SST_ENDPOINT) at m. AWS_PROFILE and AWS_SESSION_TOKEN
// are cleared (empty values; see Environ) so a developer's own credentials
// never leak into a test.
func AWSEnv(m *Moto) map[string]string {
	return map[string]string{
		"AWS_ACCESS_KEY_ID":     "test",
		"AWS_SECRET_ACCESS_KEY": "test",
		"AWS_SESSION_TOKEN":     "",
		"AWS_PROFILE":           "",
		"AWS_REGION":            "us-east-1",
		"AWS_DEFAULT_REGION":    "us-east-1",
		"SST_ENDPOINT":          m.URL(),
	}
}

func (m *Moto) logTail() string {
	b, err := os.ReadFile(m.LogPath())
	if err != nil {
		return ""
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return "moto log:\n" + string(b)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// LogSize is how much moto has logged so far: the offset to pass to
// ServerErrorsSince before running a command.
func (m *Moto) LogSize() int64 {
	fi, err := os.Stat(m.LogPath())
	if err != nil {
		return 0
	}
	return fi.Size()
}

// ServerErrorsSince is what moto logged after offset that points at the
// emulator rather than the code under test: 5xx answers and the Python
// tracebacks behind them. A failed deploy reports it, because the AWS SDK
// retries a 5xx and the retry's answer ("already exists", "not found") is
// all terraform shows. Empty when there were none.
func (m *Moto) ServerErrorsSince(offset int64) string {
	f, err := os.Open(m.LogPath())
	if err != nil {
		return ""
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return ""
	}
	b, err := io.ReadAll(io.LimitReader(f, 16<<20))
	if err != nil {
		return ""
	}
	var keep []string
	inTrace := false
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, "Error on request") || strings.HasPrefix(line, "Traceback"):
			inTrace = true
		case inTrace && line != "" && !strings.HasPrefix(line, " "):
			// The exception line ends a traceback.
			keep = append(keep, line)
			inTrace = false
			continue
		}
		if inTrace || isServerErrorLine(line) {
			keep = append(keep, line)
		}
	}
	out := strings.Join(keep, "\n")
	if len(out) > 4000 {
		out = "…" + out[len(out)-4000:]
	}
	return out
}

// isServerErrorLine matches werkzeug's request line for a 5xx answer:
// `127.0.0.1 - - [date] "POST / HTTP/1.1" 500 -`.
func isServerErrorLine(line string) bool {
	i := strings.LastIndex(line, `" `)
	if i < 0 || !strings.HasPrefix(line, "127.0.0.1 ") {
		return false
	}
	code := strings.Fields(line[i+2:])
	return len(code) > 0 && len(code[0]) == 3 && code[0][0] == '5'
}
