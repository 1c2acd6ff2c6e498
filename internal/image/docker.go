package image

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// ErrNoDocker is BuildDockerfile's error on a machine without the docker
// command: a Dockerfile needs an engine to run its steps.
var ErrNoDocker = errors.New("docker is not on PATH")

// DockerOptions describe one Dockerfile build.
type DockerOptions struct {
	Context string // the build context directory
	File    string // the Dockerfile, relative to Context
	Arch    string // arm64 or x86_64
	// BuildArgs are passed as --build-arg KEY=value, in order.
	BuildArgs []string
}

// BuildDockerfile builds a Dockerfile with docker buildx, which writes the
// image as an OCI archive; the archive is unpacked into an OCI layout at
// dir, so Push handles it as it does a Go image.
func BuildDockerfile(ctx context.Context, dir string, o DockerOptions) (*Result, error) {
	arch, err := GoArch(o.Arch)
	if err != nil {
		return nil, err
	}
	docker, err := exec.LookPath("docker")
	if err != nil {
		return nil, ErrNoDocker
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".docker-oci-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	archive := filepath.Join(tmp, "image.tar")
	args := []string{"buildx", "build", "--platform", "linux/" + arch,
		"--file", filepath.Join(o.Context, o.File),
		"--output", "type=oci,dest=" + archive}
	for _, a := range o.BuildArgs {
		args = append(args, "--build-arg", a)
	}
	args = append(args, o.Context)
	cmd := exec.CommandContext(ctx, docker, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("docker %s failed: %v\n%s", strings.Join(args, " "), err, strings.TrimRight(out.String(), "\n"))
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := untar(archive, dir); err != nil {
		return nil, fmt.Errorf("unpack docker's OCI archive: %w", err)
	}
	img, err := Read(dir)
	if err != nil {
		return nil, err
	}
	d, err := img.Digest()
	if err != nil {
		return nil, err
	}
	return &Result{Dir: dir, Digest: d.String()}, nil
}

// untar unpacks the regular files and directories of an archive into dir,
// refusing entries that would land outside it.
func untar(archive, dir string) error {
	f, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Clean(filepath.FromSlash(h.Name))
		if filepath.IsAbs(name) || name == ".." || strings.HasPrefix(name, ".."+string(filepath.Separator)) {
			return fmt.Errorf("entry %q leaves the archive", h.Name)
		}
		p := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			w, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			_, err = io.Copy(w, tr)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		}
	}
}

// Platform is the OS and architecture an image's config names.
func Platform(img v1.Image) (v1.Platform, error) {
	cfg, err := img.ConfigFile()
	if err != nil {
		return v1.Platform{}, err
	}
	return v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture}, nil
}
