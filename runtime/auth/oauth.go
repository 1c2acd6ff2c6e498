package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/sst-tf/sst/internal/jwt"
)

// flowTTL is how long a started flow may take to come back.
const flowTTL = 10 * time.Minute

// Cookies of the OAuth flows (SST v2's names).
const (
	cookieState    = "auth-state"
	cookieVerifier = "auth-code-verifier"
	cookieNonce    = "auth-nonce"
)

// OAuth2 signs in with an OAuth 2.0 authorization server: the
// authorization code flow with PKCE. The Result has the tokens and no
// claims (plain OAuth2 says nothing about who signed in: call the
// provider's API with Tokens.AccessToken).
type OAuth2 struct {
	// AuthorizeURL and TokenURL are the server's endpoints.
	AuthorizeURL, TokenURL string
	// ClientID and ClientSecret are the app's registration with the server.
	ClientID, ClientSecret string
	// Scopes requested.
	Scopes []string
	// Prompt is passed on as the "prompt" parameter when set.
	Prompt string
	// HTTPClient calls the token endpoint; default http.DefaultClient.
	HTTPClient *http.Client
}

// GitHub signs in with GitHub's OAuth apps (OAuth2: the Result's
// Tokens.AccessToken calls api.github.com for the user).
func GitHub(clientID, clientSecret string, scopes ...string) *OAuth2 {
	if len(scopes) == 0 {
		scopes = []string{"read:user", "user:email"}
	}
	return &OAuth2{
		AuthorizeURL: "https://github.com/login/oauth/authorize",
		TokenURL:     "https://github.com/login/oauth/access_token",
		ClientID:     clientID, ClientSecret: clientSecret, Scopes: scopes,
	}
}

// Authorize redirects to the server with a fresh state and PKCE challenge.
func (o *OAuth2) Authorize(f *Flow) error {
	return o.redirect(f, "")
}

func (o *OAuth2) redirect(f *Flow, nonce string) error {
	if o.AuthorizeURL == "" || o.TokenURL == "" || o.ClientID == "" {
		return fmt.Errorf("auth: provider %s: AuthorizeURL, TokenURL and ClientID are required", f.Provider)
	}
	u, err := url.Parse(o.AuthorizeURL)
	if err != nil {
		return fmt.Errorf("auth: provider %s: AuthorizeURL: %w", f.Provider, err)
	}
	state, verifier := random(24), random(32)
	q := u.Query()
	q.Set("response_type", "code")
	q.Set("client_id", o.ClientID)
	q.Set("redirect_uri", f.CallbackURL)
	q.Set("state", state)
	q.Set("code_challenge", challenge(verifier))
	q.Set("code_challenge_method", "S256")
	if len(o.Scopes) > 0 {
		q.Set("scope", strings.Join(o.Scopes, " "))
	}
	if o.Prompt != "" {
		q.Set("prompt", o.Prompt)
	}
	if nonce != "" {
		q.Set("nonce", nonce)
		f.SetCookie(cookieNonce, nonce, flowTTL)
	}
	u.RawQuery = q.Encode()
	f.SetCookie(cookieState, state, flowTTL)
	f.SetCookie(cookieVerifier, verifier, flowTTL)
	http.Redirect(f.W, f.R, u.String(), http.StatusFound)
	return nil
}

func challenge(verifier string) string {
	s := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(s[:])
}

// Callback checks the state and exchanges the code for tokens.
func (o *OAuth2) Callback(f *Flow) (*Result, error) {
	tokens, err := o.exchange(f)
	if err != nil {
		return nil, err
	}
	return &Result{Tokens: tokens}, nil
}

