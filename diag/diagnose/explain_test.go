package diagnose

import (
	"github.com/mfpcheck/mfpcheck/diag/i18n"
	"reflect"
	"slices"
	"strings"
	"testing"
)

const trailer = " [AM0PR02CA0001.eurprd02.prod.outlook.com 2026-11-22T08:00:00.000Z 08DD78DC148941BA]"

// exchangeReplies is every Exchange Online reply of exchange-online.md
// section 1 with the entry it must map to.
var exchangeReplies = []struct{ reply, id string }{
	{"535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.", "smtp.auth.tenant_disabled"},
	{"535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information.", "smtp.auth.mailbox_disabled"},
	{"535 5.7.139 Authentication unsuccessful, basic authentication is disabled.", "smtp.auth.basic_disabled"},
	{"535 5.7.139 Authentication unsuccessful, the user credentials were incorrect.", "smtp.auth.bad_credentials"},
	{"535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. Contact your administrator.", "smtp.auth.security_defaults"},
	{"535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator.", "smtp.auth.conditional_access"},
	{"535 5.7.139 Authentication unsuccessful, account locked. Contact your administrator.", "smtp.auth.account_locked"},
	{"535 5.7.139 Authentication unsuccessful, account has an issue. Contact your administrator.", "smtp.auth.account_issue"},
	{"535 5.7.139 Authentication unsuccessful, federated STS service was unreachable.", "smtp.auth.sts_unreachable"},
	{"535 5.7.139 Authentication unsuccessful, the federated STS URL does not support HTTPS.", "smtp.auth.sts_no_https"},
	{"535 5.7.3 Authentication unsuccessful", "smtp.auth.rejected"},
	{"504 5.7.4 Unrecognized authentication type", "smtp.auth.mechanism_unsupported"},
	{"501 5.5.124 Invalid XOAUTH2 auth data - User address provided is not valid.", "smtp.auth.xoauth2_invalid"},
	{"501 5.5.127 Invalid XOAUTH2 auth data - Token will expire soon", "smtp.auth.token_expiring_hve"},
	{"550 5.7.30 Basic authentication is not supported for Client Submission.", "smtp.auth.basic_retired"},
	{"530 5.7.57 Client not authenticated to send mail.", "smtp.mail.not_authenticated"},
	{"530 5.7.57 SMTP; Client was not authenticated to send anonymous mail during MAIL FROM", "smtp.mail.not_authenticated"},
	{"550 5.7.60 SMTP; Client does not have permissions to send as this sender", "smtp.mail.send_as_denied"},
	{"554 5.2.252 SendAsDenied; scanner@contoso.com not allowed to send as boss@contoso.com; STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception with message [BeginDiagnosticData]Cannot submit message. 0.35250:0A00C98B, 1.36674:0A000000", "smtp.data.send_as_denied"},
	{"554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception with message Cannot submit message.", "smtp.data.send_as_denied"},
	{"550 5.2.252 Sender throttled due to continuous send as denied errors.", "smtp.throttle.send_as_denied"},
	{"550 5.2.251 Sender throttled due to continuous mailbox full errors.", "smtp.throttle.continuous_errors"},
	{"550 5.2.253 Sender throttled due to continuous invalid license errors.", "smtp.throttle.continuous_errors"},
	{"550 5.2.254 Sender throttled due to continuous too many recipients errors.", "smtp.throttle.continuous_errors"},
	{"550 5.2.255 Sender throttled due to continuous invalid recipients errors.", "smtp.throttle.continuous_errors"},
	{"554 5.2.2 mailbox full; STOREDRV.Submission.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded", "smtp.data.mailbox_full"},
	{"432 4.3.2 Concurrent connections limit exceeded.", "smtp.throttle.concurrent"},
	{"432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded", "smtp.throttle.concurrent"},
	{"421 4.4.2 Message submission rate for this client has exceeded the configured limit", "smtp.throttle.rate"},
	{"554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message", "smtp.data.submission_quota"},
	{"430 4.2.0 STOREDRV; mailbox logon failure; STOREDRV.Submission.Exception:ConnectionFailedTransientException.MapiExceptionLogonFailed; Cannot open mailbox.", "smtp.mail.logon_failure"},
	{"550 5.1.8 Bad outbound sender", "smtp.mail.bad_outbound_sender"},
	{"421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2. Visit https://aka.ms/smtp_auth_tls", "smtp.tls.legacy_rejected"},
	{"451 5.7.3 STARTTLS is required to send mail", "smtp.tls.starttls_required"},
	{"451 4.7.500 Server busy. Please try again later from [192.0.2.7]. (AS761)", "smtp.ip.throttled"},
	{"550 5.7.708 Access denied, traffic not accepted from this IP", "smtp.ip.blocked"},
	{"550 5.7.705 Access denied, tenant has exceeded threshold", "smtp.ip.blocked"},
	{"550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains", "smtp.ip.unregistered_domain"},
	{"501 5.5.4 Invalid domain name", "smtp.helo.invalid_domain"},
	{"500 5.3.3 Unrecognized command 'unknown'", "smtp.proxy_header"},
}

