package jwt

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSignVerifyAndRefusals(t *testing.T) {
	privPEM, pubPEM, err := GenerateKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(privPEM, "-----BEGIN PRIVATE KEY-----") || !strings.HasPrefix(pubPEM, "-----BEGIN PUBLIC KEY-----") {
		t.Fatalf("want PKCS#8 and SPKI PEM (SST v2's encodings):\n%s\n%s", privPEM, pubPEM)
	}
	priv, err := ParsePrivateKey(privPEM)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublicKey(pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tok, err := SignWithKeyID("RS256", "k1", priv, map[string]any{"sub": "a", "exp": now.Add(time.Minute).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := Parse(tok); h.Alg != "RS256" || h.Kid != "k1" {
		t.Errorf("header = %+v", h)
	}
	var c struct{ Sub string }
	if err := Verify(tok, pub, []string{"RS256"}, now, &c); err != nil || c.Sub != "a" {
		t.Errorf("Verify = %v, %+v", err, c)
	}
	// Through a JWK, as an OIDC issuer publishes the key.
	jwk, err := PublicKeyJWK("k1", pub).RSA()
	if err != nil || jwk.N.Cmp(pub.N) != 0 || jwk.E != pub.E {
		t.Errorf("JWK round trip: %v", err)
	}
	for name, tc := range map[string]struct {
		err  error
		want string
	}{
		"algorithm not accepted": {Verify(tok, pub, []string{"RS512"}, now, nil), `"RS256" not accepted`},
		"expired past leeway":    {Verify(tok, pub, []string{"RS256"}, now.Add(3*time.Minute), nil), "expired"},
		"tampered payload":       {Verify(strings.Replace(tok, ".", ".e30", 1)[:len(tok)], pub, []string{"RS256"}, now, nil), ""},
		"two parts":              {Verify("a.b", pub, []string{"RS256"}, now, nil), "malformed"},
		"unsupported alg":        {func() error { _, err := Sign("HS256", priv, map[string]any{}); return err }(), "not supported"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, tc.err, tc.want)
		}
	}
	// exp is a minute away; a minute of leeway follows it.
	if err := Verify(tok, pub, []string{"RS256"}, now.Add(90*time.Second), nil); err != nil {
		t.Errorf("within the leeway: %v", err)
	}
	if err := Verify(tok, pub, []string{"RS256"}, now.Add(2*time.Minute+2*time.Second), nil); !errors.Is(err, ErrExpired) {
		t.Errorf("past the leeway: %v", err)
	}
	if _, err := ParsePublicKey(privPEM); err == nil {
		t.Error("a private key parsed as a public one")
	}
	if _, err := ParsePrivateKey("not pem"); err == nil || !strings.Contains(err.Error(), "not PEM") {
		t.Errorf("not PEM: %v", err)
	}
}

// TestUnverified reads a token's kid and issuer before any key is known,
// forged or not, and refuses what is not a token.
func TestUnverified(t *testing.T) {
	privPEM, _, err := GenerateKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	priv, err := ParsePrivateKey(privPEM)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := SignWithKeyID("RS256", "k1", priv, map[string]any{"iss": "https://issuer.example", "exp": 1})
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		Iss string `json:"iss"`
	}
	h, err := Unverified(tok, &claims)
	if err != nil || h.Kid != "k1" || h.Alg != "RS256" || claims.Iss != "https://issuer.example" {
		t.Errorf("Unverified = %+v, %+v, %v", h, claims, err)
	}
	for _, bad := range []string{"abc", "a.b", tok[:strings.LastIndex(tok, ".")] + "x.y"} {
		if _, err := Unverified(bad, &claims); err == nil {
			t.Errorf("Unverified(%q) accepted", bad)
		}
	}
}
