package cli

import (
	"cmp"
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/sst-tf/sst/manifest"
)

// awsConfig is the AWS SDK configuration for commands that call AWS
// directly rather than through terraform. Flags and SST_* variables win;
// then the app's own region and profile from its manifest. With an endpoint
// (an emulator) the profile is ignored, as the provider config does, and
// dummy credentials stand in when none are set.
func (s *session) awsConfig(ctx context.Context, m *manifest.Manifest) (aws.Config, error) {
	region, profile := s.region, s.profile
	if m != nil {
		region = cmp.Or(region, m.Region)
		profile = cmp.Or(profile, m.Profile)
	}
	region = cmp.Or(region, s.f.Getenv("AWS_REGION"), s.f.Getenv("AWS_DEFAULT_REGION"), "us-east-1")
	opts := []func(*config.LoadOptions) error{config.WithRegion(region)}
	if s.endpoint != "" {
		profile = ""
	}
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	// Credentials in the factory's environment (the process's in
	// production, a test's in-process) come first.
	if id, secret := s.f.Getenv("AWS_ACCESS_KEY_ID"), s.f.Getenv("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" && profile == "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(id, secret, s.f.Getenv("AWS_SESSION_TOKEN"))))
	} else if s.endpoint != "" && profile == "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("AWS configuration: %w", err)
	}
	if s.endpoint != "" {
		cfg.BaseEndpoint = aws.String(s.endpoint)
	}
	return cfg, nil
}
