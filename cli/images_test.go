package cli

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/google/go-containerregistry/pkg/authn"
)

// fakeECR answers GetAuthorizationToken (JSON 1.1) with token.
func fakeECR(t *testing.T, token string) *ecr.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if target := r.Header.Get("X-Amz-Target"); !strings.HasSuffix(target, ".GetAuthorizationToken") {
			t.Errorf("unexpected call %s %s", target, body)
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		io.WriteString(w, `{"authorizationData":[{"authorizationToken":"`+token+`","proxyEndpoint":"https://123456789012.dkr.ecr.us-east-1.amazonaws.com"}]}`)
	}))
	t.Cleanup(srv.Close)
	return ecr.New(ecr.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  aws.AnonymousCredentials{},
	})
}

func TestECRAuth(t *testing.T) {
	ctx := context.Background()
	a, err := ecrAuth(ctx, fakeECR(t, base64.StdEncoding.EncodeToString([]byte("AWS:s3cr3t:with:colons"))))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := a.Authorization()
	if err != nil {
		t.Fatal(err)
	}
	if *cfg != (authn.AuthConfig{Username: "AWS", Password: "s3cr3t:with:colons"}) {
		t.Errorf("auth %+v", cfg)
	}
	for token, want := range map[string]string{
		"!!!": "ECR login: illegal base64",
		base64.StdEncoding.EncodeToString([]byte("nocolon")): "not user:password",
	} {
		if _, err := ecrAuth(ctx, fakeECR(t, token)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("token %q: %v, want %q", token, err, want)
		}
	}
}
