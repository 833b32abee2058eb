package token

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/fixtures/sim/entrasim"
)

func simEndpoint(t *testing.T, opts entrasim.Options, pop bool) (Endpoint, *entrasim.Server, *[]time.Duration) {
	t.Helper()
	opts.Now = func() time.Time { return now }
	sim := entrasim.New(opts)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	var mu sync.Mutex
	waits := &[]time.Duration{}
	e := Endpoint{
		Authority: srv.URL, Tenant: "contoso.example", ClientID: "11111111-2222-3333-4444-555555555555",
		Scopes: DefaultScopes(pop), HTTPClient: srv.Client(),
		Wait: func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			*waits = append(*waits, d)
			mu.Unlock()
			return ctx.Err()
		},
	}
	return e, sim, waits
}

func TestDeviceLoginSuccess(t *testing.T) {
	e, sim, waits := simEndpoint(t, entrasim.Options{Mode: entrasim.ModeSuccess, Pending: 2}, true)
	var shown DeviceCode
	var polls []string
	e.OnPoll = func(c string) { polls = append(polls, c) }
	s, err := DeviceLogin(context.Background(), e, func(dc DeviceCode) { shown = dc }, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	if shown.VerificationURI != "https://microsoft.com/devicelogin" || len(shown.UserCode) != 9 ||
		!strings.Contains(shown.Message, shown.UserCode) || shown.ExpiresIn != 900*time.Second || shown.Interval != 5*time.Second {
		t.Errorf("shown %+v", shown)
	}
	if !slices.Equal(polls, []string{ErrAuthorizationPending, ErrAuthorizationPending}) {
		t.Errorf("polls %v", polls)
	}
	if !slices.Equal(*waits, []time.Duration{5 * time.Second, 5 * time.Second, 5 * time.Second}) {
		t.Errorf("waits %v", *waits)
	}
	if s.Access == "" || s.Refresh == "" || !s.LastUsed.Equal(now) || s.Format != FormatOAuth2JSON {
		t.Errorf("set %+v", s)
	}
	info := Inspect(s, Want{NeedPOP: true}, now)
	if info.State != StateObtained || info.AccessMinutesLeft != 71 || info.User != "scanner@contoso.example" || info.RefreshDaysLeft != 90 {
		t.Errorf("info %+v", info)
	}
	reqs := sim.Requests()
	if len(reqs) != 4 || reqs[0].Endpoint != "devicecode" || reqs[0].Tenant != "contoso.example" ||
		reqs[0].ClientID != e.ClientID || !slices.Equal(reqs[0].Scopes, []string{ScopeSMTPSend, ScopePOP, ScopeOfflineAccess}) {
		t.Errorf("requests %+v", reqs)
	}
	for _, r := range reqs[1:] {
		if r.GrantType != "urn:ietf:params:oauth:grant-type:device_code" || r.HasSecret {
			t.Errorf("poll %+v", r)
		}
	}
}

func TestDeviceLoginSlowDown(t *testing.T) {
	e, _, waits := simEndpoint(t, entrasim.Options{Mode: entrasim.ModeSlowDown, Pending: 1}, false)
	if _, err := DeviceLogin(context.Background(), e, nil, func() time.Time { return now }); err != nil {
		t.Fatal(err)
	}
	// RFC 8628: after slow_down the interval grows by 5 s for good.
	if !slices.Equal(*waits, []time.Duration{5 * time.Second, 10 * time.Second, 10 * time.Second}) {
		t.Errorf("waits %v", *waits)
	}
}

func TestDeviceLoginErrors(t *testing.T) {
	cases := []struct {
		mode   entrasim.Mode
		code   string
		aadsts int
	}{
		{entrasim.ModeExpired, ErrExpiredToken, 70020},
		{entrasim.ModeDeclined, ErrDeclined, 0},
		{entrasim.ModePublicClientOff, "invalid_client", 7000218},
		{entrasim.ModeNoConsent, "invalid_grant", 65001},
		{entrasim.ModeUnknownTenant, "invalid_request", 90002},
	}
	for _, c := range cases {
		t.Run(string(c.mode), func(t *testing.T) {
			e, _, _ := simEndpoint(t, entrasim.Options{Mode: c.mode}, false)
			_, err := DeviceLogin(context.Background(), e, nil, func() time.Time { return now })
			var ee *EntraError
			if !errors.As(err, &ee) || ee.Code != c.code || (c.aadsts != 0 && !ee.Has(c.aadsts)) || ee.TraceID == "" || ee.CorrelationID == "" {
				t.Fatalf("err = %v (%+v)", err, ee)
			}
			if strings.Contains(ee.Description, "Trace ID") {
				t.Errorf("description keeps the trace tail: %q", ee.Description)
			}
		})
	}
}

func TestDeviceLoginLocalExpiryAndCancel(t *testing.T) {
	e, _, _ := simEndpoint(t, entrasim.Options{Mode: entrasim.ModeSuccess, Pending: 1000}, false)
	clock := now
	e.Wait = func(ctx context.Context, d time.Duration) error { clock = clock.Add(d); return nil }
	_, err := DeviceLogin(context.Background(), e, nil, func() time.Time { return clock })
	if !errors.Is(err, ErrCodeExpired) {
		t.Errorf("err = %v, want ErrCodeExpired", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.Wait = func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }
	_, err = DeviceLogin(ctx, e, nil, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want canceled", err)
	}
}

func TestRefreshRotates(t *testing.T) {
	old := "1.AXoAoldrefreshtoken0123456789"
	e, sim, _ := simEndpoint(t, entrasim.Options{RefreshTokens: []string{old}}, false)
	path := filepath.Join(t.TempDir(), "tok.json")
	expired := jwt(v1Outlook(now.Add(-time.Hour)))
	os.WriteFile(path, []byte(`{"access_token":"`+expired+`","refresh_token":"`+old+`","expiry":"2026-03-02T09:00:00Z"}`), 0o644)
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ns, err := Refresh(context.Background(), e, s, now)
	if err != nil {
		t.Fatal(err)
	}
	issued := sim.IssuedRefreshTokens()
	if len(issued) != 1 || ns.Refresh != issued[0] || ns.Refresh == old || !ns.LastUsed.Equal(now) {
		t.Fatalf("rotation: %+v", ns)
	}
	saved, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if saved.Refresh != issued[0] || strings.Contains(string(data), old) || saved.Mode != 0o600 || !saved.LastUsed.Equal(now) {
		t.Errorf("saved %+v", saved)
	}
	if info := Inspect(saved, Want{}, now); info.State != StateObtained || info.AccessMinutesLeft != 71 || info.RefreshDaysLeft != 90 {
		t.Errorf("after refresh: %+v", info)
	}
	r := sim.Requests()
	if len(r) != 1 || r[0].GrantType != "refresh_token" || r[0].ClientID != e.ClientID || r[0].HasSecret {
		t.Errorf("requests %+v", r)
	}
	// Entra's v2.0 endpoint needs the scopes on a refresh; without them the
	// new token need not be for Exchange Online.
	if want := refreshScopes(e, s); len(r) == 1 && (!slices.Equal(r[0].Scopes, want) || !slices.Contains(want, ScopeOfflineAccess)) {
		t.Errorf("refresh asked for %v, want %v", r[0].Scopes, want)
	}
	// The old refresh token still works (Entra does not revoke on use).
	if _, err := Refresh(context.Background(), e, &Set{Refresh: old, Source: "env:X"}, now); err != nil {
		t.Errorf("old refresh token: %v", err)
	}
}

func TestRefreshScopes(t *testing.T) {
	for _, c := range []struct {
		name      string
		endpoint  []string
		fileScope string
		want      []string
	}{
		{"the endpoint's", DefaultScopes(true), "x", DefaultScopes(true)},
		{"offline_access added", []string{ScopeSMTPSend}, "", []string{ScopeSMTPSend, ScopeOfflineAccess}},
		{"from the file, short names made Exchange's", nil, "SMTP.Send POP.AccessAsUser.All",
			[]string{ScopeSMTPSend, ScopePOP, ScopeOfflineAccess}},
		{"from the file, full names kept", nil, ScopeSMTPSend + " offline_access", []string{ScopeSMTPSend, ScopeOfflineAccess}},
		{"nothing known: SMTP.Send", nil, "", []string{ScopeSMTPSend, ScopeOfflineAccess}},
	} {
		e := Endpoint{Scopes: c.endpoint}
		if got := refreshScopes(e, &Set{Scope: c.fileScope}); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
		if len(c.endpoint) > 0 && !slices.Equal(e.Scopes, c.endpoint) {
			t.Errorf("%s: the endpoint's scopes changed to %v", c.name, e.Scopes)
		}
	}
}

func TestRefreshErrors(t *testing.T) {
	for _, c := range []struct {
		mode   entrasim.Mode
		aadsts string
	}{
		{entrasim.ModeRefreshInactive, "AADSTS700082"},
		{entrasim.ModeRefreshSignInFreq, "AADSTS70043"},
		{entrasim.ModeRefreshRevoked, "AADSTS50173"},
		{entrasim.ModeUnknownTenant, "AADSTS90002"},
	} {
		e, _, _ := simEndpoint(t, entrasim.Options{Mode: c.mode}, false)
		path := filepath.Join(t.TempDir(), "tok.json")
		orig := `{"refresh_token":"1.AXoAsecretrefresh987654321","expiry":""}`
		os.WriteFile(path, []byte(orig), 0o600)
		s, _ := Load(path)
		_, err := Refresh(context.Background(), e, s, now)
		var ee *EntraError
		if !errors.As(err, &ee) || ee.AADSTSCode() != c.aadsts {
			t.Errorf("%s: %v", c.mode, err)
			continue
		}
		if strings.Contains(err.Error(), "secretrefresh") {
			t.Errorf("error shows the refresh token")
		}
		info := Inspect(s, Want{}, now)
		RecordRefreshError(info, err)
		if info.RefreshErrorAADSTS != c.aadsts || info.RefreshErrorCode == "" || info.RefreshErrorDescription == "" {
			t.Errorf("recorded %+v", info)
		}
		if data, _ := os.ReadFile(path); string(data) != orig {
			t.Errorf("%s: file changed after a failed refresh", c.mode)
		}
	}
	if _, err := Refresh(context.Background(), Endpoint{}, &Set{Access: "x"}, now); !errors.Is(err, ErrNoRefreshToken) {
		t.Errorf("no refresh token: %v", err)
	}
}

func TestConfigEndpoints(t *testing.T) {
	c := Endpoint{Tenant: "contoso.onmicrosoft.com", ClientID: "id"}.Config()
	if c.Endpoint.DeviceAuthURL != "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/devicecode" ||
		c.Endpoint.TokenURL != "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token" {
		t.Errorf("%+v", c.Endpoint)
	}
	if got := DefaultScopes(false); !slices.Equal(got, []string{ScopeSMTPSend, ScopeOfflineAccess}) {
		t.Errorf("scopes %v", got)
	}
}
