package auth

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sst-tf/sst/internal/jwt"
	"github.com/sst-tf/sst/runtime"
)

// issuer is a local OpenID Connect issuer: discovery, authorize (it signs
// the user in at once), token (checking code, PKCE verifier, client
// secret and redirect URI) and JWKS.
type issuer struct {
	*httptest.Server
	key *rsa.PrivateKey
	// signWith, when set, signs ID tokens instead of key (a forged token).
	signWith *rsa.PrivateKey
	// nonce, when set, replaces the nonce the ID token carries.
	nonce string
	// deny makes authorize answer error=access_denied.
	deny bool

	mu    sync.Mutex
	codes map[string]url.Values // code → the authorize request
}

const (
	clientID     = "app-client"
	clientSecret = "app-secret"
)

func newIssuer(t *testing.T) *issuer {
	t.Helper()
	pemKey, _, err := jwt.GenerateKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	key, _ := jwt.ParsePrivateKey(pemKey)
	is := &issuer{key: key, codes: map[string]url.Values{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{
			"issuer": is.URL, "authorization_endpoint": is.URL + "/authorize", "token_endpoint": is.URL + "/token", "jwks_uri": is.URL + "/jwks",
		})
	})
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != clientID || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" {
			http.Error(w, "bad authorize request: "+q.Encode(), http.StatusBadRequest)
			return
		}
		back, _ := url.Parse(q.Get("redirect_uri"))
		bq := url.Values{"state": {q.Get("state")}}
		if is.deny {
			bq.Set("error", "access_denied")
			bq.Set("error_description", "the user said no")
		} else {
			code := fmt.Sprintf("code-%d", time.Now().UnixNano())
			is.mu.Lock()
			is.codes[code] = q
			is.mu.Unlock()
			bq.Set("code", code)
		}
		back.RawQuery = bq.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		is.mu.Lock()
		auth, ok := is.codes[r.Form.Get("code")]
		delete(is.codes, r.Form.Get("code"))
		is.mu.Unlock()
		sum := sha256.Sum256([]byte(r.Form.Get("code_verifier")))
		switch {
		case !ok:
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant", "error_description": "unknown code"})
			return
		case base64.RawURLEncoding.EncodeToString(sum[:]) != auth.Get("code_challenge"),
			r.Form.Get("client_secret") != clientSecret,
			r.Form.Get("redirect_uri") != auth.Get("redirect_uri"):
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": "invalid_request", "error_description": "verifier, secret or redirect_uri mismatch"})
			return
		}
		nonce := auth.Get("nonce")
		if is.nonce != "" {
			nonce = is.nonce
		}
		key := is.key
		if is.signWith != nil {
			key = is.signWith
		}
		idt, _ := jwt.SignWithKeyID("RS256", "k1", key, map[string]any{
			"iss": is.URL, "aud": clientID, "sub": "user-42", "email": "ada@example.com", "nonce": nonce,
			"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix(),
		})
		json.NewEncoder(w).Encode(map[string]any{"access_token": "at-1", "token_type": "Bearer", "id_token": idt, "expires_in": 3600})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"keys": []jwt.JWK{jwt.PublicKeyJWK("k1", &is.key.PublicKey)}})
	})
	is.Server = httptest.NewServer(mux)
	t.Cleanup(is.Close)
	return is
}

// app is an authenticator served the way Lambda runs it: each request
// becomes an HTTP API event for Handler.Lambda, and the event's response
// is written back. /done stands for the app the session redirects to.
type app struct {
	*httptest.Server
	pub    *rsa.PublicKey
	sent   []string // links and codes Send delivered
	mu     sync.Mutex
	client *http.Client
}

