package diagnose

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

var now = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

func baseReport() *report.Report {
	return &report.Report{
		Generated: now,
		Target:    report.Target{Host: "smtp.office365.com", Port: 587, Security: "starttls", VerifyCert: true, User: "scan@contoso.com", Sender: "scan@contoso.com", AuthMethod: "oauth2"},
		Phases: []report.Phase{
			{Name: report.PhaseEHLO, Status: report.StatusOK, Capabilities: []string{"SIZE 157286400", "STARTTLS", "SMTPUTF8"}},
			{Name: report.PhaseEHLOTLS, Status: report.StatusOK, Capabilities: []string{"SIZE 157286400", "AUTH LOGIN XOAUTH2", "SMTPUTF8"}},
		},
	}
}

func ids(fs []report.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.ID)
	}
	return out
}

func find(fs []report.Finding, id string) (report.Finding, bool) {
	for _, f := range fs {
		if f.ID == id {
			return f, true
		}
	}
	return report.Finding{}, false
}

func authFail(r *report.Report, line string) {
	rep, ok := report.ParseReplyLines(line)
	if !ok {
		panic("bad test reply " + line)
	}
	r.Phases = append(r.Phases, report.Phase{Name: report.PhaseAuth, Status: report.StatusFail, Reply: rep, ErrorKind: report.KindReply})
}

func TestDiagnoseAuthReply(t *testing.T) {
	r := baseReport()
	authFail(r, "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information."+trailer)
	diagnose(r, nil, Options{Lang: "de"}, now, nil)
	f, ok := find(r.Findings, "smtp.auth.mailbox_disabled")
	if !ok {
		t.Fatalf("findings %v", ids(r.Findings))
	}
	if r.Verdict != report.VerdictFail || r.Lang != "de" || f.Phase != report.PhaseAuth {
		t.Errorf("verdict %s lang %s phase %s", r.Verdict, r.Lang, f.Phase)
	}
	if !strings.Contains(f.Evidence[0], "[AM0PR02CA0001") || !strings.Contains(f.Title, "Scan-Postfach") {
		t.Errorf("evidence %q title %q", f.Evidence, f.Title)
	}
	if !strings.Contains(f.Steps[1].Command, "scan@contoso.com") {
		t.Errorf("user not filled: %q", f.Steps[1].Command)
	}
}

func TestDiagnose5_7_3(t *testing.T) {
	line := "535 5.7.3 Authentication unsuccessful" + trailer
	// No token facts: one finding, read for the OAuth sign-in the target
	// uses, with the token causes as alternatives.
	r := baseReport()
	authFail(r, line)
	diagnose(r, nil, Options{}, now, nil)
	f, ok := find(r.Findings, "smtp.auth.rejected_oauth")
	if !ok || !slices.Contains(f.Alternatives, "token.audience") || !slices.Contains(f.Alternatives, "token.expired") {
		t.Fatalf("no-token reading: %v %+v", ids(r.Findings), f.Alternatives)
	}
	// A Graph token: the audience is the cause, the reply its evidence.
	r = baseReport()
	authFail(r, line)
	r.Token = &report.TokenInfo{JWT: true, Audience: "https://graph.microsoft.com", Scopes: []string{"SMTP.Send"}, User: "scan@contoso.com", ExpiresAt: now.Add(time.Hour)}
	diagnose(r, nil, Options{}, now, nil)
	f, ok = find(r.Findings, "token.audience")
	if !ok || len(r.Findings) != 1 {
		t.Fatalf("graph token: %v", ids(r.Findings))
	}
	if !slices.Contains(f.Evidence, line) || !strings.Contains(f.Title, "graph.microsoft.com") {
		t.Errorf("evidence %q title %q", f.Evidence, f.Title)
	}
	// The token rules' own finding wins and takes the reply as evidence.
	r = baseReport()
	authFail(r, line)
	diagnose(r, nil, Options{}, now, []Hit{{ID: "token.expired", Evidence: []string{"exp: yesterday"}}})
	if got := ids(r.Findings); !slices.Equal(got, []string{"token.expired"}) {
		t.Fatalf("token hit: %v", got)
	}
	if !slices.Contains(r.Findings[0].Evidence, line) {
		t.Errorf("reply not kept as evidence: %q", r.Findings[0].Evidence)
	}
	// A basic-auth device: it is the password.
	r = baseReport()
	r.Target.AuthMethod = "basic"
	authFail(r, line)
	diagnose(r, nil, Options{}, now, nil)
	if _, ok := find(r.Findings, "auth.bad_password"); !ok {
		t.Fatalf("basic: %v", ids(r.Findings))
	}
	if _, ok := find(r.Findings, "auth.basic_in_use"); !ok {
		t.Errorf("basic device without the retirement warning: %v", ids(r.Findings))
	}
}

