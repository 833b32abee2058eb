package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/token"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/entrasim"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/proxysim"
)

// entraFor serves a simulated Entra ID that accepts sim's refresh token.
func entraFor(t *testing.T, sim *exosim.Sim) (*entrasim.Server, string) {
	t.Helper()
	set, err := token.Load(sim.TokenFile())
	if err != nil {
		t.Fatal(err)
	}
	srv := entrasim.New(entrasim.Options{
		Mode: entrasim.ModeSuccess, User: exosim.DeviceUser, TenantID: exosim.TenantID,
		Mint:          func(string, []string) string { return sim.MintToken(exosim.TokenGood) },
		RefreshTokens: []string{set.Refresh},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	return srv, "http://" + ln.Addr().String()
}

// TestTokenRefreshClientIDFromClaim: token --refresh without --client-id
// or a profile refreshes for the app the token names (appid/azp), also
// through a proxy; with the sign-in endpoint unreachable, token and login
// exit 3 with a hint at mfpcheck login, as does a missing token file.
func TestTokenRefreshClientIDFromClaim(t *testing.T) {
	sim, err := exosim.Start(context.Background(), exosim.Options{Scenario: "ok", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	entra, authority := entraFor(t, sim)

	a := newTestApp(nil)
	code := a.runCLI(t, "token", "--token-file", sim.TokenFile(), "--refresh", "--authority", authority)
	if code != ExitOK || !strings.Contains(a.err.String(), "client id "+exosim.ClientID) || !strings.Contains(a.out.String(), "refreshed") {
		t.Fatalf("exit %d\n%s%s", code, a.out, a.err)
	}
	reqs := entra.Requests()
	if len(reqs) == 0 || reqs[len(reqs)-1].ClientID != exosim.ClientID || reqs[len(reqs)-1].Tenant != exosim.TenantID {
		t.Errorf("Entra saw %+v", reqs)
	}

	host := strings.TrimPrefix(authority, "http://")
	px, err := proxysim.Start(proxysim.CONNECT, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer px.Close()
	a = newTestApp(nil)
	if code := a.runCLI(t, "token", "--token-file", sim.TokenFile(), "--refresh", "--authority", authority, "--proxy", px.URL()); code != ExitOK {
		t.Errorf("through the proxy: exit %d\n%s", code, a.err)
	}
	if !slices.Contains(px.Requests(), host) {
		t.Errorf("proxy saw %v, want %s", px.Requests(), host)
	}

	dead := fmt.Sprintf("http://127.0.0.1:%d", closedPort(t))
	for _, args := range [][]string{
		{"token", "--token-file", sim.TokenFile(), "--refresh", "--authority", dead},
		{"login", "--client-id", exosim.ClientID, "--tenant", exosim.TenantID, "--user", exosim.DeviceUser,
			"--token-file", filepath.Join(t.TempDir(), "new.json"), "--authority", dead},
		{"token", "--token-file", filepath.Join(t.TempDir(), "none.json")},
	} {
		a := newTestApp(nil)
		code := a.runCLI(t, args...)
		if code != ExitError || !strings.Contains(a.err.String(), "mfpcheck: hint: ") || !strings.Contains(a.err.String(), "mfpcheck login") {
			t.Errorf("%v: exit %d, stderr %q", args, code, a.err)
		}
	}
}