func newApp(t *testing.T, providers func(a *app) map[string]Provider) *app {
	t.Helper()
	priv, pub, err := jwt.GenerateKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	a := &app{}
	a.pub, _ = jwt.ParsePublicKey(pub)
	h := New(Config{
		Providers: providers(a),
		OnSuccess: func(w http.ResponseWriter, r *http.Request, res Result) error {
			props := map[string]any{"provider": res.Provider}
			for _, k := range []string{"email", "sub"} {
				if v, ok := res.Claims[k]; ok {
					props[k] = v
				}
			}
			if res.Tokens.AccessToken != "" {
				props["accessToken"] = res.Tokens.AccessToken
			}
			return SessionCookie(w, r, runtime.Session{Type: "user", Properties: props}, a.URL+"/done")
		},
		PrivateKey: priv, PublicKey: pub, Prefix: "/auth",
	})
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/done" {
			io.WriteString(w, "signed in")
			return
		}
		body, _ := io.ReadAll(r.Body)
		ev := events.APIGatewayV2HTTPRequest{RawPath: r.URL.Path, RawQueryString: r.URL.RawQuery, Headers: map[string]string{}, Body: string(body)}
		for k, v := range r.Header {
			if k != "Cookie" {
				ev.Headers[strings.ToLower(k)] = strings.Join(v, ",")
			}
		}
		for _, c := range r.Cookies() {
			ev.Cookies = append(ev.Cookies, c.String())
		}
		ev.RequestContext.DomainName = r.Host
		ev.RequestContext.HTTP.Method = r.Method
		res, err := h.Lambda(r.Context(), ev)
		if err != nil {
			t.Errorf("Lambda: %v", err)
		}
		for k, v := range res.Headers {
			w.Header().Set(k, v)
		}
		for _, c := range res.Cookies {
			w.Header().Add("Set-Cookie", c)
		}
		w.WriteHeader(res.StatusCode)
		io.WriteString(w, res.Body)
	}))
	t.Cleanup(a.Close)
	jar, _ := cookiejar.New(nil)
	a.client = &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Path == "/done" {
			return http.ErrUseLastResponse // the session cookie is Secure: read it off the redirect
		}
		return nil
	}}
	return a
}

func (a *app) deliver(w http.ResponseWriter, s string) error {
	a.mu.Lock()
	a.sent = append(a.sent, s)
	a.mu.Unlock()
	io.WriteString(w, "check your inbox")
	return nil
}

func (a *app) lastSent() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.sent[len(a.sent)-1]
}

// get follows a flow from path and returns the final response and body.
func (a *app) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = a.URL + path
	}
	res, err := a.client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// session is the session a final redirect set, verified with the Auth's