func TestDiagnoseCertificates(t *testing.T) {
	r := baseReport()
	r.Phases = append(r.Phases, report.Phase{Name: report.PhaseTLS, Status: report.StatusFail, ErrorKind: report.KindCertExpired, Error: "x509: certificate has expired"})
	r.TLS = &report.TLSInfo{Version: "TLS 1.2", Chain: []report.CertInfo{{Subject: "CN=smtp.office365.com", NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(0, 0, -3)}}}
	diagnose(r, nil, Options{}, now, nil)
	if got := ids(r.Findings); !slices.Equal(got, []string{"tls.cert_expired"}) {
		t.Fatalf("expired: %v", got)
	}
	if r.Verdict != report.VerdictFail {
		t.Errorf("verdict %s", r.Verdict)
	}
	r = baseReport()
	r.Options.InsecureTLS = true
	r.TLS = &report.TLSInfo{Version: "TLS 1.2", Chain: []report.CertInfo{{Subject: "CN=relay", NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(0, 0, 10), KeyType: "RSA 1024"}}}
	diagnose(r, nil, Options{}, now, nil)
	got := ids(r.Findings)
	for _, want := range []string{"tls.verify_off", "tls.cert_expiring", "tls.cert_weak_key"} {
		if !slices.Contains(got, want) {
			t.Errorf("missing %s in %v", want, got)
		}
	}
	if f, _ := find(r.Findings, "tls.cert_expiring"); !strings.Contains(f.Title, "10") {
		t.Errorf("days not filled: %q", f.Title)
	}
	if r.Verdict != report.VerdictWarning {
		t.Errorf("verdict %s, want warning", r.Verdict)
	}
}

func TestDiagnoseProfileRules(t *testing.T) {
	yes := false
	p := &profile.Profile{
		Device:       profile.ProfileDevice{Name: "mfp", Vendor: "ricoh"},
		Email:        profile.ProfileEmail{AuthMethod: "oauth2", Service: "exchange-online", Sender: "boss@contoso.com", Admin: "it@contoso.com"},
		SMTP:         profile.ProfileSMTP{Server: "smtp.office365.com", Port: 465, Security: "tls", User: "scan@contoso.com"},
		Capabilities: profile.ProfileCapabilities{OAuth2: &yes},
	}
	r := baseReport()
	diagnose(r, p, Options{Lang: "fr"}, now, nil)
	got := ids(r.Findings)
	for _, want := range []string{"device.sender_mismatch", "device.admin_mismatch", "device.oauth_port", "device.oauth_starttls", "device.firmware_no_oauth"} {
		if !slices.Contains(got, want) {
			t.Errorf("missing %s in %v", want, got)
		}
	}
	f, _ := find(r.Findings, "device.sender_mismatch")
	if !strings.Contains(f.Title, "boss@contoso.com") || !strings.Contains(f.Steps[0].Text, "Web Image Monitor") {
		t.Errorf("sender mismatch not filled or no Ricoh steps: %q / %q", f.Title, f.Steps[0].Text)
	}
	// Errors sort before warnings.
	for i := 1; i < len(r.Findings); i++ {
		if sevRank(r.Findings[i].Severity) > sevRank(r.Findings[i-1].Severity) {
			t.Errorf("not sorted: %v", got)
		}
	}
	// SendAsDenied after DATA absorbs the profile's mismatch warning.
	r = baseReport()
	rep, _ := report.ParseReplyLines("554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Cannot submit message." + trailer)
	r.Phases = append(r.Phases, report.Phase{Name: report.PhaseData, Status: report.StatusFail, Reply: rep, ErrorKind: report.KindReply})
	p.SMTP.Port, p.SMTP.Security, p.Capabilities.OAuth2 = 587, "starttls", nil
	p.Device.Vendor = "sharp"
	diagnose(r, p, Options{}, now, nil)
	if got := ids(r.Findings); !slices.Equal(got, []string{"smtp.data.send_as_denied"}) {
		t.Fatalf("send-as: %v", got)
	}
	if ev := r.Findings[0].Evidence; !slices.Contains(ev, "email.sender: boss@contoso.com") {
		t.Errorf("profile evidence not merged: %q", ev)
	}
}

