// Package auth is the Go side of SST Auth (SST v2's AuthHandler from
// sst/node/auth): the authenticator function an sst.NewAuth construct
// mounts on an Api. It runs sign-in flows — OAuth2 and OpenID Connect
// providers (Google, GitHub, any OIDC issuer), magic links and one-time
// codes whose delivery the app supplies — and hands the app the result to
// turn into a session: a token signed (RS512) with the Auth's private key,
// which runtime.VerifySession checks in any function the Auth is bound to
// and which SST v2's Node client accepts too.
//
//	var h = auth.New(auth.Config{
//		Providers: map[string]auth.Provider{
//			"google": auth.Google(runtime.MustSecret("GOOGLE_ID"), runtime.MustSecret("GOOGLE_SECRET")),
//			"email": &auth.Link{Send: func(w http.ResponseWriter, r *http.Request, link string, claims map[string]string) error {
//				return sendEmail(claims["email"], link) // then answer the browser
//			}},
//		},
//		OnSuccess: func(w http.ResponseWriter, r *http.Request, res auth.Result) error {
//			return auth.SessionCookie(w, r, runtime.Session{Type: "user", Properties: map[string]any{"email": res.Claims["email"]}}, "https://app.example.com/")
//		},
//	})
//
//	func main() { lambda.Start(h.Lambda) }
//
// Routes, under the prefix the Auth was attached with (default /auth):
// GET {prefix} lists each provider's authorize URL; {prefix}/{provider}/authorize
// starts a flow and {prefix}/{provider}/callback finishes it. Flow state
// (OAuth state, PKCE verifier, nonce, the code of a code sign-in) travels
// in short-lived HttpOnly cookies, so no table is needed.
//
// The Handler is an http.Handler too: the same flows run in any Go server,
// and in tests with net/http/httptest.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sst-tf/sst/internal/jwt"
	"github.com/sst-tf/sst/runtime"
)

// Config configures a Handler.
type Config struct {
	// Providers by name; the name is the path segment of the provider's
	// routes ({prefix}/{name}/authorize).
	Providers map[string]Provider
	// OnSuccess turns a finished sign-in into an answer, usually a
	// session: SessionCookie or SessionParameter. Required.
	OnSuccess func(w http.ResponseWriter, r *http.Request, res Result) error
	// OnError answers a failed flow (bad state, provider error, expired
	// link). Default: 400 with the reason as text.
	OnError func(w http.ResponseWriter, r *http.Request, err error)
	// SessionTTL is how long sessions issued by SessionCookie and
	// SessionParameter last; default 7 days, SST v2's cookie lifetime.
	SessionTTL time.Duration

	// AuthID names the Auth construct whose keys and prefix to use;
	// default the one bound to this function (the authenticator is bound
	// to its own Auth).
	AuthID string
	// PrivateKey, PublicKey (PEM) and Prefix replace what the bound Auth
	// provides, for running the handler outside an Auth's function (tests,
	// another server).
	PrivateKey, PublicKey, Prefix string
}

// Result is what a provider learned about the person signing in.
type Result struct {
	// Provider is the name the provider has in Config.Providers.
	Provider string
	// Claims: the ID token's claims (OIDC), the authorize request's query
	// parameters (Link, Code); empty for plain OAuth2.
	Claims map[string]any
	// Tokens from an OAuth2/OIDC token endpoint.
	Tokens Tokens
}

// Tokens are what an OAuth2 token endpoint returned.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
	ExpiresIn    int    `json:"expires_in"`
	Scope        string `json:"scope"`
}

// Provider runs one kind of sign-in flow.
type Provider interface {
	// Authorize starts the flow: redirect to the provider, send a link…
	Authorize(f *Flow) error
	// Callback finishes it: a nil Result with a nil error means the
	// provider answered the request itself (e.g. a wrong code).
	Callback(f *Flow) (*Result, error)
}

// Flow is one request of a provider's flow.
type Flow struct {
	W http.ResponseWriter
	R *http.Request
	// Provider is the provider's name.
	Provider string
	// CallbackURL is the absolute URL of {prefix}/{provider}/callback as
	// the browser reaches it.
	CallbackURL string
	h           *Handler
}

// Handler serves an Auth's routes.
type Handler struct {
	cfg Config

	once   sync.Once
	keyErr error
	priv   *rsa.PrivateKey
	pub    *rsa.PublicKey
	prefix string
}