// public key.
func (a *app) session(t *testing.T, res *http.Response, body string) runtime.Session {
	t.Helper()
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != a.URL+"/done" {
		t.Fatalf("want the redirect to the app, got %s %v\n%s", res.Status, res.Header, body)
	}
	for _, c := range res.Cookies() {
		if c.Name == runtime.SessionCookie {
			if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteNoneMode || c.Path != "/" {
				t.Errorf("session cookie attributes: %s", c)
			}
			s, err := runtime.VerifySessionKey(a.pub, c.Value)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	}
	t.Fatalf("no %s cookie: %v", runtime.SessionCookie, res.Header)
	return runtime.Session{}
}

func TestOIDCFlow(t *testing.T) {
	is := newIssuer(t)
	a := newApp(t, func(a *app) map[string]Provider {
		return map[string]Provider{
			"oidc": &OIDC{Issuer: is.URL, ClientID: clientID, ClientSecret: clientSecret},
			// Plain OAuth2 against the same server, as GitHub is used.
			"oauth": &OAuth2{AuthorizeURL: is.URL + "/authorize", TokenURL: is.URL + "/token", ClientID: clientID, ClientSecret: clientSecret, Scopes: []string{"read:user"}},
		}
	})
	// The index lists each provider's authorize URL (SST v2's GET {prefix}).
	_, body := a.get(t, "/auth")
	var idx map[string]string
	if err := json.Unmarshal([]byte(body), &idx); err != nil || idx["oidc"] != a.URL+"/auth/oidc/authorize" || idx["oauth"] != a.URL+"/auth/oauth/authorize" {
		t.Errorf("index = %s (%v)", body, err)
	}

	s := a.signIn(t, "/auth/oidc/authorize")
	if s.Type != "user" || s.String("email") != "ada@example.com" || s.String("sub") != "user-42" || s.String("provider") != "oidc" {
		t.Errorf("OIDC session = %+v", s)
	}
	s = a.signIn(t, "/auth/oauth/authorize")
	if s.String("accessToken") != "at-1" || s.String("provider") != "oauth" || s.String("email") != "" {
		t.Errorf("OAuth2 session = %+v", s)
	}

	// The session, as a Go handler bound to the Auth reads it: the public
	// key from the binding, the token from a header or the cookie.
	pubPEM := pemOf(t, a.pub)
	t.Setenv("SST_Auth_publicKey_Auth", pubPEM)
	token := a.token(t, "/auth/oidc/authorize")
	for name, got := range map[string]runtime.Session{
		"bearer":  runtime.RequestSession(context.Background(), map[string]string{"Authorization": "Bearer " + token}, nil),
		"cookie":  runtime.RequestSession(context.Background(), nil, []string{"theme=dark", runtime.SessionCookie + "=" + token}),
		"nothing": runtime.RequestSession(context.Background(), nil, nil),
		"garbage": runtime.RequestSession(context.Background(), map[string]string{"authorization": "Bearer x.y.z"}, nil),
	} {
		want := name == "bearer" || name == "cookie"
		if want != !got.Public() || want && got.String("email") != "ada@example.com" {
			t.Errorf("%s: session = %+v", name, got)
		}
	}
}

// signIn runs a flow from path to its end and returns the session.
func (a *app) signIn(t *testing.T, path string) runtime.Session {
	t.Helper()
	res, body := a.get(t, path)
	return a.session(t, res, body)
}

// token runs a flow from path and returns the session token.
func (a *app) token(t *testing.T, path string) string {
	t.Helper()
	res, _ := a.get(t, path)
	for _, c := range res.Cookies() {
		if c.Name == runtime.SessionCookie {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

func pemOf(t *testing.T, k *rsa.PublicKey) string {
	t.Helper()
	b, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: b}))
}

// TestOIDCBadInput: each broken flow is refused with a reason and sets no
// session.
func TestOIDCBadInput(t *testing.T) {
	is := newIssuer(t)
	a := newApp(t, func(a *app) map[string]Provider {
		return map[string]Provider{"oidc": &OIDC{Issuer: is.URL, ClientID: clientID, ClientSecret: clientSecret}}
	})
	refused := func(name, path string, want ...string) {
		t.Helper()
		res, body := a.get(t, path)
		if res.StatusCode < 400 {
			t.Errorf("%s: %s, want a refusal:\n%s", name, res.Status, body)
		}
		for _, c := range res.Cookies() {
			if c.Name == runtime.SessionCookie {
				t.Errorf("%s: a session was set", name)
			}
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: want %q in %q", name, w, body)
			}
		}
	}
	refused("forged callback", "/auth/oidc/callback?code=x&state=forged", "state does not match")
	refused("unknown provider", "/auth/facebook/authorize", `no provider "facebook"`, "oidc")
	refused("unknown step", "/auth/oidc/logout", `"logout" is not a step`)
	refused("outside the prefix", "/other", "not under the Auth's prefix /auth")

	other, _, _ := jwt.GenerateKeyPair()
	is.signWith, _ = jwt.ParsePrivateKey(other)
	refused("forged id_token", "/auth/oidc/authorize", "id_token", "bad signature")
	is.signWith = nil

	is.nonce = "replayed"
	refused("wrong nonce", "/auth/oidc/authorize", "nonce does not match")
	is.nonce = ""

	is.deny = true
	refused("denied", "/auth/oidc/authorize", "access_denied", "the user said no")
	is.deny = false

	// The flow still works after all that.
	a.signIn(t, "/auth/oidc/authorize")

	// A discovery document for another issuer is refused.
	b := newApp(t, func(*app) map[string]Provider {
		return map[string]Provider{"oidc": &OIDC{Issuer: is.URL + "/tenant", ClientID: clientID}}
	})
	res, body := b.get(t, "/auth/oidc/authorize")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "discovery") {
		t.Errorf("wrong issuer: %s %s", res.Status, body)
	}
}

