package token

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// MaxJWTSegment bounds one base64url segment of a JWT. Real Entra access
// tokens are a few KB in all; a 32 KB payload already means something else.
const MaxJWTSegment = 32 << 10

// Claims are the access-token claims the token check reads. The signature
// is NOT verified: mfpcheck reads what the token says about itself, to
// explain what Exchange will do with it; Exchange does the verifying.
type Claims struct {
	Audience          []string `json:"-"` // "aud", a string or an array
	Scope             string   `json:"scp"`
	Roles             []string `json:"roles"`
	UPN               string   `json:"upn"`
	UniqueName        string   `json:"unique_name"`
	PreferredUsername string   `json:"preferred_username"`
	Email             string   `json:"email"`
	TenantID          string   `json:"tid"`
	AppID             string   `json:"appid"`
	AuthorizedParty   string   `json:"azp"`
	AppDisplayName    string   `json:"app_displayname"`
	Version           string   `json:"ver"`
	IssuedAt          int64    `json:"-"`
	NotBefore         int64    `json:"-"`
	Exp               int64    `json:"-"`
}

// User is the first of upn, unique_name, preferred_username, email.
func (c *Claims) User() string {
	for _, u := range []string{c.UPN, c.UniqueName, c.PreferredUsername, c.Email} {
		if u != "" {
			return u
		}
	}
	return ""
}

// App is appid (v1) or azp (v2).
func (c *Claims) App() string {
	if c.AppID != "" {
		return c.AppID
	}
	return c.AuthorizedParty
}

// looksLikeJWT reports whether s has the three-segment compact JWS form.
func looksLikeJWT(s string) bool {
	if strings.Count(s, ".") != 2 {
		return false
	}
	h, _, _ := strings.Cut(s, ".")
	return strings.HasPrefix(h, "eyJ") // base64url of `{"`
}

// DecodeClaims reads the payload of a compact JWS without checking its
// signature. Garbage gives an error, never a panic.
func DecodeClaims(tok string) (*Claims, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		if len(parts) == 5 {
			return nil, errors.New("token is encrypted (JWE); its claims cannot be read")
		}
		return nil, fmt.Errorf("not a JWT: %d segments, want 3", len(parts))
	}
	for i, p := range parts[:2] {
		if len(p) > MaxJWTSegment {
			return nil, fmt.Errorf("JWT segment %d is longer than %d bytes", i+1, MaxJWTSegment)
		}
	}
	header, err := segment(parts[0])
	if err != nil {
		return nil, fmt.Errorf("JWT header: %w", err)
	}
	var h map[string]any
	if err := json.Unmarshal(header, &h); err != nil {
		return nil, errors.New("JWT header is not a JSON object")
	}
	payload, err := segment(parts[1])
	if err != nil {
		return nil, fmt.Errorf("JWT payload: %w", err)
	}
	return parseClaims(payload)
}

func segment(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		// Some tools emit standard base64; accept it too.
		if b2, err2 := base64.RawStdEncoding.DecodeString(s); err2 == nil {
			return b2, nil
		}
		return nil, errors.New("not base64url")
	}
	return b, nil
}

func parseClaims(payload []byte) (*Claims, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(payload, &raw); err != nil {
		return nil, errors.New("JWT payload is not a JSON object")
	}
	c := &Claims{}
	// Decode field by field, so one claim of an unexpected type does not
	// hide all the others.
	strs := map[string]*string{
		"scp": &c.Scope, "upn": &c.UPN, "unique_name": &c.UniqueName,
		"preferred_username": &c.PreferredUsername, "email": &c.Email,
		"tid": &c.TenantID, "appid": &c.AppID, "azp": &c.AuthorizedParty,
		"app_displayname": &c.AppDisplayName, "ver": &c.Version,
	}
	for k, p := range strs {
		if v, ok := raw[k]; ok {
			var s string
			if json.Unmarshal(v, &s) == nil {
				*p = s
			} else if k == "scp" {
				// Non-Microsoft issuers may send scp as an array.
				var arr []string
				if json.Unmarshal(v, &arr) == nil {
					*p = strings.Join(arr, " ")
				}
			}
		}
	}
	if v, ok := raw["roles"]; ok {
		var arr []string
		if json.Unmarshal(v, &arr) == nil {
			c.Roles = arr
		}
	}
	if v, ok := raw["aud"]; ok {
		var one string
		var arr []string
		if json.Unmarshal(v, &one) == nil {
			c.Audience = []string{one}
		} else if json.Unmarshal(v, &arr) == nil {
			c.Audience = arr
		}
	}
	for k, p := range map[string]*int64{"iat": &c.IssuedAt, "nbf": &c.NotBefore, "exp": &c.Exp} {
		if v, ok := raw[k]; ok {
			if n, err := number(bytes.TrimSpace(v)); err == nil && n <= 1e11 {
				*p = n
			}
		}
	}
	return c, nil
}
