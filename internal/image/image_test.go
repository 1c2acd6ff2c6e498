package image

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"io"
	stdlog "log"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// hello cross-compiles a small server for linux/arm64 without cgo, as a
// service's image build does.
func hello(t *testing.T) []byte {
	t.Helper()
	dir := t.TempDir()
	src := "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":3000\", nil) }\n"
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module hello\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", "hello", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "hello"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// files reads every regular file of the image's layers, later layers
// winning.
func files(t *testing.T, img v1.Image) map[string]*tar.Header {
	t.Helper()
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*tar.Header{}
	for _, l := range ls {
		if mt, _ := l.MediaType(); mt != "application/vnd.oci.image.layer.v1.tar+gzip" {
			t.Errorf("layer media type %s", mt)
		}
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(rc)
		for {
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			out[h.Name] = h
		}
		rc.Close()
	}
	return out
}

func fileData(t *testing.T, img v1.Image, want string) []byte {
	t.Helper()
	ls, _ := img.Layers()
	var data []byte
	for _, l := range ls {
		rc, _ := l.Uncompressed()
		tr := tar.NewReader(rc)
		for {
			h, err := tr.Next()
			if err != nil {
				break
			}
			if h.Name == want {
				data, _ = io.ReadAll(tr)
			}
		}
		rc.Close()
	}
	return data
}

func caBundle(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(p, []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBuildGoWritesAnInspectableOCILayout(t *testing.T) {
	bin := hello(t)
	ca := caBundle(t)
	dir := filepath.Join(t.TempDir(), "Web")
	res, err := BuildGo(dir, Options{Binary: bin, Name: "web", Arch: "arm64", Ports: []int{3000}, Env: []string{"GOMAXPROCS=1"}, CABundle: ca})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.Digest, "sha256:") || res.Dir != dir {
		t.Fatalf("result %+v", res)
	}
	// A plain OCI layout: the marker file, an index naming the image for
	// its platform, content-addressed blobs.
	if b, err := os.ReadFile(filepath.Join(dir, "oci-layout")); err != nil || !strings.Contains(string(b), `"imageLayoutVersion"`) {
		t.Fatalf("oci-layout: %s %v", b, err)
	}
	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 || im.Manifests[0].Digest.String() != res.Digest || im.Manifests[0].Platform == nil ||
		im.Manifests[0].Platform.Architecture != "arm64" || im.Manifests[0].Platform.OS != "linux" ||
		im.Manifests[0].MediaType != "application/vnd.oci.image.manifest.v1+json" {
		t.Fatalf("index.json: %+v", im.Manifests)
	}
	img, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Architecture != "arm64" || cfg.OS != "linux" {
		t.Errorf("platform %s/%s", cfg.OS, cfg.Architecture)
	}
	if !slices.Equal(cfg.Config.Entrypoint, []string{"/app/web"}) || cfg.Config.User != "65532:65532" {
		t.Errorf("entrypoint %v user %q", cfg.Config.Entrypoint, cfg.Config.User)
	}
	if _, ok := cfg.Config.ExposedPorts["3000/tcp"]; !ok || !slices.Contains(cfg.Config.Env, "GOMAXPROCS=1") ||
		!slices.Contains(cfg.Config.Env, "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt") {
		t.Errorf("config %+v", cfg.Config)
	}
	if len(cfg.RootFS.DiffIDs) != 2 || len(cfg.History) != 2 {
		t.Errorf("want a base and an app layer: %+v %+v", cfg.RootFS, cfg.History)
	}
	if !cfg.Created.IsZero() {
		t.Errorf("created %v: a time in the config would change the digest on every build", cfg.Created)
	}

	fs := files(t, img)
	h := fs["app/web"]
	if h == nil || h.Mode&0o111 == 0 || h.Size != int64(len(bin)) {
		t.Fatalf("app/web in the layers: %+v (all: %v)", h, keys(fs))
	}
	got := fileData(t, img, "app/web")
	if !bytes.Equal(got, bin) {
		t.Fatal("the binary in the image is not the one built")
	}
	e, err := elf.NewFile(bytes.NewReader(got))
	if err != nil || e.Machine != elf.EM_AARCH64 {
		t.Fatalf("binary is not linux/arm64 ELF: %v %v", err, e)
	}
	for _, f := range []string{"etc/ssl/certs/ca-certificates.crt", "etc/passwd", "etc/group", "tmp/", "home/nonroot/"} {
		if fs[f] == nil {
			t.Errorf("base lacks %s", f)
		}
	}
	if !bytes.Equal(fileData(t, img, "etc/ssl/certs/ca-certificates.crt"), must(os.ReadFile(ca))) {
		t.Error("CA bundle is not the machine's")
	}
	if h := fs["home/nonroot/"]; h.Uid != Nonroot || h.Mode&0o777 != 0o700 {
		t.Errorf("home/nonroot %+v", h)
	}
	if h := fs["tmp/"]; h.Mode&0o1777 != 0o1777 {
		t.Errorf("tmp mode %o", h.Mode)
	}

	// Reproducible: the same inputs, elsewhere, give the same digest;
	// another arch or binary another.
	again, err := BuildGo(filepath.Join(t.TempDir(), "x"), Options{Binary: bin, Name: "web", Arch: "arm64", Ports: []int{3000}, Env: []string{"GOMAXPROCS=1"}, CABundle: ca})
	if err != nil || again.Digest != res.Digest {
		t.Fatalf("rebuild digest %v, want %s (%v)", again, res.Digest, err)
	}
	other, err := BuildGo(dir, Options{Binary: append(bin, 0), Name: "web", Arch: "x86_64", CABundle: ca})
	if err != nil || other.Digest == res.Digest {
		t.Fatalf("changed build kept digest: %v %v", other, err)
	}
	if img, _ := Read(dir); img != nil {
		if pl, _ := Platform(img); pl.Architecture != "amd64" {
			t.Errorf("x86_64 built as %s: the layout was not replaced", pl.Architecture)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestBuildGoBadInput(t *testing.T) {
	ca := caBundle(t)
	dir := t.TempDir()
	for _, c := range []struct {
		o    Options
		want string
	}{
		{Options{Binary: []byte("x"), Name: "web", Arch: "sparc", CABundle: ca}, `architecture "sparc": want arm64 or x86_64`},
		{Options{Name: "web", Arch: "arm64", CABundle: ca}, "no binary"},
		{Options{Binary: []byte("x"), Name: "../web", Arch: "arm64", CABundle: ca}, "plain file name"},
		{Options{Binary: []byte("x"), Name: "web", Arch: "arm64", CABundle: filepath.Join(dir, "none.pem")}, "read CA bundle"},
	} {
		if _, err := BuildGo(filepath.Join(dir, "out"), c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err %v, want %q", c.o, err, c.want)
		}
	}
	t.Setenv("SSL_CERT_FILE", filepath.Join(dir, "missing.pem"))
	if _, err := FindCABundle(); err == nil || !strings.Contains(err.Error(), "SSL_CERT_FILE") {
		t.Errorf("FindCABundle with a missing SSL_CERT_FILE: %v", err)
	}
	t.Setenv("SSL_CERT_FILE", ca)
	if p, err := FindCABundle(); err != nil || p != ca {
		t.Errorf("FindCABundle = %q, %v; want SSL_CERT_FILE", p, err)
	}
}

// TestPush sends a built image to a registry speaking the OCI
// distribution protocol (go-containerregistry's, in this process) and
// pulls it back by digest.
func TestPush(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(stdlog.New(io.Discard, "", 0))))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	dir := filepath.Join(t.TempDir(), "img")
	res, err := BuildGo(dir, Options{Binary: []byte("#!/bin/true\n"), Name: "web", Arch: "arm64", CABundle: caBundle(t)})
	if err != nil {
		t.Fatal(err)
	}
	ref := u.Host + "/dev-app-web:latest"
	d, err := Push(context.Background(), dir, ref, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if d != res.Digest {
		t.Fatalf("pushed %s, built %s", d, res.Digest)
	}
	r, err := name.NewDigest(u.Host+"/dev-app-web@"+d, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	pulled, err := remote.Image(r)
	if err != nil {
		t.Fatal(err)
	}
	if pd, _ := pulled.Digest(); pd.String() != res.Digest {
		t.Fatalf("pulled %s", pd)
	}
	if got := fileData(t, pulled, "app/web"); string(got) != "#!/bin/true\n" {
		t.Fatalf("pulled binary %q", got)
	}
	// A second push finds every blob there and still succeeds.
	if _, err := Push(context.Background(), dir, ref, nil, true); err != nil {
		t.Fatal(err)
	}
	if _, err := Push(context.Background(), dir, "UPPER CASE/x", nil, true); err == nil || !strings.Contains(err.Error(), "image reference") {
		t.Errorf("bad reference: %v", err)
	}
}

func TestBuildDockerfile(t *testing.T) {
	ctx := context.Background()
	proj := t.TempDir()
	os.WriteFile(filepath.Join(proj, "Dockerfile"), []byte("FROM scratch\n"), 0o644)
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in docker is a shell script")
	}
	// A stand-in docker writes, where --output says, the OCI archive
	// buildx would: the rest of the path (unpack, read, digest) is real.
	src := filepath.Join(t.TempDir(), "src")
	want, err := BuildGo(src, Options{Binary: []byte("x"), Name: "web", Arch: "arm64", CABundle: caBundle(t)})
	if err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(t.TempDir(), "oci.tar")
	if out, err := exec.Command("tar", "-cf", archive, "-C", src, ".").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v %s", err, out)
	}
	bin := t.TempDir()
	t.Setenv("PATH", bin)
	if _, err := BuildDockerfile(ctx, filepath.Join(t.TempDir(), "out"), DockerOptions{Context: proj, File: "Dockerfile", Arch: "arm64"}); !errors.Is(err, ErrNoDocker) {
		t.Fatalf("without docker: %v", err)
	}
	argsLog := filepath.Join(bin, "args")
	script := "#!/bin/sh\necho \"$@\" > " + argsLog + "\nfor a in \"$@\"; do case \"$a\" in type=oci,dest=*) cp " + archive + " \"${a#type=oci,dest=}\";; esac; done\n"
	if err := os.WriteFile(filepath.Join(bin, "docker"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+"/usr/bin:/bin")
	out := filepath.Join(t.TempDir(), "out")
	res, err := BuildDockerfile(ctx, out, DockerOptions{Context: proj, File: "Dockerfile", Arch: "x86_64", BuildArgs: []string{"A=1"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Digest != want.Digest {
		t.Fatalf("digest %s, want %s", res.Digest, want.Digest)
	}
	args, _ := os.ReadFile(argsLog)
	for _, w := range []string{"buildx build", "--platform linux/amd64", "--file " + filepath.Join(proj, "Dockerfile"), "--build-arg A=1", "type=oci,dest="} {
		if !strings.Contains(string(args), w) {
			t.Errorf("docker args %q lack %q", args, w)
		}
	}
	// A failing docker reports its output.
	os.WriteFile(filepath.Join(bin, "docker"), []byte("#!/bin/sh\necho 'ERROR: failed to solve: no such file' >&2\nexit 1\n"), 0o755)
	if _, err := BuildDockerfile(ctx, out, DockerOptions{Context: proj, File: "Dockerfile", Arch: "arm64"}); err == nil || !strings.Contains(err.Error(), "failed to solve") {
		t.Errorf("failing docker: %v", err)
	}
}