func firstID(t *testing.T, in string) string {
	t.Helper()
	fs := Explain(in, Options{})
	if len(fs) == 0 {
		t.Fatalf("Explain(%q) found nothing", in)
	}
	return fs[0].ID
}

// TestExplainExchangeReplies feeds every reply as it comes, with its
// trailer, wrapped by .NET, with other case and spacing, and from a
// transcript line.
func TestExplainExchangeReplies(t *testing.T) {
	for _, c := range exchangeReplies {
		variants := map[string]string{
			"plain":    c.reply,
			"trailer":  c.reply + trailer,
			"dotnet":   "5.7.57 Client not authenticated to send mail. Error: " + c.reply + trailer,
			"case":     strings.ToUpper(c.reply[:3]) + strings.ToLower(c.reply[3:]),
			"spacing":  strings.ReplaceAll(c.reply, " ", "   "),
			"logline":  "2026-11-22 08:00:01 S: " + c.reply,
			"crlfsent": c.reply + "\r\n",
		}
		for name, in := range variants {
			if got := firstID(t, in); got != c.id {
				t.Errorf("%s %q: got %s, want %s", name, in, got, c.id)
			}
		}
		fs := Explain(c.reply, Options{})
		if fs[0].Generic {
			t.Errorf("%q: known reply marked generic", c.reply)
		}
	}
}

// TestExplain5_7_139AreDistinct guards against the peer tools' bug of
// reading every 5.7.139 as Conditional Access.
func TestExplain5_7_139AreDistinct(t *testing.T) {
	seen := map[string]string{}
	for _, c := range exchangeReplies {
		if !strings.Contains(c.reply, "5.7.139") {
			continue
		}
		id := firstID(t, c.reply)
		if prev, ok := seen[id]; ok {
			t.Errorf("%q and %q both map to %s", prev, c.reply, id)
		}
		seen[id] = c.reply
	}
	if len(seen) != 10 {
		t.Errorf("%d distinct 5.7.139 entries, want 10", len(seen))
	}
}

// A bare code whose causes lie on different sides names them all, most
// likely first, instead of blaming one (issue 11 section 4).
func TestAmbiguousFindingsNameEverySide(t *testing.T) {
	for _, c := range []struct {
		input string
		want  []string
	}{
		{"535", []string{"device", "tenant"}},
		{"421", []string{"device", "tenant"}},
	} {
		fs := Explain(c.input, Options{})
		if len(fs) != 1 || len(fs[0].Alternatives) == 0 {
			t.Fatalf("%s: %+v", c.input, fs)
		}
		f := fs[0]
		if len(f.Sides) == 0 || f.Sides[0] != f.Side {
			t.Errorf("%s: sides %v do not start with the most likely cause's side %s", c.input, f.Sides, f.Side)
		}
		for _, s := range c.want {
			if !slices.Contains(f.Sides, s) {
				t.Errorf("%s: sides %v lack %s", c.input, f.Sides, s)
			}
		}
		if txt := i18n.Side("en", f.Side, f.Sides); !strings.HasPrefix(txt, "depends on the cause") {
			t.Errorf("%s: whose move reads %q", c.input, txt)
		}
	}
	// Causes that all lie on one side keep that one side.
	if fs := Explain("5.7.3", Options{}); len(fs) != 1 || len(fs[0].Alternatives) == 0 || fs[0].Side != "device" || fs[0].Sides != nil {
		t.Errorf("5.7.3: %+v", fs)
	}
	// A finding the evidence decides keeps its one side.
	if fs := Explain("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox", Options{}); len(fs) != 1 || fs[0].Side != "tenant" || fs[0].Sides != nil {
		t.Errorf("mailbox disabled: %+v", fs)
	}
}

