// Package image builds container images without a Docker engine and
// pushes them with a registry client: a Go binary is laid, ko-style, on a
// small distroless-style base made on this machine (no registry is needed
// to build), and the result is written as an OCI image layout directory
// that any OCI tool can read and that Push sends to a registry such as ECR.
//
// Images are reproducible: the same binary, base files and settings give
// the same digest, so a service whose code did not change is not
// redeployed.
package image

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Nonroot is the user and group the image runs as, distroless's
// "nonroot": a container escape then lands in no privileged account.
const Nonroot = 65532

// BinaryDir is where the binary lies in the image; the entrypoint is
// BinaryDir/<Options.Name>.
const BinaryDir = "/app"

// CABundlePaths are where machines keep the CA certificate bundle the base
// copies, tried in order after $SSL_CERT_FILE (Debian/Ubuntu/Alpine,
// Fedora/RHEL, openSUSE, macOS and BSDs).
var CABundlePaths = []string{
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/ssl/ca-bundle.pem",
	"/etc/ssl/cert.pem",
}

// Options describe one image around a Go binary.
type Options struct {
	// Binary is the executable, built for linux and Arch.
	Binary []byte
	// Name is the binary's file name in BinaryDir (the entrypoint).
	Name string
	// Arch is "arm64" or "amd64" (Go's names; x86_64 is accepted).
	Arch string
	// Env are KEY=value pairs baked into the image config; a service's
	// runtime environment belongs in its task definition instead.
	Env []string
	// Ports are the TCP ports the image says it listens on.
	Ports []int
	// CABundle is the PEM file of CA certificates put in the image at
	// /etc/ssl/certs/ca-certificates.crt; "" finds this machine's
	// (FindCABundle).
	CABundle string
}

// Result is a written image.
type Result struct {
	// Dir is the OCI layout directory (index.json, oci-layout, blobs/).
	Dir string
	// Digest is the image manifest's digest, "sha256:…".
	Digest string
}

// FindCABundle is the CA bundle the base image copies: $SSL_CERT_FILE
// when set (as Go's own TLS stack honours it), else the first of
// CABundlePaths that exists.
func FindCABundle() (string, error) {
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		if _, err := os.Stat(f); err != nil {
			return "", fmt.Errorf("SSL_CERT_FILE: %w", err)
		}
		return f, nil
	}
	for _, p := range CABundlePaths {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", fmt.Errorf("no CA certificate bundle on this machine (looked at %v): install your system's ca-certificates package or set SSL_CERT_FILE to a PEM bundle; the image needs it to call HTTPS services", CABundlePaths)
}

// GoArch is Go's name for an architecture given as Lambda and ECS spell it.
func GoArch(arch string) (string, error) {
	switch arch {
	case "arm64", "ARM64", "arm_64":
		return "arm64", nil
	case "amd64", "x86_64", "X86_64":
		return "amd64", nil
	}
	return "", fmt.Errorf("architecture %q: want arm64 or x86_64", arch)
}

// BuildGo writes the image o describes as an OCI layout at dir, replacing
// whatever was there.
func BuildGo(dir string, o Options) (*Result, error) {
	arch, err := GoArch(o.Arch)
	if err != nil {
		return nil, err
	}
	if len(o.Binary) == 0 {
		return nil, errors.New("image: no binary")
	}
	if o.Name == "" || o.Name != path.Base(o.Name) || o.Name == "." || o.Name == ".." {
		return nil, fmt.Errorf("image: binary name %q must be a plain file name", o.Name)
	}
	ca := o.CABundle
	if ca == "" {
		if ca, err = FindCABundle(); err != nil {
			return nil, err
		}
	}
	pem, err := os.ReadFile(ca)
	if err != nil {
		return nil, fmt.Errorf("read CA bundle: %w", err)
	}
	base, err := layer(baseFiles(pem))
	if err != nil {
		return nil, err
	}
	entry := BinaryDir + "/" + o.Name
	app, err := layer([]file{
		{name: BinaryDir, dir: true, mode: 0o755},
		{name: entry, mode: 0o755, data: o.Binary},
	})
	if err != nil {
		return nil, err
	}
	cfg := &v1.ConfigFile{
		Architecture: arch,
		OS:           "linux",
		Config: v1.Config{
			Entrypoint: []string{entry},
			Env:        append([]string{"PATH=/usr/local/bin:/usr/bin:/bin:" + BinaryDir, "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"}, o.Env...),
			User:       strconv.Itoa(Nonroot) + ":" + strconv.Itoa(Nonroot),
			WorkingDir: "/home/nonroot",
		},
	}
	if len(o.Ports) > 0 {
		cfg.Config.ExposedPorts = map[string]struct{}{}
		for _, p := range o.Ports {
			cfg.Config.ExposedPorts[strconv.Itoa(p)+"/tcp"] = struct{}{}
		}
	}
	img, err := mutate.ConfigFile(empty.Image, cfg)
	if err != nil {
		return nil, err
	}
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img,
		mutate.Addendum{Layer: base, History: v1.History{CreatedBy: "sst: base (CA certificates, nonroot user)"}},
		mutate.Addendum{Layer: app, History: v1.History{CreatedBy: "sst: " + entry}},
	)
	if err != nil {
		return nil, err
	}
	return WriteLayout(dir, img, v1.Platform{OS: "linux", Architecture: arch})
}

