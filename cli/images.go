package cli

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/sst-tf/sst/internal/image"
	"github.com/sst-tf/sst/manifest"
)

// EnvImageRegistry, when set to host[:port], is where service images are
// pushed instead of the registry host of their ECR repository URL: an
// emulator's repository URLs name AWS's registry, which a local stage
// cannot reach. A loopback registry is spoken to over plain HTTP.
const EnvImageRegistry = "SST_IMAGE_REGISTRY"

// pushImages is the deploy step Terraform does not do for services: push
// each one's image (built by the synthesis as an OCI layout, named by
// digest in its task definition) to its repository. Before the apply it
// runs with the last deploy's outputs, so a new task definition finds its
// image already there; a service deployed for the first time has no
// repository yet and is pushed after the apply (ECS retries the pull
// meanwhile). A push is recorded and not repeated while the digest and
// repository stay the same.
func (r *stackRunner) pushImages(ctx context.Context, outs map[string]json.RawMessage, beforeApply bool) error {
	for _, c := range r.st.Constructs {
		if c.Type != manifest.ServiceType || c.Data[manifest.ServiceImage] == "" {
			continue
		}
		if err := r.pushImage(ctx, c, outs, beforeApply); err != nil {
			return fmt.Errorf("service %s: push image: %w", c.ID, err)
		}
	}
	return nil
}

func (r *stackRunner) pushImage(ctx context.Context, c manifest.Construct, outs map[string]json.RawMessage, beforeApply bool) error {
	_, out, _ := manifest.ParseOutputRef(c.Data[manifest.ServiceRepository])
	var repoURL string
	if err := json.Unmarshal(outs[out], &repoURL); err != nil || repoURL == "" {
		if beforeApply {
			return nil // not deployed yet: pushed after the apply
		}
		return fmt.Errorf("stack %s has no output %s", r.st.Name, out)
	}
	digest := c.Data[manifest.ServiceDigest]
	record := r.s.imageRecord(c.ID)
	if b, err := os.ReadFile(record); err == nil && string(b) == repoURL+"@"+digest {
		return nil
	}
	host, repo, ok := strings.Cut(repoURL, "/")
	if !ok {
		return fmt.Errorf("repository URL %q has no path", repoURL)
	}
	var auth authn.Authenticator = authn.Anonymous
	insecure := false
	if override := r.s.f.Getenv(EnvImageRegistry); override != "" {
		host = override
		h, _, err := net.SplitHostPort(override)
		if err != nil {
			h = override
		}
		ip := net.ParseIP(h)
		insecure = h == "localhost" || (ip != nil && ip.IsLoopback())
	} else if r.s.endpoint != "" && strings.HasSuffix(host, ".amazonaws.com") {
		r.printf("Service %s: image %s not pushed: the emulator's repository URL names AWS's registry (%s); set %s to a registry this machine reaches\n", c.ID, digest, host, EnvImageRegistry)
		return nil
	} else {
		cfg, err := r.s.awsConfig(ctx, r.m)
		if err != nil {
			return err
		}
		if auth, err = ecrAuth(ctx, ecr.NewFromConfig(cfg)); err != nil {
			return err
		}
	}
	start := time.Now()
	dir := filepath.Join(r.dir, filepath.FromSlash(c.Data[manifest.ServiceImage]))
	// "latest" marks the image this stage runs; the task definition names
	// it by digest, so the tag moving never changes what runs.
	pushed, err := image.Push(ctx, dir, host+"/"+repo+":latest", auth, insecure)
	if err != nil {
		return err
	}
	if pushed != digest {
		return fmt.Errorf("pushed %s, but the task definition names %s: the image at %s changed after the synthesis; deploy again", pushed, digest, dir)
	}
	r.printf("Service %s: image %s pushed to %s/%s in %s\n", c.ID, digest, host, repo, time.Since(start).Round(10*time.Millisecond))
	if err := os.MkdirAll(filepath.Dir(record), 0o755); err != nil {
		return err
	}
	return os.WriteFile(record, []byte(repoURL+"@"+digest), 0o644)
}

// ecrAuth is the registry login ECR hands out for this account: user
// "AWS" and a 12-hour token.
func ecrAuth(ctx context.Context, client *ecr.Client) (authn.Authenticator, error) {
	tok, err := client.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		return nil, fmt.Errorf("ECR login: %w", err)
	}
	if len(tok.AuthorizationData) == 0 || tok.AuthorizationData[0].AuthorizationToken == nil {
		return nil, errors.New("ECR login: no authorization data")
	}
	raw, err := base64.StdEncoding.DecodeString(*tok.AuthorizationData[0].AuthorizationToken)
	if err != nil {
		return nil, fmt.Errorf("ECR login: %w", err)
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok {
		return nil, errors.New("ECR login: the token is not user:password")
	}
	return &authn.Basic{Username: user, Password: pass}, nil
}

// imageRecord is where the last push of a service's image for this stage
// is recorded.
func (s *session) imageRecord(id string) string {
	return filepath.Join(s.project.Path(manifest.SSTDir), "images", s.stage, id)
}

// forgetImages drops the push records of a removed stack's services:
// their repositories are gone.
func (r *stackRunner) forgetImages() error {
	for _, c := range r.st.Constructs {
		if c.Type == manifest.ServiceType {
			if err := os.Remove(r.s.imageRecord(c.ID)); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
	}
	return nil
}
