package token

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// jwt builds an unsigned token with the given claims (our own builder, so
// these tests depend on no simulator).
func jwt(claims map[string]any) string {
	h, _ := json.Marshal(map[string]any{"typ": "JWT", "alg": "RS256", "kid": "test"})
	c, _ := json.Marshal(claims)
	e := base64.RawURLEncoding
	return e.EncodeToString(h) + "." + e.EncodeToString(c) + "." + e.EncodeToString([]byte("not-a-real-signature"))
}

// Claim sets shaped like real Entra tokens.
func v1Outlook(exp time.Time) map[string]any {
	return map[string]any{
		"aud": "https://outlook.office.com", "iss": "https://sts.windows.net/9188040d-6c67-4c5b-b112-36a304b66dad/",
		"iat": now.Add(-10 * time.Minute).Unix(), "nbf": now.Add(-10 * time.Minute).Unix(), "exp": exp.Unix(),
		"app_displayname": "Epson Scan to Email", "appid": "3b3b3b3b-0000-4000-8000-000000000001",
		"scp": "POP.AccessAsUser.All SMTP.Send", "tid": "9188040d-6c67-4c5b-b112-36a304b66dad",
		"unique_name": "scan@contoso.example", "upn": "scan@contoso.example", "ver": "1.0",
	}
}

func v2Graph(exp time.Time) map[string]any {
	return map[string]any{
		"aud": "00000003-0000-0000-c000-000000000000", "iss": "https://login.microsoftonline.com/t/v2.0",
		"iat": now.Add(-time.Hour).Unix(), "nbf": now.Add(-time.Hour).Unix(), "exp": exp.Unix(),
		"azp": "4c4c4c4c-0000-4000-8000-000000000002", "scp": "Mail.Send User.Read",
		"tid": "aaaabbbb-0000-4000-8000-000000000003", "preferred_username": "scan@fabrikam.example", "ver": "2.0",
	}
}

func appOnly(exp time.Time) map[string]any {
	return map[string]any{
		"aud": "https://outlook.office365.com", "iat": now.Add(-5 * time.Minute).Unix(), "exp": exp.Unix(),
		"appid": "5d5d5d5d-0000-4000-8000-000000000004", "app_displayname": "Scan Relay",
		"roles": []string{"SMTP.SendAsApp"}, "tid": "9188040d-6c67-4c5b-b112-36a304b66dad", "ver": "1.0",
	}
}