// New returns a Handler. Keys are loaded on the first request, so a cold
// start that serves no auth route pays nothing.
func New(cfg Config) *Handler {
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 7 * 24 * time.Hour
	}
	return &Handler{cfg: cfg}
}

// load reads the keys and prefix from Config or the bound Auth.
func (h *Handler) load(ctx context.Context) error {
	h.once.Do(func() { h.keyErr = h.loadKeys(ctx) })
	return h.keyErr
}

func (h *Handler) loadKeys(ctx context.Context) error {
	if h.cfg.OnSuccess == nil {
		return errors.New("auth: Config.OnSuccess is required: it turns a sign-in into a session (auth.SessionCookie)")
	}
	for name, p := range h.cfg.Providers {
		if p == nil || name == "" || strings.Contains(name, "/") {
			return fmt.Errorf("auth: provider %q: names are one path segment and providers are not nil", name)
		}
	}
	priv, pub, prefix := h.cfg.PrivateKey, h.cfg.PublicKey, h.cfg.Prefix
	if priv == "" || pub == "" || prefix == "" {
		id := h.cfg.AuthID
		if id == "" {
			var ids []string
			for id, props := range runtime.Bound("Auth") {
				if _, ok := props["privateKey"]; ok {
					ids = append(ids, id)
				}
			}
			sort.Strings(ids)
			if len(ids) != 1 {
				return fmt.Errorf("auth: this function is the authenticator of %d Auth constructs (%s), want one: run it as an sst.NewAuth's Handler, or set Config.AuthID or the keys", len(ids), strings.Join(ids, ", "))
			}
			id = ids[0]
		}
		get := func(dst *string, prop string) error {
			if *dst != "" {
				return nil
			}
			v, err := runtime.GetContext(ctx, "Auth", prop, id)
			*dst = v
			return err
		}
		for _, g := range []struct {
			dst  *string
			prop string
		}{{&prefix, "prefix"}, {&pub, "publicKey"}, {&priv, "privateKey"}} {
			if err := get(g.dst, g.prop); err != nil {
				return fmt.Errorf("auth: %w", err)
			}
		}
	}
	var err error
	if h.priv, err = jwt.ParsePrivateKey(priv); err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	if h.pub, err = jwt.ParsePublicKey(pub); err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	h.prefix = "/" + strings.Trim(prefix, "/")
	return nil
}

type ctxKey struct{}

// ServeHTTP routes a request to the index or a provider's step.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h.load(r.Context()); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, h))
	rest, ok := strings.CutPrefix(r.URL.Path, h.prefix)
	if !ok || rest != "" && rest[0] != '/' {
		http.Error(w, fmt.Sprintf("auth: %s is not under the Auth's prefix %s", r.URL.Path, h.prefix), http.StatusNotFound)
		return
	}
	rest = strings.Trim(rest, "/")
	if rest == "" {
		h.index(w, r)
		return
	}
	name, step, _ := strings.Cut(rest, "/")
	p := h.cfg.Providers[name]
	if p == nil {
		http.Error(w, fmt.Sprintf("auth: no provider %q (this Auth has %s)", name, strings.Join(h.names(), ", ")), http.StatusNotFound)
		return
	}
	f := &Flow{W: w, R: r, Provider: name, CallbackURL: baseURL(r) + h.prefix + "/" + name + "/callback", h: h}
	switch step {
	case "authorize", "connect":
		if err := p.Authorize(f); err != nil {
			h.fail(w, r, err)
		}
	case "callback":
		res, err := p.Callback(f)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if res == nil {
			return
		}
		res.Provider = name
		if res.Claims == nil {
			res.Claims = map[string]any{}
		}
		if err := h.cfg.OnSuccess(w, r, *res); err != nil {
			h.fail(w, r, err)
		}
	default:
		http.Error(w, fmt.Sprintf("auth: %q is not a step of provider %s (authorize, callback)", step, name), http.StatusNotFound)
	}
}