func TestDiagnoseMechanisms(t *testing.T) {
	r := baseReport()
	r.Options.Mechanisms = []string{"PLAIN"}
	rep, _ := report.ParseReplyLines("504 5.7.4 Unrecognized authentication type" + trailer)
	r.Phases = append(r.Phases, report.Phase{Name: report.PhaseAuth, Status: report.StatusFail, Reply: rep, ErrorKind: report.KindReply})
	diagnose(r, nil, Options{}, now, nil)
	if got := ids(r.Findings); !slices.Equal(got, []string{"auth.no_common_mechanism"}) {
		t.Fatalf("%v", got)
	}
	f := r.Findings[0]
	if !strings.Contains(f.Cause, "LOGIN XOAUTH2") || !strings.Contains(f.Cause, "PLAIN") {
		t.Errorf("mechanisms not filled: %q", f.Cause)
	}
}

func TestDiagnoseLocalKinds(t *testing.T) {
	cases := []struct {
		phase    report.PhaseName
		kind     report.ErrorKind
		security report.Security
		want     string
	}{
		{report.PhaseConnect, report.KindRefused, "starttls", "net.refused"},
		{report.PhaseConnect, report.KindTimeout, "starttls", "net.timeout"},
		{report.PhaseBanner, report.KindTimeout, "starttls", "smtp.no_banner"},
		{report.PhaseDNS, report.KindDNS, "starttls", "net.dns_failed"},
		{report.PhaseTLS, report.KindNotTLS, "tls", "tls.implicit_on_starttls_port"},
		{report.PhaseBanner, report.KindTLSOnPlain, "starttls", "tls.starttls_on_implicit_port"},
		{report.PhaseStartTLS, report.KindNotOffered, "starttls", "tls.no_starttls"},
		{report.PhaseAuth, report.KindNotOffered, "starttls", "auth.not_offered"},
		{report.PhaseBanner, report.KindTooLong, "starttls", "smtp.too_long"},
	}
	for _, c := range cases {
		r := &report.Report{Generated: now, Target: report.Target{Host: "smtp.office365.com", Port: 587, Security: c.security, VerifyCert: true, AuthMethod: "oauth2"},
			Phases: []report.Phase{{Name: c.phase, Status: report.StatusFail, ErrorKind: c.kind, Error: "boom"}}}
		diagnose(r, nil, Options{}, now, nil)
		if got := ids(r.Findings); !slices.Contains(got, c.want) {
			t.Errorf("%s/%s: %v, want %s", c.phase, c.kind, got, c.want)
		}
	}
	// A report that could not run keeps its error verdict.
	r := &report.Report{Generated: now, Error: "profile: bad", Target: report.Target{Security: "starttls", VerifyCert: true}}
	Diagnose(r, nil, Options{})
	if r.Verdict != report.VerdictError {
		t.Errorf("verdict %s", r.Verdict)
	}
	// A clean report is ok with no findings.
	r = baseReport()
	diagnose(r, nil, Options{}, now, nil)
	if r.Verdict != report.VerdictOK || len(r.Findings) != 0 || r.Findings == nil {
		t.Errorf("clean: %s %v", r.Verdict, ids(r.Findings))
	}
}