func (o *OAuth2) exchange(f *Flow) (Tokens, error) {
	q := f.R.URL.Query()
	if e := q.Get("error"); e != "" {
		return Tokens{}, fmt.Errorf("auth: provider %s refused: %s %s", f.Provider, e, q.Get("error_description"))
	}
	state := f.Cookie(cookieState)
	if state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(q.Get("state"))) != 1 {
		return Tokens{}, fmt.Errorf("auth: provider %s: the state does not match the one this browser started with (expired after %s, or a forged callback): sign in again", f.Provider, flowTTL)
	}
	code := q.Get("code")
	if code == "" {
		return Tokens{}, fmt.Errorf("auth: provider %s: the callback has no code", f.Provider)
	}
	f.ClearCookie(cookieState)
	f.ClearCookie(cookieVerifier)
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {f.CallbackURL},
		"client_id":     {o.ClientID},
		"code_verifier": {f.Cookie(cookieVerifier)},
	}
	if o.ClientSecret != "" {
		form.Set("client_secret", o.ClientSecret)
	}
	req, err := http.NewRequestWithContext(f.R.Context(), http.MethodPost, o.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return Tokens{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json") // GitHub answers form-encoded otherwise
	var t Tokens
	if err := doJSON(o.HTTPClient, req, &t); err != nil {
		return Tokens{}, fmt.Errorf("auth: provider %s: token endpoint: %w", f.Provider, err)
	}
	if t.AccessToken == "" && t.IDToken == "" {
		return Tokens{}, fmt.Errorf("auth: provider %s: the token endpoint returned no token", f.Provider)
	}
	return t, nil
}

// doJSON sends req and decodes a 2xx JSON answer into v; an OAuth error
// answer becomes the error.
func doJSON(c *http.Client, req *http.Request, v any) error {
	if c == nil {
		c = http.DefaultClient
	}
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return err
	}
	var oe struct {
		Error string `json:"error"`
		Desc  string `json:"error_description"`
	}
	_ = json.Unmarshal(b, &oe)
	if res.StatusCode/100 != 2 || oe.Error != "" {
		return fmt.Errorf("%s: %s %s", res.Status, oe.Error, oe.Desc)
	}
	return json.Unmarshal(b, v)
}

// OIDC signs in with an OpenID Connect issuer: discovery, the
// authorization code flow with PKCE and a nonce, and the ID token checked
// against the issuer's keys (signature, iss, aud, exp, nonce). The
// Result's Claims are the ID token's (sub, email, name, …).
type OIDC struct {
	// Issuer URL; its /.well-known/openid-configuration is read once.
	Issuer string
	// ClientID and ClientSecret (empty for public clients).
	ClientID, ClientSecret string
	// Scopes, default "openid email profile".
	Scopes []string
	Prompt string
	// HTTPClient for discovery, token and keys; default http.DefaultClient.
	HTTPClient *http.Client

	mu        sync.Mutex
	discovery *discovery
}

// Google signs in with Google's OpenID Connect issuer.
func Google(clientID, clientSecret string) *OIDC {
	return &OIDC{Issuer: "https://accounts.google.com", ClientID: clientID, ClientSecret: clientSecret}
}

type discovery struct {
	Issuer        string `json:"issuer"`
	Authorization string `json:"authorization_endpoint"`
	Token         string `json:"token_endpoint"`
	JWKS          string `json:"jwks_uri"`
	keys          map[string]jwt.JWK
	keysAt        time.Time
}

func (o *OIDC) discover(ctx context.Context) (*discovery, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.discovery != nil {
		return o.discovery, nil
	}
	if o.Issuer == "" || o.ClientID == "" {
		return nil, errors.New("OIDC.Issuer and OIDC.ClientID are required")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(o.Issuer, "/")+"/.well-known/openid-configuration", nil)
	if err != nil {
		return nil, err
	}
	var d discovery
	if err := doJSON(o.HTTPClient, req, &d); err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	if d.Issuer != strings.TrimSuffix(o.Issuer, "/") && d.Issuer != o.Issuer {
		return nil, fmt.Errorf("discovery: the document names issuer %q, not %q", d.Issuer, o.Issuer)
	}
	if d.Authorization == "" || d.Token == "" || d.JWKS == "" {
		return nil, errors.New("discovery: the document lacks authorization_endpoint, token_endpoint or jwks_uri")
	}
	o.discovery = &d
	return &d, nil
}

func (o *OIDC) oauth(d *discovery) *OAuth2 {
	scopes := o.Scopes
	if len(scopes) == 0 {
		scopes = []string{"openid", "email", "profile"}
	}
	return &OAuth2{AuthorizeURL: d.Authorization, TokenURL: d.Token, ClientID: o.ClientID, ClientSecret: o.ClientSecret, Scopes: scopes, Prompt: o.Prompt, HTTPClient: o.HTTPClient}
}

