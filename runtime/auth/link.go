package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// claimsOf are the query parameters of an authorize request, the claims a
// Link or Code sign-in carries (e.g. email=…).
func claimsOf(r *http.Request) map[string]string {
	out := map[string]string{}
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			out[k] = v[0]
		}
	}
	return out
}

func anyClaims(c map[string]string) map[string]any {
	out := make(map[string]any, len(c))
	for k, v := range c {
		out[k] = v
	}
	return out
}

// Link signs in with a magic link (SST v2's LinkAdapter): authorize
// makes a link to the callback carrying the request's query parameters as
// claims in a token signed with the Auth's key, and Send delivers it;
// opening the link before Expiry signs in with those claims.
type Link struct {
	// Send delivers the link (an email, a text) and answers the request,
	// e.g. with a "check your inbox" page. Required.
	Send func(w http.ResponseWriter, r *http.Request, link string, claims map[string]string) error
	// Expiry of a link; default 10 minutes.
	Expiry time.Duration
}

// linkClaims is a link token's payload: the claims are nested, and the
// purpose is named, so a link token is never taken for a session.
type linkClaims struct {
	Purpose string            `json:"sst:purpose"`
	Claims  map[string]string `json:"claims"`
	Exp     int64             `json:"exp"`
}

// Authorize signs the claims into a link and sends it.
func (l *Link) Authorize(f *Flow) error {
	if l.Send == nil {
		return fmt.Errorf("auth: provider %s: Link.Send is required: it delivers the link", f.Provider)
	}
	claims := claimsOf(f.R)
	token, err := f.Sign(linkClaims{Purpose: "link", Claims: claims, Exp: time.Now().Add(expiry(l.Expiry)).Unix()})
	if err != nil {
		return err
	}
	return l.Send(f.W, f.R, f.CallbackURL+"?token="+url.QueryEscape(token), claims)
}

// Callback verifies the link's token.
func (l *Link) Callback(f *Flow) (*Result, error) {
	token := f.R.URL.Query().Get("token")
	if token == "" {
		return nil, fmt.Errorf("auth: provider %s: the link has no token", f.Provider)
	}
	var c linkClaims
	if err := f.Verify(token, &c); err != nil || c.Purpose != "link" {
		return nil, fmt.Errorf("auth: provider %s: the link is invalid or expired: ask for a new one", f.Provider)
	}
	return &Result{Claims: anyClaims(c.Claims)}, nil
}

func expiry(d time.Duration) time.Duration {
	if d <= 0 {
		return flowTTL
	}
	return d
}

// Code signs in with a one-time code (SST v2's CodeAdapter): authorize
// makes a numeric code, Send delivers it and answers (a page asking for
// it); the callback, given the code as ?code=… from the same browser
// before Expiry, signs in with the authorize request's query parameters as
// claims. The browser keeps only a keyed hash of the code, signed, in an
// HttpOnly cookie, so no table is needed and the cookie does not reveal
// the code.
type Code struct {
	// Send delivers the code and answers the request. Required.
	Send func(w http.ResponseWriter, r *http.Request, code string, claims map[string]string) error
	// OnInvalid answers a wrong or expired code; default 400.
	OnInvalid func(w http.ResponseWriter, r *http.Request, claims map[string]string) error
	// Length of the code in digits; default 6.
	Length int
	// Expiry of a code; default 10 minutes.
	Expiry time.Duration
}

const cookieCode = "auth-code"

type codeClaims struct {
	Purpose string            `json:"sst:purpose"`
	Claims  map[string]string `json:"claims"`
	Hash    string            `json:"hash"`
	Salt    string            `json:"salt"`
	Exp     int64             `json:"exp"`
}

// codeHash keys the code's hash with a secret derived from the private
// key: a six-digit code hashed without a key is guessed offline at once.
func (f *Flow) codeHash(code, salt string) string {
	der, _ := x509.MarshalPKCS8PrivateKey(f.h.priv)
	k := sha256.Sum256(append([]byte("sst-auth-code:"), der...))
	m := hmac.New(sha256.New, k[:])
	m.Write([]byte(salt + ":" + code))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Authorize makes and sends a code.
func (c *Code) Authorize(f *Flow) error {
	if c.Send == nil {
		return fmt.Errorf("auth: provider %s: Code.Send is required: it delivers the code", f.Provider)
	}
	n := c.Length
	if n <= 0 {
		n = 6
	}
	var b strings.Builder
	for range n {
		d, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			return err
		}
		b.WriteByte(byte('0' + d.Int64()))
	}
	code, salt := b.String(), random(16)
	claims := claimsOf(f.R)
	ttl := expiry(c.Expiry)
	token, err := f.Sign(codeClaims{Purpose: "code", Claims: claims, Hash: f.codeHash(code, salt), Salt: salt, Exp: time.Now().Add(ttl).Unix()})
	if err != nil {
		return err
	}
	f.SetCookie(cookieCode, token, ttl)
	return c.Send(f.W, f.R, code, claims)
}

// errBadCode is a wrong, missing or expired code.
var errBadCode = errors.New("the code is wrong or expired")

// Callback checks the code against the cookie.
func (c *Code) Callback(f *Flow) (*Result, error) {
	var cc codeClaims
	err := f.Verify(f.Cookie(cookieCode), &cc)
	given := f.R.URL.Query().Get("code")
	if err == nil && cc.Purpose == "code" && given != "" &&
		subtle.ConstantTimeCompare([]byte(f.codeHash(given, cc.Salt)), []byte(cc.Hash)) == 1 {
		f.ClearCookie(cookieCode)
		return &Result{Claims: anyClaims(cc.Claims)}, nil
	}
	if c.OnInvalid != nil {
		return nil, c.OnInvalid(f.W, f.R, cc.Claims)
	}
	return nil, fmt.Errorf("auth: provider %s: %w: ask for a new one", f.Provider, errBadCode)
}