func TestInspectClaims(t *testing.T) {
	exp := now.Add(42*time.Minute + 30*time.Second)
	cases := []struct {
		name   string
		claims map[string]any
		want   Want
		check  func(t *testing.T, s *Set)
	}{
		{"v1 delegated outlook", v1Outlook(exp), Want{NeedPOP: true}, nil},
		{"v2 delegated graph", v2Graph(exp), Want{}, nil},
		{"app only", appOnly(exp), Want{}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tok := jwt(c.claims)
			s, err := Parse("tok.jwt", []byte(tok+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			info := Inspect(s, c.want, now)
			if info.Format != FormatJWT || !info.JWT || info.SignatureChecked {
				t.Errorf("format %q jwt %v sigchecked %v", info.Format, info.JWT, info.SignatureChecked)
			}
			if info.AccessMinutesLeft != 42 {
				t.Errorf("minutes left = %d, want 42", info.AccessMinutesLeft)
			}
			if !info.ExpiresAt.Equal(exp.Truncate(time.Second)) {
				t.Errorf("expires = %v", info.ExpiresAt)
			}
			if info.Fingerprint == "" || strings.Contains(info.Fingerprint, tok[:9]) {
				t.Errorf("fingerprint %q", info.Fingerprint)
			}
			if info.HasRefreshToken || info.HasRefreshDaysLeft {
				t.Errorf("refresh reported for a bare JWT")
			}
		})
	}

	info := Inspect(mustParse(t, jwt(v1Outlook(exp))), Want{NeedPOP: true}, now)
	if info.Audience != "https://outlook.office.com" || info.User != "scan@contoso.example" ||
		info.Tenant != "9188040d-6c67-4c5b-b112-36a304b66dad" || info.AppID != "3b3b3b3b-0000-4000-8000-000000000001" ||
		info.AppName != "Epson Scan to Email" || info.Version != "1.0" || info.AppOnly ||
		!slices.Equal(info.Scopes, []string{"POP.AccessAsUser.All", "SMTP.Send"}) ||
		info.State != StateObtained || !info.SignedIn || !info.IssuedAt.Equal(now.Add(-10*time.Minute)) || !info.NotBefore.Equal(now.Add(-10*time.Minute)) {
		t.Errorf("v1 outlook: %+v", info)
	}

	info = Inspect(mustParse(t, jwt(v2Graph(exp))), Want{}, now)
	if info.Audience != "00000003-0000-0000-c000-000000000000" || info.User != "scan@fabrikam.example" ||
		info.AppID != "4c4c4c4c-0000-4000-8000-000000000002" || info.Version != "2.0" ||
		info.State != StateInvalid || info.SignedIn {
		t.Errorf("v2 graph: %+v", info)
	}

	info = Inspect(mustParse(t, jwt(appOnly(exp))), Want{}, now)
	if !info.AppOnly || len(info.Scopes) != 0 || !slices.Equal(info.Roles, []string{"SMTP.SendAsApp"}) ||
		info.State != StateObtained || info.User != "" {
		t.Errorf("app only: %+v", info)
	}
	// The same app-only token cannot read POP3 mail without POP.AccessAsApp.
	if st := Inspect(mustParse(t, jwt(appOnly(exp))), Want{NeedPOP: true}, now).State; st != StateInvalid {
		t.Errorf("app only with POP: state %q", st)
	}
	// A delegated Outlook token without the POP scope is unusable for POP.
	cl := v1Outlook(exp)
	cl["scp"] = "SMTP.Send"
	if st := Inspect(mustParse(t, jwt(cl)), Want{NeedPOP: true}, now).State; st != StateInvalid {
		t.Errorf("no POP scope: state %q", st)
	}
	if st := Inspect(mustParse(t, jwt(cl)), Want{}, now).State; st != StateObtained {
		t.Errorf("SMTP only: state %q", st)
	}
}

func mustParse(t *testing.T, s string) *Set {
	t.Helper()
	set, err := Parse("test", []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestInspectStates(t *testing.T) {
	if info := Inspect(nil, Want{}, now); info.State != StateNotObtained || info.SignedIn {
		t.Errorf("nil: %+v", info)
	}
	expired := jwt(v1Outlook(now.Add(-90 * time.Second)))
	info := Inspect(mustParse(t, expired), Want{}, now)
	if info.State != StateInvalid || info.AccessMinutesLeft != -2 {
		t.Errorf("expired, no refresh: state %q minutes %d", info.State, info.AccessMinutesLeft)
	}
	withRT := `{"access_token":"` + expired + `","refresh_token":"1.AXoAabcdefghijklmnop","expiry":"` +
		now.Add(-90*time.Second).Format(time.RFC3339) + `","mfpcheck_last_used":"` + now.Add(-80*24*time.Hour).Format(time.RFC3339) + `"}`
	info = Inspect(mustParse(t, withRT), Want{}, now)
	if info.State != StateObtained || !info.HasRefreshToken || info.RefreshFingerprint == "" ||
		!info.HasRefreshDaysLeft || info.RefreshDaysLeft != 10 || !info.LastUsed.Equal(now.Add(-80*24*time.Hour)) ||
		!info.RefreshExpiresAt.Equal(now.Add(10*24*time.Hour)) {
		t.Errorf("expired with refresh: %+v", info)
	}
	// Unused for more than 90 days: the refresh token is dead too.
	dead := strings.Replace(withRT, now.Add(-80*24*time.Hour).Format(time.RFC3339), now.Add(-91*24*time.Hour).Format(time.RFC3339), 1)
	info = Inspect(mustParse(t, dead), Want{}, now)
	if info.State != StateInvalid || info.RefreshDaysLeft != -1 {
		t.Errorf("dead refresh: state %q days %d", info.State, info.RefreshDaysLeft)
	}
	// Opaque token with a known expiry.
	op := `{"access_token":"EwBwA8l6BAAUopaque0123456789","token_type":"Bearer","expires_on":"` +
		itoa(now.Add(30*time.Minute).Unix()) + `","scope":"https://outlook.office.com/SMTP.Send"}`
	info = Inspect(mustParse(t, op), Want{}, now)
	if info.JWT || info.Format != FormatTokenResponse || info.AccessMinutesLeft != 30 || info.State != StateObtained ||
		!slices.Equal(info.Scopes, []string{"https://outlook.office.com/SMTP.Send"}) {
		t.Errorf("opaque: %+v", info)
	}
	// Refresh token only: obtained (the device refreshes before use).
	info = Inspect(mustParse(t, `{"refresh_token":"1.AXoAonlyrefresh0000"}`), Want{}, now)
	if info.State != StateObtained || info.Fingerprint != "" {
		t.Errorf("refresh only: %+v", info)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestParseFormats(t *testing.T) {
	tok := jwt(v1Outlook(now.Add(time.Hour)))
	cases := []struct {
		name, data, format string
		expiry             time.Time
	}{
		{"oauth2 json", `{"access_token":"` + tok + `","token_type":"Bearer","refresh_token":"1.AXoArefresh","expiry":"2026-03-02T11:30:00.123+01:00"}`,
			FormatOAuth2JSON, time.Date(2026, 3, 2, 10, 30, 0, 123e6, time.UTC)},
		{"token response v1 strings", `{"token_type":"Bearer","expires_in":"3599","expires_on":"1772449200","access_token":"abc.def-opaque"}`,
			FormatTokenResponse, time.Unix(1772449200, 0)},
		{"jwt with bearer prefix", "Bearer " + tok + "\r\n", FormatJWT, now.Add(time.Hour)},
		{"opaque", "  EwBwA8l6BAAUopaque  \n", FormatOpaque, time.Time{}},
		{"bom", "\xef\xbb\xbf" + `{"access_token":"x1234567"}`, FormatOAuth2JSON, time.Time{}},
	}
	for _, c := range cases {
		s, err := Parse("f", []byte(c.data))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if s.Format != c.format || !s.Expiry.Equal(c.expiry) {
			t.Errorf("%s: format %q expiry %v, want %q %v", c.name, s.Format, s.Expiry, c.format, c.expiry)
		}
	}
	bad := []struct{ data, want string }{
		{"", "empty"},
		{"{\n  \"access_token\": \"x\",\n  \"expiry\": 12\n}", "f:3: field \"expiry\" is not a string"},
		{"{\n\"access_token\": \"abc\"\n\"x\":1}", "f:3: not valid JSON"},
		{"{\"access_token\": \"abc\"", "ends early"},
		{`{"token_type":"Bearer"}`, "neither"},
		{"two words", "not a token"},
		{`{"access_token":"a b"}`, "spaces"},
		{`{"access_token":"abc","expires_in":"soon"}`, "expires_in"},
		{`[1,2]`, "not a token"},
	}
	for _, b := range bad {
		_, err := Parse("f", []byte(b.data))
		var fe *FileError
		if err == nil || !errors.As(err, &fe) || !strings.Contains(err.Error(), b.want) || !strings.HasPrefix(err.Error(), "f") {
			t.Errorf("Parse(%q) = %v, want error with %q", b.data, err, b.want)
		}
	}
}

func TestLoadSave(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "token.json")
	tok := jwt(v1Outlook(now.Add(time.Hour)))
	s := &Set{Access: tok, Refresh: "1.AXoArefreshtoken-aaaa", Expiry: now.Add(time.Hour), Scope: ScopeSMTPSend, LastUsed: now}
	if err := os.WriteFile(path, []byte("old contents"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Save(path, s); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Access != s.Access || got.Refresh != s.Refresh || !got.Expiry.Equal(s.Expiry) || !got.LastUsed.Equal(now) ||
		got.Scope != s.Scope || got.Format != FormatOAuth2JSON || got.Source != path || got.Mode != 0o600 {
		t.Errorf("round trip: %+v", got)
	}
	if info := Inspect(got, Want{}, now); info.FileMode != "0600" {
		t.Errorf("file mode %q", info.FileMode)
	}
	// The oauth2 library can read what we write.
	var o struct {
		AccessToken string    `json:"access_token"`
		Expiry      time.Time `json:"expiry"`
	}
	data, _ := os.ReadFile(path)
	if err := json.Unmarshal(data, &o); err != nil || o.AccessToken != tok {
		t.Errorf("oauth2 form: %v", err)
	}
	// No temporary files stay behind; the replaced file is kept as .bak.
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Errorf("folder holds %d files", len(ents))
	}
	if bak, _ := os.ReadFile(path + ".bak"); string(bak) != "old contents" {
		t.Errorf(".bak holds %q", bak)
	}
	// A failed save (folder missing) leaves nothing and returns an error
	// naming the file.
	err = Save(filepath.Join(dir, "nope", "t.json"), s)
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("save into missing folder: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("load missing: %v", err)
	}
	// A token response saved to a file counts expires_in from its mtime.
	tr := filepath.Join(dir, "resp.json")
	os.WriteFile(tr, []byte(`{"token_type":"Bearer","expires_in":3600,"access_token":"EwBopaque12345"}`), 0o640)
	mt := now.Add(-30 * time.Minute)
	os.Chtimes(tr, mt, mt)
	got, err = Load(tr)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Expiry.Equal(now.Add(30*time.Minute)) || Inspect(got, Want{}, now).FileMode != "0640" {
		t.Errorf("token response: expiry %v", got.Expiry)
	}
}

func TestDecodeClaimsGarbage(t *testing.T) {
	for _, s := range []string{"", "a.b", "a.b.c", "eyJ.eyJ.x", "a.b.c.d.e", "eyJhbGciOiJub25lIn0.bm90anNvbg.x",
		strings.Repeat("A", MaxJWTSegment+1) + ".e30.x"} {
		if _, err := DecodeClaims(s); err == nil {
			t.Errorf("DecodeClaims(%.20q) succeeded", s)
		}
	}
	// aud as an array, numbers as floats.
	c, err := DecodeClaims(jwt(map[string]any{"aud": []string{"https://outlook.office.com/"}, "exp": 1.77e9, "scp": 5}))
	if err != nil || !IsOutlookAudience(c.Audience) || c.Exp != 1770000000 || c.Scope != "" {
		t.Errorf("claims %+v, %v", c, err)
	}
}

func TestParseEntraError(t *testing.T) {
	body := `{"error":"invalid_grant","error_description":"AADSTS700082: The refresh token has expired due to inactivity.\r\nTrace ID: 0b1c\r\nCorrelation ID: 9f8e\r\nTimestamp: 2026-03-02 10:00:00Z","error_codes":[700082],"timestamp":"2026-03-02 10:00:00Z","trace_id":"0b1c","correlation_id":"9f8e","error_uri":"https://login.microsoftonline.com/error?code=700082"}`
	e, ok := ParseEntraError([]byte(body))
	if !ok || e.Code != "invalid_grant" || e.AADSTSCode() != "AADSTS700082" || e.TraceID != "0b1c" || e.CorrelationID != "9f8e" ||
		e.Description != "AADSTS700082: The refresh token has expired due to inactivity." {
		t.Fatalf("%+v", e)
	}
	// Code only in the description.
	e, ok = ParseEntraError([]byte(`{"error":"invalid_client","error_description":"AADSTS7000218: The request body must contain …"}`))
	if !ok || !e.Has(7000218) {
		t.Errorf("%+v", e)
	}
	for _, b := range []string{"", "<html>", `{"error":""}`, `[]`, `{"error":5}`} {
		if _, ok := ParseEntraError([]byte(b)); ok {
			t.Errorf("ParseEntraError(%q) ok", b)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"access_token":"a.b.c","expiry":"2026-01-01T00:00:00Z","refresh_token":"r","mfpcheck_last_used":"2026-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"expires_in":"3599","expires_on":1,"access_token":"x"}`))
	f.Add([]byte(jwt(v1Outlook(now))))
	f.Add([]byte("Bearer abc"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz") {
				t.Errorf("error does not name the source: %v", err)
			}
			return
		}
		info := Inspect(s, Want{NeedPOP: true}, now)
		if info.State == "" {
			t.Error("no state")
		}
	})
}

func FuzzDecodeClaims(f *testing.F) {
	f.Add(jwt(v1Outlook(now)))
	f.Add(jwt(appOnly(now)))
	f.Add("eyJ9.eyJ9.")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := DecodeClaims(s)
		if err == nil && c == nil {
			t.Error("nil claims without error")
		}
	})
}

func FuzzParseEntraError(f *testing.F) {
	f.Add([]byte(`{"error":"invalid_grant","error_description":"AADSTS50173: x\r\nTrace ID: a","error_codes":[50173]}`))
	f.Add([]byte(`{"error":"x","error_codes":[1e300,-1,"a",null]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, ok := ParseEntraError(b)
		if ok && (e == nil || e.Code == "") {
			t.Error("ok without code")
		}
		if ok {
			_ = e.Error()
		}
	})
}
