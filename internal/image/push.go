package image

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Push sends the image of the OCI layout at dir to ref ("host/repo:tag"),
// blobs the registry already holds skipped, and returns the digest it was
// pushed as. insecure talks plain HTTP (a registry on loopback, an
// emulator's).
func Push(ctx context.Context, dir, ref string, auth authn.Authenticator, insecure bool) (string, error) {
	img, err := Read(dir)
	if err != nil {
		return "", err
	}
	var opts []name.Option
	if insecure {
		opts = append(opts, name.Insecure)
	}
	r, err := name.ParseReference(ref, opts...)
	if err != nil {
		return "", fmt.Errorf("image reference %q: %w", ref, err)
	}
	if auth == nil {
		auth = authn.Anonymous
	}
	if err := remote.Write(r, img, remote.WithContext(ctx), remote.WithAuth(auth)); err != nil {
		return "", fmt.Errorf("push %s: %w", r, err)
	}
	d, err := img.Digest()
	if err != nil {
		return "", err
	}
	return d.String(), nil
}
