package diagnose

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

var tokenNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const (
	tenantContoso = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	tenantOther   = "9188040d-6c67-4c5b-b112-36a304b66dad"
)

// v1Delegated is a v1.0 Outlook token as a device's device-code sign-in
// gets it (upn, unique_name, scp space-separated).
func v1Delegated() *report.TokenInfo {
	return &report.TokenInfo{
		Source:      "testdata/scanner.json",
		Format:      "oauth2-json",
		Fingerprint: "sha256:1a2b3c4d len 1432",
		JWT:         true,
		Audience:    "https://outlook.office.com",
		Scopes:      []string{"SMTP.Send", "POP.AccessAsUser.All"},
		User:        "scanner@contoso.com",
		Tenant:      tenantContoso,
		AppID:       "d3590ed6-52b3-4102-aeff-aad2292ab01c",
		Version:     "1.0",
		IssuedAt:    tokenNow.Add(-10 * time.Minute),
		NotBefore:   tokenNow.Add(-10 * time.Minute),
		ExpiresAt:   tokenNow.Add(65 * time.Minute),
		State:       "obtained",
	}
}

// v2Delegated is a v2.0 token with full scope URIs and a refresh token.
func v2Delegated() *report.TokenInfo {
	t := v1Delegated()
	t.Version = "2.0"
	t.Scopes = []string{"https://outlook.office.com/SMTP.Send", "offline_access"}
	t.HasRefreshToken = true
	t.RefreshFingerprint = "sha256:99aa88bb len 1800"
	t.RefreshExpiresAt = tokenNow.Add(80 * 24 * time.Hour)
	t.HasRefreshDaysLeft = true
	t.RefreshDaysLeft = 80
	return t
}

// appOnly is a client-credentials token for outlook.office365.com/.default.
func appOnly(roles ...string) *report.TokenInfo {
	t := v1Delegated()
	t.Audience = "https://outlook.office365.com"
	t.Scopes = nil
	t.Roles = roles
	t.User = ""
	t.AppOnly = true
	return t
}

func oauthProfile() *profile.Profile {
	return &profile.Profile{
		Device: profile.ProfileDevice{Name: "MFP 3rd floor", Vendor: "sharp"},
		Email:  profile.ProfileEmail{AuthMethod: "oauth2", Service: "exchange-online", Sender: "scanner@contoso.com"},
		SMTP:   profile.ProfileSMTP{Server: "smtp.office365.com", Port: 587, User: "scanner@contoso.com"},
		OAuth:  profile.ProfileOAuth{Tenant: tenantContoso},
	}
}

func reportWith(t *report.TokenInfo) *report.Report {
	return &report.Report{Target: report.Target{Host: "smtp.office365.com", Port: 587, AuthMethod: "oauth2", User: "scanner@contoso.com"}, Token: t}
}

