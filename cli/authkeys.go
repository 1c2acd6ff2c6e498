package cli

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/sst-tf/sst/internal/jwt"
	"github.com/sst-tf/sst/manifest"
)

// Auth signing keys are made here, not by Terraform: a key generated in a
// Terraform resource would sit in the state (and the JSON), and these keys
// are what sessions are trusted by. They live in SSM as SecureStrings at
// the names SST v2 used, so its Node client reads them too.

// authKeyPaths are the key parameters of the stack's Auth constructs:
// private and public path per Auth id.
func authKeyPaths(st *manifest.Stack) map[string][2]string {
	out := map[string][2]string{}
	for _, c := range st.Constructs {
		if c.Type == "Auth" && c.Data[manifest.AuthPrivateKeyPath] != "" {
			out[c.ID] = [2]string{c.Data[manifest.AuthPrivateKeyPath], c.Data[manifest.AuthPublicKeyPath]}
		}
	}
	return out
}

// authKeys are the stack's Auth key paths and an SSM client, nil when
// the stack has no Auth.
func (r *stackRunner) authKeys(ctx context.Context) (map[string][2]string, *ssm.Client, error) {
	auths := authKeyPaths(r.st)
	if len(auths) == 0 {
		return nil, nil, nil
	}
	cfg, err := r.s.awsConfig(ctx, r.m)
	if err != nil {
		return nil, nil, err
	}
	return auths, ssm.NewFromConfig(cfg), nil
}

// ensureAuthKeys makes the key pair of each Auth of the stack that has
// none, before the stack is applied: functions that verify sessions find
// the public key from their first cold start. A pair found whole is kept
// (sessions issued before stay valid); half a pair is replaced.
func (r *stackRunner) ensureAuthKeys(ctx context.Context) error {
	auths, api, err := r.authKeys(ctx)
	if err != nil || api == nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(auths)) {
		paths := auths[id]
		out, err := api.GetParameters(ctx, &ssm.GetParametersInput{Names: paths[:]})
		if err != nil {
			return fmt.Errorf("auth %s: reading its signing keys from SSM: %w", id, err)
		}
		if len(out.Parameters) == 2 {
			continue
		}
		replace := len(out.Parameters) == 1
		priv, pub, err := jwt.GenerateKeyPair()
		if err != nil {
			return fmt.Errorf("auth %s: generating its signing keys: %w", id, err)
		}
		for i, v := range []string{priv, pub} {
			_, err := api.PutParameter(ctx, &ssm.PutParameterInput{
				Name: aws.String(paths[i]), Value: aws.String(v), Type: types.ParameterTypeSecureString, Overwrite: aws.Bool(replace),
			})
			var exists *types.ParameterAlreadyExists
			if i == 0 && errors.As(err, &exists) {
				// A concurrent deploy of the stage made the pair first.
				break
			}
			if err != nil {
				return fmt.Errorf("auth %s: storing its signing key at %s: %w", id, paths[i], err)
			}
		}
		what := "made its signing keys"
		if replace {
			what = "found half a key pair and made a new one (sessions issued before no longer verify)"
		}
		r.printf("Stack %s: auth %s: %s in SSM (%s)\n", r.s.style.Bold(r.st.Name), id, what, paths[1])
	}
	return nil
}

// removeAuthKeys deletes the key pairs of the stack's Auth constructs,
// once the stack is destroyed.
func (r *stackRunner) removeAuthKeys(ctx context.Context) error {
	auths, api, err := r.authKeys(ctx)
	if err != nil || api == nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(auths)) {
		paths := auths[id]
		if _, err := api.DeleteParameters(ctx, &ssm.DeleteParametersInput{Names: paths[:]}); err != nil {
			return fmt.Errorf("auth %s: deleting its signing keys from SSM: %w", id, err)
		}
	}
	return nil
}