// Authorize redirects to the issuer.
func (o *OIDC) Authorize(f *Flow) error {
	d, err := o.discover(f.R.Context())
	if err != nil {
		return fmt.Errorf("auth: provider %s: %w", f.Provider, err)
	}
	return o.oauth(d).redirect(f, random(24))
}

// Callback exchanges the code and verifies the ID token.
func (o *OIDC) Callback(f *Flow) (*Result, error) {
	d, err := o.discover(f.R.Context())
	if err != nil {
		return nil, fmt.Errorf("auth: provider %s: %w", f.Provider, err)
	}
	nonce := f.Cookie(cookieNonce)
	f.ClearCookie(cookieNonce)
	t, err := o.oauth(d).exchange(f)
	if err != nil {
		return nil, err
	}
	if t.IDToken == "" {
		return nil, fmt.Errorf("auth: provider %s: the token endpoint returned no id_token (is \"openid\" among the scopes?)", f.Provider)
	}
	claims, err := o.verify(f.R.Context(), d, t.IDToken)
	if err != nil {
		return nil, fmt.Errorf("auth: provider %s: id_token: %w", f.Provider, err)
	}
	if n, _ := claims["nonce"].(string); nonce == "" || subtle.ConstantTimeCompare([]byte(n), []byte(nonce)) != 1 {
		return nil, fmt.Errorf("auth: provider %s: id_token: the nonce does not match this browser's flow", f.Provider)
	}
	return &Result{Claims: claims, Tokens: t}, nil
}

// verify checks an ID token against the issuer's keys and claims.
func (o *OIDC) verify(ctx context.Context, d *discovery, token string) (map[string]any, error) {
	h, err := jwt.Parse(token)
	if err != nil {
		return nil, err
	}
	key, err := o.key(ctx, d, h.Kid)
	if err != nil {
		return nil, err
	}
	pub, err := key.RSA()
	if err != nil {
		return nil, err
	}
	var claims map[string]any
	if err := jwt.Verify(token, pub, []string{"RS256", "RS512"}, time.Now(), &claims); err != nil {
		return nil, err
	}
	if iss, _ := claims["iss"].(string); iss != d.Issuer {
		return nil, fmt.Errorf("issued by %q, want %q", iss, d.Issuer)
	}
	ok := false
	switch aud := claims["aud"].(type) {
	case string:
		ok = aud == o.ClientID
	case []any:
		for _, a := range aud {
			ok = ok || a == o.ClientID
		}
	}
	if !ok {
		return nil, fmt.Errorf("audience %v does not include client %q", claims["aud"], o.ClientID)
	}
	if _, ok := claims["exp"]; !ok {
		return nil, errors.New("no exp")
	}
	return claims, nil
}

// key finds the issuer's key kid, refetching the key set (at most once a
// minute) when it is unknown: issuers rotate keys.
func (o *OIDC) key(ctx context.Context, d *discovery, kid string) (jwt.JWK, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	find := func() (jwt.JWK, bool) {
		if k, ok := d.keys[kid]; ok {
			return k, true
		}
		if kid == "" && len(d.keys) == 1 {
			for _, k := range d.keys {
				return k, true
			}
		}
		return jwt.JWK{}, false
	}
	if k, ok := find(); ok {
		return k, nil
	}
	if time.Since(d.keysAt) < time.Minute {
		return jwt.JWK{}, fmt.Errorf("the issuer has no key %q", kid)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.JWKS, nil)
	if err != nil {
		return jwt.JWK{}, err
	}
	var set struct {
		Keys []jwt.JWK `json:"keys"`
	}
	if err := doJSON(o.HTTPClient, req, &set); err != nil {
		return jwt.JWK{}, fmt.Errorf("keys: %w", err)
	}
	d.keys, d.keysAt = map[string]jwt.JWK{}, time.Now()
	for _, k := range set.Keys {
		d.keys[k.Kid] = k
	}
	if k, ok := find(); ok {
		return k, nil
	}
	return jwt.JWK{}, fmt.Errorf("the issuer has no key %q", kid)
}
