package probe

import (
	"encoding/json"
	"strings"

	"github.com/emersion/go-sasl"
)

// oauthBearerClient is OAUTHBEARER (RFC 7628) as a device sends it: go-sasl
// builds the initial response (gs2 header with the user as authzid, host,
// port, "auth=Bearer TOKEN"); on failure the server sends a JSON error
// challenge, which is decoded and handed to onChallenge, and answered with
// the single byte %x01 (RFC 7628 section 3.2.3), after which the server
// sends its final failure reply. go-sasl's own client returns the error at
// once, which makes go-smtp cancel with "*" and lose that final reply.
type oauthBearerClient struct {
	sasl.Client
	onChallenge func(decoded string)
}

// NewOAuthBearerClient returns the OAUTHBEARER client the probe uses; host
// and port are the configured server's (what the device would send).
func NewOAuthBearerClient(user, token, host string, port int, onChallenge func(string)) sasl.Client {
	return &oauthBearerClient{
		Client:      sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: user, Token: token, Host: host, Port: port}),
		onChallenge: onChallenge,
	}
}

// Next implements sasl.Client.
func (c *oauthBearerClient) Next(challenge []byte) ([]byte, error) {
	if c.onChallenge != nil {
		c.onChallenge(DescribeOAuthBearerChallenge(challenge))
	}
	return []byte{0x01}, nil
}

// DescribeOAuthBearerChallenge turns an OAUTHBEARER error challenge (JSON
// with status, scope and openid-configuration, RFC 7628 section 3.2.2) into
// one line: "status invalid_token · scope … · schemes bearer". Anything
// that is not that JSON is returned as it came (the caller sanitizes).
func DescribeOAuthBearerChallenge(challenge []byte) string {
	var e sasl.OAuthBearerError
	if err := json.Unmarshal(challenge, &e); err != nil || e.Status == "" {
		return string(challenge)
	}
	var extra struct {
		OpenID string `json:"openid-configuration"`
	}
	json.Unmarshal(challenge, &extra)
	parts := []string{"status " + e.Status}
	if e.Scope != "" {
		parts = append(parts, "scope "+e.Scope)
	}
	if e.Schemes != "" {
		parts = append(parts, "schemes "+e.Schemes)
	}
	if extra.OpenID != "" {
		parts = append(parts, "openid-configuration "+extra.OpenID)
	}
	return strings.Join(parts, " · ")
}