func TestLinkAndCode(t *testing.T) {
	a := newApp(t, func(a *app) map[string]Provider {
		return map[string]Provider{
			"link": &Link{Send: func(w http.ResponseWriter, r *http.Request, link string, claims map[string]string) error {
				return a.deliver(w, link)
			}},
			"code": &Code{Send: func(w http.ResponseWriter, r *http.Request, code string, claims map[string]string) error {
				if claims["email"] == "" {
					return errors.New("no email to send the code to")
				}
				return a.deliver(w, code)
			}},
		}
	})
	res, body := a.get(t, "/auth/link/authorize?email=ada@example.com")
	if res.StatusCode != 200 || body != "check your inbox" {
		t.Fatalf("link authorize: %s %s", res.Status, body)
	}
	link := a.lastSent()
	if !strings.HasPrefix(link, a.URL+"/auth/link/callback?token=") {
		t.Fatalf("link = %s", link)
	}
	if s := a.signIn(t, link); s.String("email") != "ada@example.com" || s.String("provider") != "link" {
		t.Errorf("link session = %+v", s)
	}
	// A link token is not a session, and a tampered link is refused.
	tok, _ := url.QueryUnescape(strings.SplitN(link, "token=", 2)[1])
	if _, err := runtime.VerifySessionKey(a.pub, tok); err == nil {
		t.Error("a link token verified as a session")
	}
	if res, body := a.get(t, link[:len(link)-4]+"AAAA"); res.StatusCode != 400 || !strings.Contains(body, "invalid or expired") {
		t.Errorf("tampered link: %s %s", res.Status, body)
	}

	// Code: the wrong code is refused, the right one signs in, once.
	if res, body := a.get(t, "/auth/code/authorize"); res.StatusCode != 400 || !strings.Contains(body, "no email") {
		t.Errorf("Send's error: %s %s", res.Status, body)
	}
	a.get(t, "/auth/code/authorize?email=grace@example.com")
	code := a.lastSent()
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		t.Fatalf("code = %q", code)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if res, body := a.get(t, "/auth/code/callback?code="+wrong); res.StatusCode != 400 || !strings.Contains(body, "wrong or expired") {
		t.Errorf("wrong code: %s %s", res.Status, body)
	}
	if s := a.signIn(t, "/auth/code/callback?code="+code); s.String("email") != "grace@example.com" {
		t.Errorf("code session = %+v", s)
	}
	if res, _ := a.get(t, "/auth/code/callback?code="+code); res.StatusCode != 400 {
		t.Errorf("a used code signed in again: %s", res.Status)
	}
	// The code's cookie does not carry the code.
	a.get(t, "/auth/code/authorize?email=x@example.com")
	u, _ := url.Parse(a.URL + "/auth")
	for _, c := range a.client.Jar.Cookies(u) {
		if c.Name == cookieCode && strings.Contains(decodePayload(c.Value), a.lastSent()) {
			t.Error("the code cookie reveals the code")
		}
	}
}

func decodePayload(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	b, _ := base64.RawURLEncoding.DecodeString(parts[1])
	return string(b)
}

func TestConfigErrors(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no OnSuccess": {Providers: map[string]Provider{"x": &Link{}}},
		"not bound":    {OnSuccess: func(http.ResponseWriter, *http.Request, Result) error { return nil }},
	} {
		w := httptest.NewRecorder()
		New(cfg).ServeHTTP(w, httptest.NewRequest("GET", "/auth", nil))
		want := map[string]string{"no OnSuccess": "OnSuccess is required", "not bound": "authenticator of 0 Auth constructs"}[name]
		if w.Code != 500 || !strings.Contains(w.Body.String(), want) {
			t.Errorf("%s: %d %s", name, w.Code, w.Body)
		}
	}
	// Session helpers outside a Handler say where they work.
	if _, err := NewSessionToken(httptest.NewRequest("GET", "/", nil), runtime.Session{Type: "user"}); err == nil || !strings.Contains(err.Error(), "OnSuccess") {
		t.Errorf("NewSessionToken outside: %v", err)
	}
}
