package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/token"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/entrasim"
)

func loginArgs(url, file string, extra ...string) []string {
	return append([]string{"login", "--authority", url, "--tenant", "contoso.example",
		"--client-id", "11111111-2222-3333-4444-555555555555", "--user", "scanner@contoso.example", "--token-file", file}, extra...)
}

func TestLoginSuccess(t *testing.T) {
	sim, url := simServer(t, entrasim.Options{Mode: entrasim.ModeSuccess, Pending: 2})
	dir := t.TempDir()
	file := filepath.Join(dir, "token.json")
	os.WriteFile(file, []byte(`{"refresh_token":"1.AXoApreviousrefresh000"}`), 0o600)
	ta := newTestApp(nil)
	code := ta.runCLI(t, loginArgs(url, file, "--pop")...)
	if code != ExitOK && code != ExitWarning {
		t.Fatalf("exit %d\n%s%s", code, ta.out, ta.err)
	}
	out := ta.out.String()
	reqs := sim.Requests()
	if !strings.Contains(out, "https://microsoft.com/devicelogin") || !strings.Contains(out, "Entra ID: To sign in") || !strings.Contains(out, "Obtained") {
		t.Errorf("stdout:\n%s", out)
	}
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v %v", err, fi)
	}
	if bak, err := os.ReadFile(file + ".bak"); err != nil || !strings.Contains(string(bak), "previousrefresh") {
		t.Errorf("backup: %v %s", err, bak)
	}
	set, err := token.Load(file)
	if err != nil || set.Refresh != sim.IssuedRefreshTokens()[0] || set.LastUsed.IsZero() {
		t.Errorf("saved set: %v", err)
	}
	if len(reqs) != 4 || !slices.Equal(reqs[0].Scopes, []string{token.ScopeSMTPSend, token.ScopePOP, token.ScopeOfflineAccess}) ||
		reqs[0].ClientID != "11111111-2222-3333-4444-555555555555" {
		t.Errorf("requests %+v", reqs)
	}
	if !strings.Contains(ta.err.String(), file+".bak") {
		t.Errorf("stderr: %s", ta.err)
	}
}

func TestLoginFailures(t *testing.T) {
	for _, c := range []struct {
		mode entrasim.Mode
		want string
	}{
		{entrasim.ModeExpired, "expired_token"},
		{entrasim.ModeDeclined, "authorization_declined"},
		{entrasim.ModePublicClientOff, "AADSTS7000218"},
		{entrasim.ModeNoConsent, "AADSTS65001"},
		{entrasim.ModeUnknownTenant, "AADSTS90002"},
	} {
		t.Run(string(c.mode), func(t *testing.T) {
			_, url := simServer(t, entrasim.Options{Mode: c.mode})
			file := filepath.Join(t.TempDir(), "token.json")
			os.WriteFile(file, []byte(`{"refresh_token":"1.AXoAkeepme00000000"}`), 0o640)
			ta := newTestApp(nil)
			code := ta.runCLI(t, loginArgs(url, file, "--json")...)
			if code != ExitFail {
				t.Errorf("exit %d\n%s", code, ta.err)
			}
			if !strings.Contains(ta.err.String(), c.want) {
				t.Errorf("stderr %q lacks %q", ta.err, c.want)
			}
			r := ta.report(t)
			if r.Token == nil || r.Token.State != "not_obtained" || len(r.Findings) == 0 {
				t.Errorf("report token %+v findings %d", r.Token, len(r.Findings))
			}
			if data, _ := os.ReadFile(file); string(data) != `{"refresh_token":"1.AXoAkeepme00000000"}` {
				t.Error("existing token file was touched")
			}
			if _, err := os.Stat(file + ".bak"); err == nil {
				t.Error("backup written without a new token")
			}
		})
	}
}

// Known tokens never show, whole or in part, in anything login and token
// print.
func TestLoginAndTokenNeverShowSecrets(t *testing.T) {
	var minted []string
	mint := func(user string, scopes []string) string {
		tok := entrasim.OutlookToken(user, tokTenant, scopes, time.Now(), time.Hour)
		minted = append(minted, tok)
		return tok
	}
	sim, url := simServer(t, entrasim.Options{Mode: entrasim.ModeSuccess, Pending: 1, Mint: mint})
	file := filepath.Join(t.TempDir(), "token.json")
	var all strings.Builder
	for _, args := range [][]string{
		loginArgs(url, file),
		loginArgs(url, file, "--json"),
		{"token", "--token-file", file},
		{"token", "--token-file", file, "--json"},
		{"token", "--token-file", file, "--refresh", "--authority", url, "--tenant", "contoso.example", "--client-id", "c", "--json"},
		{"token", "--token-file", file, "--refresh", "--authority", url, "--tenant", "contoso.example", "--client-id", "c"},
	} {
		ta := newTestApp(nil)
		ta.runCLI(t, args...)
		all.WriteString(ta.out.String() + ta.err.String())
	}
	secrets := append(minted, sim.IssuedRefreshTokens()...)
	if len(secrets) < 6 {
		t.Fatalf("only %d secrets issued", len(secrets))
	}
	for _, s := range secrets {
		if l := leaked(all.String(), s); l != "" {
			t.Fatalf("output holds %q of a token", l)
		}
	}
}