func TestExplainAmbiguousAndGeneric(t *testing.T) {
	fs := Explain("535", Options{})
	if len(fs) != 1 || fs[0].ID != "smtp.auth.ambiguous" {
		t.Fatalf("535: %+v", fs)
	}
	for _, want := range []string{"smtp.auth.rejected", "smtp.auth.mailbox_disabled", "smtp.auth.tenant_disabled", "smtp.auth.conditional_access"} {
		if !slices.Contains(fs[0].Alternatives, want) {
			t.Errorf("535 alternatives %v lack %s", fs[0].Alternatives, want)
		}
	}
	fs = Explain("5.7.139", Options{})
	if len(fs) != 1 || fs[0].ID != "smtp.auth.unknown_5_7_139" || len(fs[0].Alternatives) < 10 {
		t.Errorf("5.7.139: %+v", fs)
	}
	fs = Explain("535 5.7.139 Authentication unsuccessful, something new", Options{})
	if fs[0].ID != "smtp.auth.unknown_5_7_139" {
		t.Errorf("unknown 5.7.139 text: %s", fs[0].ID)
	}
	fs = Explain("550 5.9.9 whatever", Options{})
	if len(fs) != 1 || !fs[0].Generic || fs[0].ID != "generic.permanent" {
		t.Errorf("550 5.9.9: %+v", fs)
	}
	// A 4xx reads as transient whatever its subject (issue 11 section 3).
	fs = Explain("452 4.1.9 odd", Options{})
	if len(fs) != 1 || !fs[0].Generic || fs[0].ID != "generic.transient" || fs[0].Severity != "warning" {
		t.Errorf("452 4.1.9: %+v", fs)
	}
	fs = Explain("550 5.1.9 odd", Options{})
	if len(fs) != 1 || !fs[0].Generic || fs[0].ID != "generic.address" {
		t.Errorf("550 5.1.9: %+v", fs)
	}
	fs = Explain("550", Options{})
	if len(fs) != 1 || !fs[0].Generic || !slices.Contains(fs[0].Alternatives, "smtp.auth.basic_retired") {
		t.Errorf("bare 550 must be generic with alternatives: %+v", fs)
	}
	fs = Explain("550 Mailbox unavailable", Options{})
	if len(fs) != 1 || fs[0].ID != "generic.permanent" {
		t.Errorf("550 without enhanced code from another server: %+v", fs)
	}
	if fs := Explain("hello world", Options{}); len(fs) != 0 {
		t.Errorf("free text explained: %+v", fs)
	}
	if fs := Explain("   ", Options{}); fs != nil {
		t.Errorf("blank input: %+v", fs)
	}
}

func TestExplainTranscript(t *testing.T) {
	log := strings.Join([]string{
		"S: 220 BE1P281CA0440.outlook.office365.com Microsoft ESMTP MAIL Service ready [08DDD30471EE4ED5]",
		"C: EHLO printer",
		"S: 250-BE1P281CA0440.outlook.office365.com Hello [192.0.2.1]",
		"S: 250-STARTTLS",
		"S: 250 SMTPUTF8",
		"C: AUTH XOAUTH2 ...",
		"S: 535 5.7.3 Authentication unsuccessful" + trailer,
		"C: MAIL FROM:<scan@contoso.com>",
		"S: 530 5.7.57 Client not authenticated to send mail." + trailer,
		"S: 535 5.7.3 Authentication unsuccessful" + trailer,
	}, "\n")
	fs := Explain(log, Options{})
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.ID)
	}
	want := []string{"smtp.auth.rejected_oauth", "smtp.mail.not_authenticated"} // the transcript shows AUTH XOAUTH2
	if !reflect.DeepEqual(ids, want) {
		t.Fatalf("ids %v, want %v", ids, want)
	}
	if !strings.Contains(fs[0].Evidence[0], "08DD78DC148941BA") {
		t.Errorf("evidence lost the trailer: %q", fs[0].Evidence)
	}
}

func TestExplainLanguagesAndVendors(t *testing.T) {
	in := "535 5.7.3 Authentication unsuccessful"
	cases := []struct{ lang, vendor, want string }{
		{"en", "epson", "Email Server > Basic"},
		{"de", "epson", "Netzwerk > eMail-Server > Grundlegend"},
		{"de", "epson", "Angemeldet"},
		{"fr", "epson", "Réseau > Serveur e-mail > De base"},
		{"de", "ricoh", "[Authentifizierung starten]"},
		{"de", "nashuatec", "(Authentifiziert)"},
		{"fr", "ricoh", "[Démarrer l'authentification]"},
		{"en", "ricoh", "[Start Authentication]"},
		{"de", "sharp", "[Token abrufen]"},
		{"en", "sharp", "[Get Token]"},
		{"xx", "", "Sign-in refused"},
	}
	for _, c := range cases {
		f := Explain(in, Options{Lang: c.lang, Vendor: c.vendor})[0]
		var all strings.Builder
		all.WriteString(f.Title)
		for _, s := range f.Steps {
			all.WriteString("\n" + s.Text)
		}
		if !strings.Contains(all.String(), c.want) {
			t.Errorf("%s/%s: %q not in\n%s", c.lang, c.vendor, c.want, all.String())
		}
	}
	// Vendor steps come first.
	f := Explain(in, Options{Lang: "en", Vendor: "ricoh"})[0]
	if !strings.Contains(f.Steps[0].Text, "Web Image Monitor") {
		t.Errorf("first step is not the vendor's: %q", f.Steps[0].Text)
	}
}