// WriteLayout writes img as the only image of an OCI layout at dir,
// replacing whatever was there.
func WriteLayout(dir string, img v1.Image, platform v1.Platform) (*Result, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return nil, err
	}
	if err := p.AppendImage(img, layout.WithPlatform(platform)); err != nil {
		return nil, fmt.Errorf("write OCI layout %s: %w", dir, err)
	}
	d, err := img.Digest()
	if err != nil {
		return nil, err
	}
	return &Result{Dir: dir, Digest: d.String()}, nil
}

// Read is the single image of the OCI layout at dir (what BuildGo or a
// Docker build wrote).
func Read(dir string) (v1.Image, error) {
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, fmt.Errorf("read OCI layout %s: %w", dir, err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("read OCI layout %s: %w", dir, err)
	}
	var imgs []v1.Descriptor
	for _, d := range m.Manifests {
		if d.MediaType.IsImage() {
			imgs = append(imgs, d)
		}
	}
	if len(imgs) != 1 {
		return nil, fmt.Errorf("OCI layout %s holds %d images, want exactly 1", dir, len(imgs))
	}
	return idx.Image(imgs[0].Digest)
}

// file is one entry of a layer.
type file struct {
	name     string
	dir      bool
	mode     int64
	uid, gid int
	data     []byte
}

// baseFiles are the distroless-style base: what a static Go binary needs
// from its file system (CA certificates for TLS, a user database so the
// nonroot user has a name and home, a writable /tmp, name resolution
// through files then DNS).
func baseFiles(caPEM []byte) []file {
	passwd := "root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
	group := "root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n"
	return []file{
		{name: "etc", dir: true, mode: 0o755},
		{name: "etc/group", mode: 0o644, data: []byte(group)},
		{name: "etc/nsswitch.conf", mode: 0o644, data: []byte("hosts: files dns\n")},
		{name: "etc/passwd", mode: 0o644, data: []byte(passwd)},
		{name: "etc/ssl", dir: true, mode: 0o755},
		{name: "etc/ssl/certs", dir: true, mode: 0o755},
		{name: "etc/ssl/certs/ca-certificates.crt", mode: 0o644, data: caPEM},
		{name: "home", dir: true, mode: 0o755},
		{name: "home/nonroot", dir: true, mode: 0o700, uid: Nonroot, gid: Nonroot},
		{name: "root", dir: true, mode: 0o700},
		{name: "tmp", dir: true, mode: 0o1777},
	}
}

// layer is a gzip-compressed OCI layer holding files, byte-identical for
// identical files: sorted entries, zero times, fixed owners.
func layer(files []file) (v1.Layer, error) {
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		name := filepath.ToSlash(f.name)
		if name[0] == '/' {
			name = name[1:]
		}
		h := &tar.Header{Name: name, Mode: f.mode, Uid: f.uid, Gid: f.gid, Format: tar.FormatPAX}
		if f.dir {
			h.Typeflag, h.Name = tar.TypeDir, name+"/"
		} else {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(f.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithMediaType(types.OCILayer))
}
