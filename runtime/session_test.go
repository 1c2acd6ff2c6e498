package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/sst-tf/sst/internal/jwt"
)

// authEnv binds Auth "Auth" with its public key in SSM (the placeholder),
// served by a fetcher standing in for runtime/ssm.
func authEnv(t *testing.T) (priv string, fetched *[]string) {
	t.Helper()
	reset(t)
	priv, pub, err := jwt.GenerateKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SST_SSM_PREFIX", "/sst/notes/dev/")
	t.Setenv("SST_Auth_publicKey_Auth", SSMPlaceholder)
	var names []string
	SSMFetcher = func(_ context.Context, n []string) (map[string]string, error) {
		names = append(names, n...)
		return map[string]string{"/sst/notes/dev/Auth/Auth/publicKey": pub}, nil
	}
	return priv, &names
}

func sign(t *testing.T, privPEM string, claims any) string {
	t.Helper()
	k, err := jwt.ParsePrivateKey(privPEM)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Sign("RS512", k, claims)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestVerifySession(t *testing.T) {
	priv, fetched := authEnv(t)
	ctx := context.Background()
	good := sign(t, priv, map[string]any{"type": "user", "properties": map[string]any{"userID": "u1"}, "iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()})
	s, err := VerifySession(ctx, good)
	if err != nil || s.Type != "user" || s.String("userID") != "u1" || s.Public() {
		t.Fatalf("VerifySession = %+v, %v", s, err)
	}
	// The key is read from SSM once and cached.
	VerifySession(ctx, good)
	if strings.Join(*fetched, ",") != "/sst/notes/dev/Auth/Auth/publicKey" {
		t.Errorf("fetched %v", *fetched)
	}

	other, _, _ := jwt.GenerateKeyPair()
	for name, tc := range map[string]struct {
		token string
		want  string
	}{
		"expired":       {sign(t, priv, map[string]any{"type": "user", "properties": map[string]any{}, "exp": time.Now().Add(-time.Hour).Unix()}), "token expired"},
		"other key":     {sign(t, other, map[string]any{"type": "user", "properties": map[string]any{}}), "bad signature"},
		"no type":       {sign(t, priv, map[string]any{"claims": map[string]any{"email": "x"}}), `no "type"`},
		"not a jwt":     {"abc", "malformed"},
		"alg none":      {"eyJhbGciOiJub25lIn0.eyJ0eXBlIjoidXNlciJ9.", `algorithm "none" not accepted`},
		"not yet valid": {sign(t, priv, map[string]any{"type": "user", "nbf": time.Now().Add(time.Hour).Unix()}), "not valid before"},
	} {
		s, err := VerifySession(ctx, tc.token)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !s.Public() {
			t.Errorf("%s: %+v, %v (want %q)", name, s, err, tc.want)
		}
	}
	if s := RequestSession(ctx, map[string]string{"AUTHORIZATION": "bearer " + good}, nil); s.String("userID") != "u1" {
		t.Errorf("RequestSession(bearer) = %+v", s)
	}
	// The cookie wins over the header, as in SST v2.
	if tok := SessionToken(map[string]string{"Authorization": "Bearer header", "Cookie": "a=1; auth-token=cookie"}, nil); tok != "cookie" {
		t.Errorf("SessionToken = %q", tok)
	}
}

func TestVerifySessionNotBound(t *testing.T) {
	reset(t)
	_, err := VerifySession(context.Background(), "a.b.c")
	var nb *NotBoundError
	if !errors.As(err, &nb) || !strings.Contains(err.Error(), "Bind list") {
		t.Errorf("err = %v", err)
	}
	t.Setenv("SST_Auth_publicKey_A", "x")
	t.Setenv("SST_Auth_publicKey_B", "y")
	if _, err := VerifySession(context.Background(), "a.b.c"); err == nil || !strings.Contains(err.Error(), "2 Auth constructs are bound") || !strings.Contains(err.Error(), "VerifySessionWith") {
		t.Errorf("two bound: %v", err)
	}
}

// TestSessionNodeInterop: a session signed here verifies with Node's own
// crypto as SST v2's client (fast-jwt, RS512) checks it, and one signed by
// Node verifies here.
func TestSessionNodeInterop(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH")
	}
	priv, pub, err := jwt.GenerateKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	goToken := sign(t, priv, map[string]any{"type": "user", "properties": map[string]any{"userID": "from-go"}, "iat": time.Now().Unix()})
	const script = `
const crypto = require("crypto");
const [priv, pub, token] = [process.env.PRIV, process.env.PUB, process.env.TOKEN];
const [h, p, s] = token.split(".");
const ok = crypto.verify("RSA-SHA512", Buffer.from(h + "." + p), pub, Buffer.from(s, "base64url"));
const enc = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
const head = enc({ alg: "RS512", typ: "JWT" });
const body = enc({ type: "user", properties: { userID: "from-node" }, iat: Math.floor(Date.now() / 1000) });
const sig = crypto.sign("RSA-SHA512", Buffer.from(head + "." + body), priv).toString("base64url");
console.log(JSON.stringify({ ok, claims: JSON.parse(Buffer.from(p, "base64url")), token: head + "." + body + "." + sig }));
`
	cmd := exec.Command("node", "-e", script)
	cmd.Env = append(os.Environ(), "PRIV="+priv, "PUB="+pub, "TOKEN="+goToken)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var got struct {
		OK     bool           `json:"ok"`
		Claims map[string]any `json:"claims"`
		Token  string         `json:"token"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !got.OK || got.Claims["type"] != "user" {
		t.Errorf("node did not verify the Go session: %s", out)
	}
	key, _ := ParseAuthPublicKey(pub)
	if s, err := VerifySessionKey(key, got.Token); err != nil || s.String("userID") != "from-node" {
		t.Errorf("the Node session: %+v %v", s, err)
	}
}