func (h *Handler) names() []string {
	var n []string
	for k := range h.cfg.Providers {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// index lists each provider's authorize URL, as SST v2's did.
func (h *Handler) index(w http.ResponseWriter, r *http.Request) {
	out := map[string]string{}
	for _, n := range h.names() {
		out[n] = baseURL(r) + h.prefix + "/" + n + "/authorize"
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "    ")
	_ = enc.Encode(out)
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if h.cfg.OnError != nil {
		h.cfg.OnError(w, r, err)
		return
	}
	http.Error(w, err.Error(), http.StatusBadRequest)
}

// baseURL is scheme://host of the request as the browser sent it: API
// Gateway says https in X-Forwarded-Proto; a local server (sst dev) is
// plain http on a loopback host.
func baseURL(r *http.Request) string {
	scheme := r.Header.Get("X-Forwarded-Proto")
	if scheme == "" {
		scheme = "https"
		if r.TLS == nil && isLoopback(r.Host) {
			scheme = "http"
		}
	}
	return scheme + "://" + r.Host
}

func isLoopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// handlerOf is the Handler serving r, for the session helpers.
func handlerOf(r *http.Request) (*Handler, error) {
	h, _ := r.Context().Value(ctxKey{}).(*Handler)
	if h == nil || h.priv == nil {
		return nil, errors.New("auth: the session helpers work inside a Handler's OnSuccess (or a Provider), on the request it was given")
	}
	return h, nil
}

// sessionClaims is a session token's payload, as SST v2 wrote it.
type sessionClaims struct {
	Type       string         `json:"type"`
	Properties map[string]any `json:"properties"`
	Iat        int64          `json:"iat"`
	Exp        int64          `json:"exp,omitempty"`
}

// NewSessionToken signs a session (SST v2's Session.create) valid for
// Config.SessionTTL.
func NewSessionToken(r *http.Request, s runtime.Session) (string, error) {
	h, err := handlerOf(r)
	if err != nil {
		return "", err
	}
	if s.Type == "" || s.Type == "public" {
		return "", fmt.Errorf("auth: a session needs a Type other than %q (e.g. \"user\")", s.Type)
	}
	if s.Properties == nil {
		s.Properties = map[string]any{}
	}
	now := time.Now()
	return jwt.Sign(runtime.SessionAlgorithm, h.priv, sessionClaims{Type: s.Type, Properties: s.Properties, Iat: now.Unix(), Exp: now.Add(h.cfg.SessionTTL).Unix()})
}

// SessionCookie answers 302 to redirect with the session in the
// auth-token cookie (SST v2's Session.cookie): HttpOnly, Secure,
// SameSite=None so an app on another origin can send it with credentials.
func SessionCookie(w http.ResponseWriter, r *http.Request, s runtime.Session, redirect string) error {
	token, err := NewSessionToken(r, s)
	if err != nil {
		return err
	}
	h, _ := handlerOf(r)
	http.SetCookie(w, &http.Cookie{Name: runtime.SessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteNoneMode,
		Expires: time.Now().Add(h.cfg.SessionTTL)})
	http.Redirect(w, r, redirect, http.StatusFound)
	return nil
}

// SessionParameter answers 302 to redirect with the session in its
// "token" query parameter (SST v2's Session.parameter), for apps that keep
// the token themselves (an SPA on another domain, a mobile app).
func SessionParameter(w http.ResponseWriter, r *http.Request, s runtime.Session, redirect string) error {
	token, err := NewSessionToken(r, s)
	if err != nil {
		return err
	}
	u, err := url.Parse(redirect)
	if err != nil {
		return fmt.Errorf("auth: redirect %q: %w", redirect, err)
	}
	q := u.Query()
	q.Set("token", token)
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
	return nil
}

// SetCookie sets a short-lived HttpOnly cookie scoped to the Auth's
// routes, for state a flow carries from authorize to callback.
func (f *Flow) SetCookie(name, value string, ttl time.Duration) {
	http.SetCookie(f.W, &http.Cookie{Name: name, Value: value, Path: f.h.prefix, HttpOnly: true, Secure: strings.HasPrefix(f.CallbackURL, "https:"),
		SameSite: http.SameSiteLaxMode, MaxAge: int(ttl / time.Second)})
}

// Cookie is a cookie of the request, "" when absent.
func (f *Flow) Cookie(name string) string {
	c, err := f.R.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

// ClearCookie removes a flow cookie.
func (f *Flow) ClearCookie(name string) {
	http.SetCookie(f.W, &http.Cookie{Name: name, Path: f.h.prefix, MaxAge: -1, HttpOnly: true})
}

// Sign signs claims with the Auth's private key (RS512), for providers
// that hand out their own short-lived tokens.
func (f *Flow) Sign(claims any) (string, error) {
	return jwt.Sign(runtime.SessionAlgorithm, f.h.priv, claims)
}

// Verify checks a token from Sign and decodes its claims.
func (f *Flow) Verify(token string, claims any) error {
	return jwt.Verify(token, f.h.pub, []string{runtime.SessionAlgorithm}, time.Now(), claims)
}

// random is n random bytes, URL-safe base64.
func random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