func TestTokenRules(t *testing.T) {
	type params map[string]map[string]string
	tests := []struct {
		name       string
		report     func() *report.Report
		profile    func() *profile.Profile
		want       []string
		wantParams params
		wantAlts   map[string][]string
	}{
		{
			name:       "no token, oauth2 device",
			report:     func() *report.Report { return reportWith(nil) },
			profile:    oauthProfile,
			want:       []string{"auth.no_credentials"},
			wantParams: params{"auth.no_credentials": {"user": "scanner@contoso.com"}},
		},
		{
			name: "no token, oauth2 only in the target",
			report: func() *report.Report {
				r := reportWith(nil)
				r.Target.User = "fax@contoso.com"
				return r
			},
			profile:    func() *profile.Profile { return nil },
			want:       []string{"auth.no_credentials"},
			wantParams: params{"auth.no_credentials": {"user": "fax@contoso.com"}},
		},
		{
			name: "no token, basic auth device",
			report: func() *report.Report {
				r := reportWith(nil)
				r.Target.AuthMethod = "basic"
				return r
			},
			profile: func() *profile.Profile {
				p := oauthProfile()
				p.Email.AuthMethod = "basic"
				return p
			},
			want: nil,
		},
		{
			name:    "good v1 delegated token, claims unverified",
			report:  func() *report.Report { return reportWith(v1Delegated()) },
			profile: oauthProfile,
			want:    []string{"token.signature_unverified"},
		},
		{
			name: "good v2 token with full scope URIs and a young refresh token",
			report: func() *report.Report {
				tok := v2Delegated()
				tok.SignatureChecked = true
				return reportWith(tok)
			},
			profile: oauthProfile,
			want:    nil,
		},
		{
			name: "Graph audience",
			report: func() *report.Report {
				tok := v2Delegated()
				tok.Audience = "https://graph.microsoft.com"
				return reportWith(tok)
			},
			profile:    oauthProfile,
			want:       []string{"token.signature_unverified", "token.audience"},
			wantParams: params{"token.audience": {"audience": "https://graph.microsoft.com"}},
		},
		{
			name: "Graph audience as the Graph app id, no SMTP.Send either",
			report: func() *report.Report {
				tok := v1Delegated()
				tok.Audience = "00000003-0000-0000-c000-000000000000"
				tok.Scopes = []string{"Mail.Send", "User.Read"}
				return reportWith(tok)
			},
			profile: oauthProfile,
			want:    []string{"token.signature_unverified", "token.audience", "token.scope_missing"},
			wantParams: params{
				"token.audience":      {"audience": "00000003-0000-0000-c000-000000000000"},
				"token.scope_missing": {"scopes": "Mail.Send User.Read"},
			},
		},
		{
			name: "Exchange Online resource id as v1 audience is accepted",
			report: func() *report.Report {
				tok := v1Delegated()
				tok.Audience = "00000002-0000-0ff1-ce00-000000000000"
				return reportWith(tok)
			},
			profile: oauthProfile,
			want:    []string{"token.signature_unverified"},
		},
		{
			name: "no scp at all",
			report: func() *report.Report {
				tok := v1Delegated()
				tok.Scopes = nil
				return reportWith(tok)
			},
			profile:    oauthProfile,
			want:       []string{"token.signature_unverified", "token.scope_missing"},
			wantParams: params{"token.scope_missing": {"scopes": "—"}},
		},
		{
			name: "POP3 in use but token has only SMTP.Send",
			report: func() *report.Report {
				r := reportWith(v2Delegated())
				r.POP3 = &report.POP3Report{Target: report.Target{Host: "outlook.office365.com", Port: 995}}
				return r
			},
			profile:    oauthProfile,
			want:       []string{"token.signature_unverified", "token.pop_scope_missing"},
			wantParams: params{"token.pop_scope_missing": {"scopes": "https://outlook.office.com/SMTP.Send offline_access"}},
		},
		{
			name:   "POP3 only in the profile, v1 token has POP scope",
			report: func() *report.Report { return reportWith(v1Delegated()) },
			profile: func() *profile.Profile {
				p := oauthProfile()
				p.POP3 = &profile.ProfilePOP3{Server: "outlook.office365.com"}
				return p
			},
			want: []string{"token.signature_unverified"},
		},
		{
			name:    "app-only with SMTP.SendAsApp",
			report:  func() *report.Report { return reportWith(appOnly("SMTP.SendAsApp")) },
			profile: oauthProfile,
			want:    []string{"token.signature_unverified"},
		},
		{
			name:       "app-only without SMTP.SendAsApp",
			report:     func() *report.Report { return reportWith(appOnly("Mail.Send")) },
			profile:    oauthProfile,
			want:       []string{"token.signature_unverified", "token.app_only_no_role"},
			wantParams: params{"token.app_only_no_role": {"scopes": "Mail.Send"}},
		},
		{
			name: "app-only with POP3 needs POP.AccessAsApp",
			report: func() *report.Report {
				r := reportWith(appOnly("SMTP.SendAsApp"))
				r.POP3 = &report.POP3Report{}
				return r
			},
			profile: oauthProfile,
			want:    []string{"token.signature_unverified", "token.pop_scope_missing"},
		},
		{
			name: "expired 30 minutes ago",
			report: func() *report.Report {
				tok := v1Delegated()
				tok.ExpiresAt = tokenNow.Add(-30 * time.Minute)
				return reportWith(tok)
			},
			profile:    oauthProfile,
			want:       []string{"token.signature_unverified", "token.expired"},
			wantParams: params{"token.expired": {"minutes": "30"}},
		},
		{
			name: "expires in 4.5 minutes",
			report: func() *report.Report {
				tok := v1Delegated()
				tok.ExpiresAt = tokenNow.Add(4*time.Minute + 30*time.Second)
				return reportWith(tok)
			},
			profile:    oauthProfile,
			want:       []string{"token.signature_unverified", "token.expiring"},
			wantParams: params{"token.expiring": {"minutes": "5"}},
		},
		{
			name: "11 minutes left is not expiring",
			report: func() *report.Report {
				tok := v1Delegated()
				tok.ExpiresAt = tokenNow.Add(11 * time.Minute)
				return reportWith(tok)
			},
			profile: oauthProfile,
			want:    []string{"token.signature_unverified"},
		},
		{
			name: "wrong account signed in on the device",
			report: func() *report.Report {
				tok := v1Delegated()
				tok.User = "admin@contoso.com"
				return reportWith(tok)
			},
			profile: oauthProfile,
			want:    []string{"token.signature_unverified", "token.user_mismatch"},
			wantParams: params{"token.user_mismatch": {
				"token_user": "admin@contoso.com", "user": "scanner@contoso.com",
			}},
		},
		{
			name: "user differs only in case and guest prefix",
			report: func() *report.Report {
				tok := v1Delegated()
				tok.User = "live.com#Scanner@Contoso.com"
				return reportWith(tok)
			},
			profile: oauthProfile,
			want:    []string{"token.signature_unverified"},
		},
		{
			name: "sender used when smtp.user is empty",
			report: func() *report.Report {
				r := reportWith(v1Delegated())
				r.Target.User = ""
				return r
			},
			profile: func() *profile.Profile {
				p := oauthProfile()
				p.SMTP.User = ""
				p.Email.Sender = "printer@contoso.com"
				return p
			},
			want:       []string{"token.signature_unverified", "token.user_mismatch"},
			wantParams: params{"token.user_mismatch": {"user": "printer@contoso.com"}},
		},
		{
			name: "tenant mismatch",
			report: func() *report.Report {
				tok := v1Delegated()
				tok.Tenant = tenantOther
				return reportWith(tok)
			},
			profile: oauthProfile,
			want:    []string{"token.signature_unverified", "token.tenant_mismatch"},
			wantParams: params{"token.tenant_mismatch": {
				"tenant": tenantOther, "expected_tenant": tenantContoso,
			}},
		},
		{
			name: "tenant given as a domain is not compared",
			report: func() *report.Report {
				tok := v1Delegated()
				tok.Tenant = tenantOther
				return reportWith(tok)
			},
			profile: func() *profile.Profile {
				p := oauthProfile()
				p.OAuth.Tenant = "contoso.onmicrosoft.com"
				return p
			},
			want: []string{"token.signature_unverified"},
		},
		{
			name: "opaque access token: no claim checks",
			report: func() *report.Report {
				return reportWith(&report.TokenInfo{
					Source: "env:MFP_TOKEN", Format: "opaque", Fingerprint: "sha256:00ff00ff len 900",
				})
			},
			profile: oauthProfile,
			want:    []string{"token.opaque"},
		},
		{
			name: "opaque access token past the expiry its token file gives",
			report: func() *report.Report {
				return reportWith(&report.TokenInfo{
					Source: "scanner.json", Format: "oauth2-json", Fingerprint: "sha256:00ff00ff len 900",
					ExpiresAt: tokenNow.Add(-time.Hour),
				})
			},
			profile:    oauthProfile,
			want:       []string{"token.opaque", "token.expired"},
			wantParams: params{"token.expired": {"minutes": "60"}},
		},
		{
			name: "refresh token dies in 10 days",
			report: func() *report.Report {
				tok := v2Delegated()
				tok.SignatureChecked = true
				tok.RefreshExpiresAt = tokenNow.Add(10*24*time.Hour + time.Hour)
				return reportWith(tok)
			},
			profile:    oauthProfile,
			want:       []string{"token.refresh_dying"},
			wantParams: params{"token.refresh_dying": {"days": "10"}},
		},
		{
			name: "refresh days from the token package only",
			report: func() *report.Report {
				tok := v2Delegated()
				tok.SignatureChecked = true
				tok.RefreshExpiresAt = time.Time{}
				tok.RefreshDaysLeft = 3
				return reportWith(tok)
			},
			profile:    oauthProfile,
			want:       []string{"token.refresh_dying"},
			wantParams: params{"token.refresh_dying": {"days": "3"}},
		},
		{
			name: "refresh token idle past 90 days",
			report: func() *report.Report {
				tok := v2Delegated()
				tok.SignatureChecked = true
				tok.LastUsed = tokenNow.Add(-95 * 24 * time.Hour)
				tok.RefreshExpiresAt = tokenNow.Add(-5 * 24 * time.Hour)
				return reportWith(tok)
			},
			profile:    oauthProfile,
			want:       []string{"token.refresh_dead"},
			wantParams: params{"token.refresh_dead": {"days": "5"}},
		},
		{
			name: "refresh rejected with AADSTS700082",
			report: func() *report.Report {
				tok := v2Delegated()
				tok.SignatureChecked = true
				tok.RefreshExpiresAt = tokenNow.Add(-24 * time.Hour)
				tok.RefreshError = "invalid_grant"
				tok.RefreshErrorCode = "invalid_grant"
				tok.RefreshErrorAADSTS = "AADSTS700082"
				tok.RefreshErrorDescription = "AADSTS700082: The refresh token has expired due to inactivity.\r\nTrace ID: 0000"
				return reportWith(tok)
			},
			profile:    oauthProfile,
			want:       []string{"entra.aadsts.700082"},
			wantParams: params{"entra.aadsts.700082": {"aadsts": "AADSTS700082", "code": "700082"}},
			wantAlts:   map[string][]string{"entra.aadsts.700082": {"token.refresh_failed", "oauth.invalid_grant"}},
		},
		{
			name: "AADSTS number only in the description",
			report: func() *report.Report {
				tok := v2Delegated()
				tok.SignatureChecked = true
				tok.RefreshErrorCode = "invalid_grant"
				tok.RefreshErrorDescription = "AADSTS70043: The refresh token has expired or is invalid due to sign-in frequency checks by conditional access."
				return reportWith(tok)
			},
			profile:    oauthProfile,
			want:       []string{"entra.aadsts.70043"},
			wantParams: params{"entra.aadsts.70043": {"aadsts": "AADSTS70043"}},
		},
		{
			name: "AADSTS number that shares an entry with another",
			report: func() *report.Report {
				tok := v2Delegated()
				tok.SignatureChecked = true
				tok.RefreshErrorCode = "invalid_grant"
				tok.RefreshErrorAADSTS = "AADSTS50133"
				return reportWith(tok)
			},
			profile:    oauthProfile,
			want:       []string{"entra.aadsts.50132"},
			wantParams: params{"entra.aadsts.50132": {"aadsts": "AADSTS50133"}},
		},
		{
			name: "AADSTS number the catalogue does not know",
			report: func() *report.Report {
				tok := v2Delegated()
				tok.SignatureChecked = true
				tok.RefreshErrorCode = "invalid_request"
				tok.RefreshErrorAADSTS = "AADSTS12345"
				return reportWith(tok)
			},
			profile:    oauthProfile,
			want:       []string{"token.refresh_failed"},
			wantParams: params{"token.refresh_failed": {"aadsts": "AADSTS12345"}},
			wantAlts:   map[string][]string{"token.refresh_failed": nil},
		},
		{
			name: "refresh rejected without an AADSTS number",
			report: func() *report.Report {
				tok := v2Delegated()
				tok.SignatureChecked = true
				tok.RefreshError = "token endpoint: 401"
				tok.RefreshErrorCode = "invalid_client"
				return reportWith(tok)
			},
			profile:    oauthProfile,
			want:       []string{"token.refresh_failed"},
			wantParams: params{"token.refresh_failed": {"aadsts": "invalid_client"}},
			wantAlts:   map[string][]string{"token.refresh_failed": {"oauth.invalid_client"}},
		},
		{
			name: "token file readable by others",
			report: func() *report.Report {
				tok := v1Delegated()
				tok.SignatureChecked = true
				tok.FileMode = "0644"
				return reportWith(tok)
			},
			profile:    oauthProfile,
			want:       []string{"token.file_mode"},
			wantParams: params{"token.file_mode": {"mode": "0644"}},
		},
		{
			name: "token file readable by group, symbolic mode",
			report: func() *report.Report {
				tok := v1Delegated()
				tok.SignatureChecked = true
				tok.FileMode = "-rw-r-----"
				return reportWith(tok)
			},
			profile: oauthProfile,
			want:    []string{"token.file_mode"},
		},
		{
			name: "token file 0600 is fine",
			report: func() *report.Report {
				tok := v1Delegated()
				tok.SignatureChecked = true
				tok.FileMode = "0600"
				return reportWith(tok)
			},
			profile: oauthProfile,
			want:    nil,
		},
		{
			name: "empty token file",
			report: func() *report.Report {
				return reportWith(&report.TokenInfo{Source: "scanner.json", Format: "none", FileMode: "0600"})
			},
			profile: oauthProfile,
			want:    []string{"token.not_obtained"},
		},
		{
			name: "device still waiting for authorization",
			report: func() *report.Report {
				return reportWith(&report.TokenInfo{Source: "device", State: "waiting_for_authorization"})
			},
			profile: oauthProfile,
			want:    []string{"device.state.waiting"},
		},
		{
			name: "device shows Invalid and the token is expired",
			report: func() *report.Report {
				tok := v1Delegated()
				tok.State = "invalid"
				tok.ExpiresAt = tokenNow.Add(-2 * time.Hour)
				return reportWith(tok)
			},
			profile: oauthProfile,
			want:    []string{"device.state.invalid", "token.signature_unverified", "token.expired"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hits := tokenRules(tc.report(), tc.profile(), tokenNow)
			var got []string
			for _, h := range hits {
				got = append(got, h.ID)
				if len(h.Evidence) == 0 {
					t.Errorf("hit %s has no evidence", h.ID)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("ids = %q, want %q", got, tc.want)
			}
			for id, want := range tc.wantParams {
				h := findHit(hits, id)
				for k, v := range want {
					if h.Params[k] != v {
						t.Errorf("%s: Params[%q] = %q, want %q", id, k, h.Params[k], v)
					}
				}
			}
			for _, h := range hits {
				checkRenders(t, h)
			}
			for id, want := range tc.wantAlts {
				if h := findHit(hits, id); !slices.Equal(h.Alternatives, want) {
					t.Errorf("%s: Alternatives = %q, want %q", id, h.Alternatives, want)
				}
			}
		})
	}
}

// checkRenders makes sure a hit names a catalogue entry and that its
// params fill every placeholder of that entry in every language and vendor.
func checkRenders(t *testing.T, h Hit) {
	t.Helper()
	if cat().byID[h.ID] == nil {
		t.Errorf("hit %s is not a catalogue id", h.ID)
		return
	}
	for _, alt := range h.Alternatives {
		if cat().byID[alt] == nil {
			t.Errorf("hit %s: alternative %s is not a catalogue id", h.ID, alt)
		}
	}
	for _, lang := range Languages {
		for _, vendor := range append([]string{""}, Vendors...) {
			f := FindingFor(h, Options{Lang: lang, Vendor: vendor})
			texts := []string{f.Title, f.Cause, f.Delay}
			for _, st := range f.Steps {
				texts = append(texts, st.Text, st.Command)
			}
			for _, s := range texts {
				if strings.Contains(s, "{") || strings.Contains(s, "placeholder.") {
					t.Errorf("%s (%s/%s): unfilled placeholder in %q (params %v)", h.ID, lang, vendor, s, h.Params)
				}
			}
			if f.Title == "" || f.Cause == "" || len(f.Steps) == 0 {
				t.Errorf("%s (%s/%s): empty finding %+v", h.ID, lang, vendor, f)
			}
		}
	}
}

func findHit(hits []Hit, id string) Hit {
	for _, h := range hits {
		if h.ID == id {
			return h
		}
	}
	return Hit{}
}

// A refresh error replaces the 90-day verdict: Entra's own answer is the
// better evidence, and both would say "sign in again".
func TestTokenRulesRefreshErrorHidesIdleRule(t *testing.T) {
	tok := v2Delegated()
	tok.SignatureChecked = true
	tok.RefreshExpiresAt = tokenNow.Add(-3 * 24 * time.Hour)
	tok.RefreshErrorAADSTS = "AADSTS700082"
	hits := tokenRules(reportWith(tok), oauthProfile(), tokenNow)
	if findHit(hits, "token.refresh_dead").ID != "" {
		t.Errorf("token.refresh_dead raised next to a refresh error: %+v", hits)
	}
	if findHit(hits, "entra.aadsts.700082").ID == "" {
		t.Errorf("no entra.aadsts.700082 hit: %+v", hits)
	}
}

// Evidence carries the fingerprint and claim values, never the secret.
func TestTokenRulesEvidenceNeverHoldsSecrets(t *testing.T) {
	const secret = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret-part"
	tok := v1Delegated()
	tok.Fingerprint = redact.Fingerprint(secret)
	tok.RefreshFingerprint = redact.Fingerprint(secret + "r")
	tok.HasRefreshToken = true
	tok.HasRefreshDaysLeft = true
	tok.RefreshDaysLeft = 2
	tok.FileMode = "0666"
	tok.User = "other@contoso.com"
	hits := tokenRules(reportWith(tok), oauthProfile(), tokenNow)
	if len(hits) < 3 {
		t.Fatalf("want several hits, got %+v", hits)
	}
	for _, h := range hits {
		for _, e := range append(slices.Clone(h.Evidence), mapValues(h.Params)...) {
			if strings.Contains(e, "eyJ") || strings.Contains(e, "secret-part") {
				t.Errorf("%s leaks the token: %q", h.ID, e)
			}
		}
	}
	if ev := strings.Join(findHit(hits, "token.signature_unverified").Evidence, " "); !strings.Contains(ev, tok.Fingerprint) {
		t.Errorf("signature evidence %q lacks the fingerprint %q", ev, tok.Fingerprint)
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// Zero values and odd input must not panic and must not invent findings
// about claims that are not there.
func TestTokenRulesOddInput(t *testing.T) {
	if hits := tokenRules(nil, nil, tokenNow); hits != nil {
		t.Errorf("nil report: %+v", hits)
	}
	hits := tokenRules(&report.Report{Token: &report.TokenInfo{}}, nil, time.Time{})
	if len(hits) != 1 || hits[0].ID != "token.not_obtained" {
		t.Errorf("empty token info: %+v", hits)
	}
	odd := &report.TokenInfo{
		JWT: true, Fingerprint: "x", FileMode: "rwx", Tenant: "not-a-guid",
		RefreshErrorAADSTS: "AADSTS", Scopes: []string{"", "/", "SMTP.Send/"},
	}
	hits = tokenRules(&report.Report{Token: odd}, &profile.Profile{OAuth: profile.ProfileOAuth{Tenant: tenantContoso}}, tokenNow)
	for _, h := range hits {
		if h.ID == "token.file_mode" || h.ID == "token.tenant_mismatch" || strings.HasPrefix(h.ID, "entra.") {
			t.Errorf("odd input raised %s: %+v", h.ID, h)
		}
	}
	if findHit(hits, "token.refresh_failed").ID == "" {
		t.Errorf("a bare AADSTS refresh error should fall back to token.refresh_failed: %+v", hits)
	}
}

func TestParseMode(t *testing.T) {
	tests := []struct {
		in   string
		want uint32
		ok   bool
	}{
		{"0600", 0o600, true},
		{"644", 0o644, true},
		{"0o640", 0o640, true},
		{"-rw-------", 0o600, true},
		{"-rw-r--r--", 0o644, true},
		{"-rwxrwxrwT", 0o776, true},
		{"", 0, false},
		{"0o", 0, false},
		{"0999", 0, false},
		{"rw-r--r--", 0, false},
	}
	for _, tc := range tests {
		got, ok := parseMode(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseMode(%q) = %o, %v; want %o, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestAADSTSNumber(t *testing.T) {
	tests := map[string]string{
		"AADSTS700082":             "700082",
		"700082":                   "700082",
		"aadsts 50076: MFA needed": "50076",
		"Error AADSTS7000218: The request body must contain": "7000218",
		"invalid_grant": "",
		"AADSTS":        "",
		"":              "",
	}
	for in, want := range tests {
		if got := aadstsNumber(in); got != want {
			t.Errorf("aadstsNumber(%q) = %q, want %q", in, got, want)
		}
	}
}
