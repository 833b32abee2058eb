package token

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// TestRecordRefreshNoAnswer: a refresh that got no answer (connection
// refused, timed out, name not found) is recorded as such; an answer,
// Entra's or a proxy's, is not.
func TestRecordRefreshNoAnswer(t *testing.T) {
	refused := &url.Error{Op: "Post", URL: "http://127.0.0.1:1/t/oauth2/v2.0/token", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}}
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", fmt.Errorf("refresh: %w", refused), true},
		{"timed out", fmt.Errorf("refresh at http://127.0.0.1:9/token: %w", context.DeadlineExceeded), true},
		{"name not found", fmt.Errorf("refresh: %w", &net.DNSError{Err: "no such host", Name: "login.example", IsNotFound: true}), true},
		{"Entra refused", &EntraError{Code: "invalid_grant", AADSTS: []int{700082}}, false},
		{"a proxy's page", errors.New("refresh: Entra ID answered HTTP 502 without an OAuth error"), false},
	} {
		info := &report.TokenInfo{}
		RecordRefreshError(info, c.err)
		if info.RefreshNoAnswer != c.want {
			t.Errorf("%s: RefreshNoAnswer = %v, want %v", c.name, info.RefreshNoAnswer, c.want)
		}
		if info.RefreshError == "" {
			t.Errorf("%s: error not recorded", c.name)
		}
	}
}
