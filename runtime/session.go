package runtime

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/sst-tf/sst/internal/jwt"
)

// SessionCookie is the cookie SST Auth sets with a session token (SST v2's
// "auth-token").
const SessionCookie = "auth-token"

// SessionAlgorithm is how sessions are signed: RS512 with the Auth's key
// pair, as SST v2 signed them.
const SessionAlgorithm = "RS512"

// Session is what a session token carries (SST v2's SessionValue): a type
// the app chooses ("user", "account", …) and its properties. A request
// without a valid token has the public session, Type "public".
type Session struct {
	Type       string         `json:"type"`
	Properties map[string]any `json:"properties"`
}

// PublicSession is the session of an anonymous request.
var PublicSession = Session{Type: "public", Properties: map[string]any{}}

// Public reports whether the session is the anonymous one.
func (s Session) Public() bool { return s.Type == "" || s.Type == "public" }

// String is the property name as a string, "" when absent or not a string.
func (s Session) String(name string) string {
	v, _ := s.Properties[name].(string)
	return v
}

// AuthPublicKey is the PEM public key of the Auth construct id bound to
// this function, read from SSM (import github.com/sst-tf/sst/runtime/ssm).
func AuthPublicKey(ctx context.Context, id string) (string, error) {
	return GetContext(ctx, "Auth", "publicKey", id)
}

// boundAuth is the id of the one Auth bound to this function.
func boundAuth() (string, error) {
	auths := Bound("Auth")
	var ids []string
	for id, props := range auths {
		if _, ok := props["publicKey"]; ok {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	switch len(ids) {
	case 0:
		return "", &NotBoundError{Type: "Auth", Prop: "publicKey", ID: "?", Env: "SST_Auth_publicKey_<id>"}
	case 1:
		return ids[0], nil
	}
	return "", fmt.Errorf("runtime: %d Auth constructs are bound to this function (%s): use VerifySessionWith with the one to trust", len(ids), strings.Join(ids, ", "))
}

// VerifySession checks a session token with the public key of the Auth
// bound to this function (binding one Auth is the usual case; an Api an
// Auth is attached to binds it to every route). The error says why a token
// is refused: bad signature, expired, not bound.
func VerifySession(ctx context.Context, token string) (Session, error) {
	id, err := boundAuth()
	if err != nil {
		return PublicSession, err
	}
	return VerifySessionWith(ctx, id, token)
}

// VerifySessionWith is VerifySession with the Auth construct named.
func VerifySessionWith(ctx context.Context, authID, token string) (Session, error) {
	pemKey, err := AuthPublicKey(ctx, authID)
	if err != nil {
		return PublicSession, err
	}
	key, err := jwt.ParsePublicKey(pemKey)
	if err != nil {
		return PublicSession, fmt.Errorf("runtime: Auth %q public key: %w", authID, err)
	}
	return VerifySessionKey(key, token)
}

// ParseAuthPublicKey reads a PEM public key, for VerifySessionKey.
func ParseAuthPublicKey(pemKey string) (*rsa.PublicKey, error) { return jwt.ParsePublicKey(pemKey) }

// VerifySessionKey verifies token with a given public key, for code that
// holds the key itself.
func VerifySessionKey(pub *rsa.PublicKey, token string) (Session, error) {
	var s Session
	if err := jwt.Verify(token, pub, []string{SessionAlgorithm}, time.Now(), &s); err != nil {
		return PublicSession, fmt.Errorf("runtime: session: %w", err)
	}
	if s.Type == "" {
		return PublicSession, errors.New("runtime: session: the token has no \"type\"")
	}
	if s.Properties == nil {
		s.Properties = map[string]any{}
	}
	return s, nil
}

// SessionToken finds the session token of a request the way SST v2's
// useSession did: the auth-token cookie wins over an "Authorization:
// Bearer" header. headers are matched case-insensitively; cookies are the
// request's Cookie values (API Gateway payload 2.0 lists them apart).
func SessionToken(headers map[string]string, cookies []string) string {
	token := ""
	for k, v := range headers {
		if strings.EqualFold(k, "authorization") && len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
			token = strings.TrimSpace(v[7:])
		}
		if strings.EqualFold(k, "cookie") {
			cookies = append(cookies, v)
		}
	}
	for _, line := range cookies {
		if c, err := http.ParseCookie(line); err == nil {
			for _, ck := range c {
				if ck.Name == SessionCookie && ck.Value != "" {
					token = ck.Value
				}
			}
		}
	}
	return token
}

// RequestSession is the session of a request: the verified token's, or
// the public session when there is no token or it does not verify (as SST
// v2's useSession; call SessionToken and VerifySession to see why).
func RequestSession(ctx context.Context, headers map[string]string, cookies []string) Session {
	token := SessionToken(headers, cookies)
	if token == "" {
		return PublicSession
	}
	s, err := VerifySession(ctx, token)
	if err != nil {
		return PublicSession
	}
	return s
}
