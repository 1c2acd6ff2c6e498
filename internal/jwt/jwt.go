// Package jwt signs and verifies the JSON Web Tokens SST Auth uses, with
// the standard library only: it is compiled into Go Lambda handlers (the
// runtime package verifies sessions with it), which must stay small.
//
// Sessions are RS512 tokens as SST v2's Node client writes and reads them
// (header {"alg":"RS512","typ":"JWT"}, payload {"type", "properties",
// "iat", "exp"}), so a token minted by one side verifies on the other.
// OIDC ID tokens are usually RS256, verified against the issuer's JWKS.
package jwt

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// KeyBits is the size of the RSA keys SST Auth generates, as SST v2 did.
const KeyBits = 2048

// GenerateKeyPair returns a new RSA key pair as PEM: the private key in
// PKCS#8 ("PRIVATE KEY") and the public key in SPKI ("PUBLIC KEY"), the
// encodings SST v2 stored and its Node client reads.
func GenerateKeyPair() (privatePEM, publicPEM string, err error) {
	key, err := rsa.GenerateKey(rand.Reader, KeyBits)
	if err != nil {
		return "", "", err
	}
	priv, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})), nil
}

// ParsePrivateKey reads an RSA private key from PEM (PKCS#8 or PKCS#1).
func ParsePrivateKey(p string) (*rsa.PrivateKey, error) {
	b, _ := pem.Decode([]byte(p))
	if b == nil {
		return nil, errors.New("jwt: private key: not PEM")
	}
	if k, err := x509.ParsePKCS1PrivateKey(b.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("jwt: private key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("jwt: private key is %T, want RSA", k)
	}
	return rk, nil
}

// ParsePublicKey reads an RSA public key from PEM (SPKI or PKCS#1).
func ParsePublicKey(p string) (*rsa.PublicKey, error) {
	b, _ := pem.Decode([]byte(p))
	if b == nil {
		return nil, errors.New("jwt: public key: not PEM")
	}
	if k, err := x509.ParsePKCS1PublicKey(b.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("jwt: public key: %w", err)
	}
	rk, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("jwt: public key is %T, want RSA", k)
	}
	return rk, nil
}

// hashes are the RSA PKCS#1 v1.5 algorithms supported.
var hashes = map[string]crypto.Hash{"RS256": crypto.SHA256, "RS512": crypto.SHA512}

func digest(alg string, data []byte) ([]byte, crypto.Hash, error) {
	h, ok := hashes[alg]
	if !ok {
		return nil, 0, fmt.Errorf("jwt: algorithm %q is not supported (RS256, RS512)", alg)
	}
	if h == crypto.SHA256 {
		d := sha256.Sum256(data)
		return d[:], h, nil
	}
	d := sha512.Sum512(data)
	return d[:], h, nil
}

var enc = base64.RawURLEncoding

// Sign encodes claims (any JSON object) as a token signed with key using
// alg ("RS512" for sessions).
func Sign(alg string, key *rsa.PrivateKey, claims any) (string, error) {
	return SignWithKeyID(alg, "", key, claims)
}

// SignWithKeyID is Sign with a "kid" header, which JWKS consumers use to
// pick the key.
func SignWithKeyID(alg, kid string, key *rsa.PrivateKey, claims any) (string, error) {
	hdr := map[string]string{"alg": alg, "typ": "JWT"}
	if kid != "" {
		hdr["kid"] = kid
	}
	h, err := json.Marshal(hdr)
	if err != nil {
		return "", err
	}
	p, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("jwt: claims: %w", err)
	}
	signing := enc.EncodeToString(h) + "." + enc.EncodeToString(p)
	d, hash, err := digest(alg, []byte(signing))
	if err != nil {
		return "", err
	}
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, hash, d)
	if err != nil {
		return "", err
	}
	return signing + "." + enc.EncodeToString(sig), nil
}

// Header is a token's header.
type Header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

// ErrExpired is wrapped by Verify's error for a token past its "exp".
var ErrExpired = errors.New("jwt: token expired")

