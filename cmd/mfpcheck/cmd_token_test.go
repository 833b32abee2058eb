package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/entrasim"
)

const tokTenant = "9188040d-6c67-4c5b-b112-36a304b66dad"

// tokClaims are real-shaped claim sets: v1 delegated Outlook, v2 delegated
// Graph, app-only Outlook.
func tokClaims(kind string, exp time.Time) map[string]any {
	iat := time.Now().Add(-5 * time.Minute).Unix()
	switch kind {
	case "graph-v2":
		return map[string]any{"aud": "00000003-0000-0000-c000-000000000000", "iat": iat, "nbf": iat, "exp": exp.Unix(),
			"azp": "4c4c4c4c-0000-4000-8000-000000000002", "scp": "Mail.Send User.Read", "tid": tokTenant,
			"preferred_username": "scan@contoso.example", "ver": "2.0"}
	case "app-only":
		return map[string]any{"aud": "https://outlook.office365.com", "iat": iat, "exp": exp.Unix(),
			"appid": "5d5d5d5d-0000-4000-8000-000000000004", "app_displayname": "Scan Relay",
			"roles": []string{"SMTP.SendAsApp"}, "tid": tokTenant, "ver": "1.0"}
	}
	return map[string]any{"aud": "https://outlook.office.com", "iat": iat, "nbf": iat, "exp": exp.Unix(),
		"app_displayname": "Epson Scan to Email", "appid": "3b3b3b3b-0000-4000-8000-000000000001",
		"scp": "SMTP.Send POP.AccessAsUser.All", "tid": tokTenant, "unique_name": "scan@contoso.example",
		"upn": "scan@contoso.example", "ver": "1.0"}
}

func writeTokenFile(t *testing.T, dir, access, refresh string, lastUsed time.Time, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(dir, "token.json")
	s := `{"access_token":"` + access + `","token_type":"Bearer","refresh_token":"` + refresh + `","expiry":"0001-01-01T00:00:00Z"`
	if !lastUsed.IsZero() {
		s += `,"mfpcheck_last_used":"` + lastUsed.UTC().Format(time.RFC3339) + `"`
	}
	if err := os.WriteFile(path, []byte(s+"}"), mode); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, mode)
	return path
}

func TestTokenCommandClaims(t *testing.T) {
	exp := time.Now().Add(50 * time.Minute)
	cases := []struct {
		kind     string
		wantExit []int
		state    string
		audience string
		user     string
		appOnly  bool
		scopes   []string
		version  string
		appID    string
		hasRoles bool
	}{
		{"outlook-v1", []int{ExitOK, ExitWarning}, "obtained", "https://outlook.office.com", "scan@contoso.example", false,
			[]string{"SMTP.Send", "POP.AccessAsUser.All"}, "1.0", "3b3b3b3b-0000-4000-8000-000000000001", false},
		{"graph-v2", []int{ExitFail}, "invalid", "00000003-0000-0000-c000-000000000000", "scan@contoso.example", false,
			[]string{"Mail.Send", "User.Read"}, "2.0", "4c4c4c4c-0000-4000-8000-000000000002", false},
		{"app-only", []int{ExitOK, ExitWarning}, "obtained", "https://outlook.office365.com", "", true,
			nil, "1.0", "5d5d5d5d-0000-4000-8000-000000000004", true},
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			access := entrasim.UnsignedJWT(tokClaims(c.kind, exp))
			path := writeTokenFile(t, t.TempDir(), access, "1.AXoArefresh-"+c.kind+"-000000", time.Now().Add(-24*time.Hour), 0o600)
			ta := newTestApp(nil)
			code := ta.runCLI(t, "token", "--token-file", path, "--json")
			if !slices.Contains(c.wantExit, code) {
				t.Fatalf("exit %d, want %v\n%s%s", code, c.wantExit, ta.out, ta.err)
			}
			info := ta.report(t).Token
			if info == nil {
				t.Fatal("no token in report")
			}
			if info.State != c.state || info.Audience != c.audience || info.User != c.user || info.AppOnly != c.appOnly ||
				!slices.Equal(info.Scopes, c.scopes) || info.Version != c.version || info.AppID != c.appID ||
				(len(info.Roles) > 0) != c.hasRoles || info.Tenant != tokTenant || !info.JWT || info.SignatureChecked ||
				info.Format != "oauth2-json" || info.FileMode != "0600" || info.Source != path ||
				info.AccessMinutesLeft < 48 || info.AccessMinutesLeft > 50 || !info.HasRefreshToken ||
				info.RefreshDaysLeft != 88 || !info.HasRefreshDaysLeft || info.Fingerprint == "" || info.RefreshFingerprint == "" ||
				info.SignedIn != (c.state == "obtained") || info.IssuedAt.IsZero() || info.ExpiresAt.IsZero() {
				t.Errorf("token info %+v", info)
			}
		})
	}
}

func TestTokenCommandText(t *testing.T) {
	dir := t.TempDir()
	access := entrasim.UnsignedJWT(tokClaims("outlook-v1", time.Now().Add(30*time.Minute)))
	path := writeTokenFile(t, dir, access, "1.AXoAtextrefresh00000000", time.Now().Add(-10*24*time.Hour), 0o644)
	profile := filepath.Join(dir, "epson.yaml")
	os.WriteFile(profile, []byte("device:\n  name: Lobby\n  vendor: epson\nemail:\n  auth_method: oauth2\n  service: exchange-online\n  sender: scan@contoso.example\nsmtp:\n  server: smtp.office365.com\n  user: scan@contoso.example\noauth:\n  token_file: token.json\n"), 0o600)
	ta := newTestApp(nil)
	code := ta.runCLI(t, "token", "--profile", profile)
	out := ta.out.String()
	for _, want := range []string{"Token " + path, "Signed in", "https://outlook.office.com", "SMTP.Send", "scan@contoso.example",
		"79 days left (90 days after last use on", "file mode 0644", "sha256:", "not verified"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q\n%s", want, out)
		}
	}
	if code == ExitError {
		t.Errorf("exit %d: %s", code, ta.err)
	}
}

func TestTokenCommandBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{\n  \"access_token\": \"abc\",\n  \"expiry\": 5\n}\n"), 0o600)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"token", "--token-file", bad}, bad + ":3:"},
		{[]string{"token", "--token-file", filepath.Join(dir, "missing.json")}, "missing.json"},
		{[]string{"token", "--token-env", "NOPE"}, "env:NOPE"},
		{[]string{"token"}, "no token given"},
		{[]string{"token", "--profile", filepath.Join(dir, "nope.yaml")}, "nope.yaml"},
	} {
		ta := newTestApp(nil)
		if code := ta.runCLI(t, c.args...); code != ExitError {
			t.Errorf("%v: exit %d", c.args, code)
		}
		if !strings.Contains(ta.err.String(), c.want) || !strings.HasPrefix(ta.err.String(), "mfpcheck: error: ") {
			t.Errorf("%v: stderr %q, want %q", c.args, ta.err, c.want)
		}
	}
}

func TestTokenCommandEnv(t *testing.T) {
	access := entrasim.UnsignedJWT(tokClaims("outlook-v1", time.Now().Add(-10*time.Minute)))
	ta := newTestApp(map[string]string{"MFP_TOKEN": access})
	if code := ta.runCLI(t, "token", "--token-env", "MFP_TOKEN", "--json"); code != ExitFail {
		t.Errorf("expired bare token: exit %d", code)
	}
	info := ta.report(t).Token
	if info.Source != "env:MFP_TOKEN" || info.Format != "jwt" || info.State != "invalid" || (info.AccessMinutesLeft != -10 && info.AccessMinutesLeft != -11) || info.FileMode != "" {
		t.Errorf("%+v", info)
	}
}

func simServer(t *testing.T, opts entrasim.Options) (*entrasim.Server, string) {
	t.Helper()
	sim := entrasim.New(opts)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, srv.URL
}

func TestTokenRefreshRotates(t *testing.T) {
	old := "1.AXoAoldrefresh-cli-0000000000"
	sim, url := simServer(t, entrasim.Options{RefreshTokens: []string{old}, User: "scan@contoso.example"})
	access := entrasim.UnsignedJWT(tokClaims("outlook-v1", time.Now().Add(-time.Hour)))
	path := writeTokenFile(t, t.TempDir(), access, old, time.Now().Add(-60*24*time.Hour), 0o644)
	ta := newTestApp(nil)
	code := ta.runCLI(t, "token", "--token-file", path, "--refresh", "--authority", url, "--tenant", "contoso.example",
		"--client-id", "11111111-2222-3333-4444-555555555555", "--json")
	if code == ExitError || code == ExitFail {
		t.Fatalf("exit %d\n%s%s", code, ta.out, ta.err)
	}
	info := ta.report(t).Token
	issued := sim.IssuedRefreshTokens()
	if !info.Refreshed || info.State != "obtained" || info.RefreshDaysLeft != 90 || len(issued) != 1 || info.AccessMinutesLeft < 70 {
		t.Fatalf("info %+v", info)
	}
	data, _ := os.ReadFile(path)
	fi, _ := os.Stat(path)
	if strings.Contains(string(data), old) || !strings.Contains(string(data), issued[0]) || fi.Mode().Perm() != 0o600 {
		t.Errorf("saved file: mode %v\n%s", fi.Mode().Perm(), data)
	}
	reqs := sim.Requests()
	if len(reqs) != 1 || reqs[0].GrantType != "refresh_token" || reqs[0].Tenant != "contoso.example" {
		t.Errorf("requests %+v", reqs)
	}
}

func TestTokenRefreshErrors(t *testing.T) {
	for _, c := range []struct {
		mode   entrasim.Mode
		aadsts string
	}{
		{entrasim.ModeRefreshInactive, "AADSTS700082"},
		{entrasim.ModeRefreshSignInFreq, "AADSTS70043"},
		{entrasim.ModeRefreshRevoked, "AADSTS50173"},
		{entrasim.ModeUnknownTenant, "AADSTS90002"},
	} {
		t.Run(string(c.mode), func(t *testing.T) {
			_, url := simServer(t, entrasim.Options{Mode: c.mode})
			access := entrasim.UnsignedJWT(tokClaims("outlook-v1", time.Now().Add(-time.Hour)))
			path := writeTokenFile(t, t.TempDir(), access, "1.AXoAdeadrefresh000000000", time.Now().Add(-24*time.Hour), 0o600)
			before, _ := os.ReadFile(path)
			ta := newTestApp(nil)
			code := ta.runCLI(t, "token", "--token-file", path, "--refresh", "--authority", url, "--tenant", "contoso.example", "--client-id", "x-client", "--json")
			r := ta.report(t)
			if code != ExitFail || r.Verdict != report.VerdictFail {
				t.Errorf("exit %d verdict %s", code, r.Verdict)
			}
			if r.Token.RefreshErrorAADSTS != c.aadsts || r.Token.RefreshErrorCode == "" || r.Token.RefreshErrorDescription == "" || r.Token.Refreshed {
				t.Errorf("token %+v", r.Token)
			}
			if after, _ := os.ReadFile(path); string(after) != string(before) {
				t.Error("token file changed after a failed refresh")
			}
		})
	}
}