func TestLocalizeKeepsParams(t *testing.T) {
	h := Hit{ID: "smtp.mail.send_as_denied", Evidence: []string{"550 5.7.60 x"}, Params: map[string]string{"user": "scan@contoso.com", "sender": "boss@contoso.com"}}
	en := FindingFor(h, Options{Lang: "en"})
	de := Localize(en, Options{Lang: "de"})
	if !strings.Contains(de.Title, "boss@contoso.com") || !strings.Contains(de.Title, "scan@contoso.com") {
		t.Errorf("params lost: %q", de.Title)
	}
	if de.Title == en.Title || !reflect.DeepEqual(de.Evidence, en.Evidence) {
		t.Errorf("not localized or evidence changed: %+v", de)
	}
	back := Localize(de, Options{Lang: "en"})
	if !reflect.DeepEqual(back, en) {
		t.Errorf("round trip differs:\n%+v\n%+v", back, en)
	}
	// A stand-in word stays a stand-in in the new language.
	plain := FindingFor(Hit{ID: "smtp.mail.send_as_denied"}, Options{Lang: "en"})
	fr := Localize(plain, Options{Lang: "fr"})
	if !strings.Contains(fr.Title, Label("fr", "placeholder.user")) {
		t.Errorf("stand-in not localized: %q", fr.Title)
	}
}

func FuzzExplain(f *testing.F) {
	for _, c := range exchangeReplies {
		f.Add(c.reply + trailer)
	}
	f.Add("535")
	f.Add("AADSTS700082")
	f.Add("invalid_grant")
	f.Add("Ungültig")
	f.Add("5.7.57 x Error: 535 5.7.139 y\n250-a\n250 b")
	f.Fuzz(func(t *testing.T, in string) {
		a := Explain(in, Options{Lang: "de", Vendor: "sharp"})
		b := Explain(in, Options{Lang: "de", Vendor: "sharp"})
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("not deterministic for %q", in)
		}
		for _, f := range a {
			if f.ID == "" || f.Title == "" {
				t.Fatalf("empty finding for %q: %+v", in, f)
			}
		}
	})
}

func FuzzMatch(f *testing.F) {
	f.Add(535, "5.7.139", "Authentication unsuccessful, account locked."+trailer)
	f.Add(0, "", "")
	f.Add(554, "5.2.0", "STOREDRV.Submission.Exception:SendAsDeniedException")
	f.Fuzz(func(t *testing.T, code int, enh, text string) {
		m, ok := MatchQuery(Query{Code: code, Enhanced: enh, Text: text})
		if ok && cat().byID[m.ID] == nil {
			t.Fatalf("match %q is not an entry", m.ID)
		}
		if ok && slices.Contains(m.Alternatives, m.ID) {
			t.Fatalf("%s lists itself as alternative", m.ID)
		}
		_, _ = unwrapLine(text)
	})
}

// TestExplainOtherInputs covers the non-SMTP inputs; the entries are the
// token/device/Entra catalogue files'.
func TestExplainOtherInputs(t *testing.T) {
	cases := map[string]string{
		"AADSTS700082":      "entra.aadsts.700082",
		"700082":            "entra.aadsts.700082",
		"invalid_grant":     "oauth.invalid_grant",
		"Ungültig":          "device.state.invalid",
		"Invalid":           "device.state.invalid",
		"Signed out":        "device.state.signed_out",
		"361":               "device.epson.361",
		"(Authentifiziert)": "device.state.authenticated",
		`{"error":"invalid_grant","error_description":"AADSTS700082: The refresh token has expired due to inactivity."}`: "entra.aadsts.700082",
	}
	for in, want := range cases {
		if got := firstID(t, in); got != want {
			t.Errorf("%q: got %s, want %s", in, got, want)
		}
	}
}