// Parse splits a token and decodes its header without verifying anything,
// so a caller can pick the key by Header.Kid.
func Parse(token string) (Header, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Header{}, errors.New("jwt: malformed token (want header.payload.signature)")
	}
	var h Header
	b, err := enc.DecodeString(parts[0])
	if err == nil {
		err = json.Unmarshal(b, &h)
	}
	if err != nil {
		return Header{}, fmt.Errorf("jwt: header: %w", err)
	}
	return h, nil
}

// Unverified decodes token's header, and its payload into claims, without
// checking anything: for a caller that must read the issuer to choose the
// key it then hands to Verify. Nothing it returns may be trusted before
// Verify succeeds.
func Unverified(token string, claims any) (Header, error) {
	h, err := Parse(token)
	if err != nil {
		return Header{}, err
	}
	payload, err := enc.DecodeString(strings.Split(token, ".")[1])
	if err == nil {
		err = json.Unmarshal(payload, claims)
	}
	if err != nil {
		return Header{}, fmt.Errorf("jwt: payload: %w", err)
	}
	return h, nil
}

// Verify checks token's signature with key, accepting only the algorithms
// in algs, then its "exp" and "nbf" against now (with a minute of leeway
// for clock skew), and decodes the payload into claims.
func Verify(token string, key *rsa.PublicKey, algs []string, now time.Time, claims any) error {
	h, err := Parse(token)
	if err != nil {
		return err
	}
	ok := false
	for _, a := range algs {
		ok = ok || a == h.Alg
	}
	if !ok {
		return fmt.Errorf("jwt: algorithm %q not accepted (want %s)", h.Alg, strings.Join(algs, ", "))
	}
	parts := strings.Split(token, ".")
	sig, err := enc.DecodeString(parts[2])
	if err != nil {
		return fmt.Errorf("jwt: signature: %w", err)
	}
	d, hash, err := digest(h.Alg, []byte(parts[0]+"."+parts[1]))
	if err != nil {
		return err
	}
	if err := rsa.VerifyPKCS1v15(key, hash, d, sig); err != nil {
		return errors.New("jwt: bad signature")
	}
	payload, err := enc.DecodeString(parts[1])
	if err != nil {
		return fmt.Errorf("jwt: payload: %w", err)
	}
	var times struct {
		Exp *json.Number `json:"exp"`
		Nbf *json.Number `json:"nbf"`
	}
	if err := json.Unmarshal(payload, &times); err != nil {
		return fmt.Errorf("jwt: payload: %w", err)
	}
	const leeway = time.Minute
	if t, ok := unix(times.Exp); ok && now.After(t.Add(leeway)) {
		return fmt.Errorf("%w at %s", ErrExpired, t.UTC().Format(time.RFC3339))
	}
	if t, ok := unix(times.Nbf); ok && now.Add(leeway).Before(t) {
		return fmt.Errorf("jwt: token not valid before %s", t.UTC().Format(time.RFC3339))
	}
	if claims != nil {
		if err := json.Unmarshal(payload, claims); err != nil {
			return fmt.Errorf("jwt: payload: %w", err)
		}
	}
	return nil
}

func unix(n *json.Number) (time.Time, bool) {
	if n == nil {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0), true
}

// JWK is one RSA key of a JSON Web Key Set.
type JWK struct {
	Kty string `json:"kty"`
	Kid string `json:"kid,omitempty"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// PublicKeyJWK is key as a JWK with id kid.
func PublicKeyJWK(kid string, key *rsa.PublicKey) JWK {
	return JWK{Kty: "RSA", Kid: kid, Use: "sig", N: enc.EncodeToString(key.N.Bytes()), E: enc.EncodeToString(big.NewInt(int64(key.E)).Bytes())}
}

// RSA is the public key a JWK holds.
func (k JWK) RSA() (*rsa.PublicKey, error) {
	if k.Kty != "RSA" {
		return nil, fmt.Errorf("jwt: JWK %q has kty %q, want RSA", k.Kid, k.Kty)
	}
	n, err := enc.DecodeString(k.N)
	if err != nil {
		return nil, fmt.Errorf("jwt: JWK %q: n: %w", k.Kid, err)
	}
	e, err := enc.DecodeString(k.E)
	if err != nil || len(e) == 0 || len(e) > 4 {
		return nil, fmt.Errorf("jwt: JWK %q: bad e", k.Kid)
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}, nil
}
