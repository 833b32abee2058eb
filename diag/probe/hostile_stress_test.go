package probe_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/diag/report"
	hsrv "github.com/mfpcheck/mfpcheck/fixtures/testkit/hostile"
)

// Verdicts under stress: one thing goes wrong, and the report must read it
// as what it is.

func hsProbe(srv *hsrv.Server, pki *hsrv.PKI) probe.Config {
	return probe.Config{
		Session: probe.Session{
			Host: srv.Host(), Port: srv.Port(), Security: "starttls",
			VerifyCert: true, Roots: pki.Pool(), RootsName: "hostile test CA",
			AuthMethod: "oauth2", User: hsUser, Token: hsToken, TokenSource: "test",
			Timeout: hsTimeout, PhaseTimeout: hsPhaseTimeout,
		},
	}
}

// noSMTPWording: a finding about a POP3 phase or the TLS handshake never
// says the answer "did not follow SMTP".
func noSMTPWording(t *testing.T, r *report.Report, phases ...report.PhaseName) {
	t.Helper()
	for _, f := range r.Findings {
		for _, ph := range phases {
			if f.Phase == ph && (strings.Contains(f.Title, "SMTP") || strings.Contains(f.Cause, "follow SMTP")) {
				t.Errorf("finding %s for %s speaks of SMTP: %s / %s", f.ID, ph, f.Title, f.Cause)
			}
		}
	}
}

// TestQuitUnansweredAfterSuccess: QUIT without an answer, after every
// earlier phase passed, is a warning, not a failure.
func TestQuitUnansweredAfterSuccess(t *testing.T) {
	pki, tlsCfg := hsGoodTLS(t)
	srv, err := hsrv.SilentQuit(tlsCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	r := check.Run(context.Background(), check.Config{Probe: hsProbe(srv, pki), Lang: "en"})
	q, _ := r.Phase(report.PhaseQuit)
	if q.Status != report.StatusWarn {
		t.Errorf("quit = %+v, want warn", q)
	}
	if first, ok := r.FailedPhase(); ok {
		t.Errorf("phase %s failed: %s", first.Name, first.Error)
	}
	if r.Verdict != report.VerdictWarning {
		t.Errorf("verdict %s, want warning\n%s", r.Verdict, hsPhases(r))
	}
	for _, f := range r.Findings {
		if f.Severity == report.SeverityError {
			t.Errorf("error finding %s (%s) for an unanswered QUIT", f.ID, f.Title)
		}
	}
	hsClean(t, r)
}

// TestCutReplyLine: a greeting cut by the deadline is no greeting, for
// SMTP and POP3 alike, and the POP3 finding does not speak of SMTP.
func TestCutReplyLine(t *testing.T) {
	pki, tlsCfg := hsGoodTLS(t)
	cut, err := hsrv.CutBanner()
	if err != nil {
		t.Fatal(err)
	}
	defer cut.Close()
	r := check.Run(context.Background(), check.Config{Probe: hsProbe(cut, pki), Lang: "en"})
	if b, _ := r.Phase(report.PhaseBanner); b.Status != report.StatusFail || b.ErrorKind != report.KindTimeout {
		t.Errorf("banner = %+v, want a timeout", b)
	}

	smtpSrv, err := hsrv.STARTTLS(tlsCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer smtpSrv.Close()
	pop, err := hsrv.POP3CutGreeting()
	if err != nil {
		t.Fatal(err)
	}
	defer pop.Close()
	r = check.Run(context.Background(), check.Config{Probe: hsProbe(smtpSrv, pki), Lang: "en",
		POP3: &probe.POP3Config{
			Session: probe.Session{Host: pop.Host(), Port: pop.Port(), Security: "starttls", VerifyCert: true,
				Roots: pki.Pool(), AuthMethod: "oauth2", User: hsUser, Token: hsToken, TokenSource: "test",
				Timeout: hsTimeout, PhaseTimeout: hsPhaseTimeout,
			},
		}})
	b, _ := r.Phase(report.PhasePOP3Banner)
	if b.Status != report.StatusFail || b.ErrorKind != report.KindTimeout {
		t.Errorf("pop3_banner = %+v, want a timeout: a cut +OK line is no greeting", b)
	}
	noSMTPWording(t, r, report.PhasePOP3Banner)
	hsClean(t, r)
}

// TestChainTooLong: a certificate message larger than a TLS client takes
// is a TLS finding, not a protocol one.
func TestChainTooLong(t *testing.T) {
	pki, tlsCfg := hsGoodTLS(t)
	srv, err := hsrv.LongChain(tlsCfg, pki.CA.Raw)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	r := check.Run(context.Background(), check.Config{Probe: hsProbe(srv, pki), Lang: "en"})
	ph, _ := r.Phase(report.PhaseTLS)
	if ph.Status != report.StatusFail || ph.ErrorKind != report.KindTLSHandshake {
		t.Errorf("tls = %+v, want a TLS handshake failure", ph)
	}
	for _, f := range r.Findings {
		if f.Phase == report.PhaseTLS && f.Severity == report.SeverityError && !strings.HasPrefix(f.ID, "tls.") && !strings.HasPrefix(f.ID, "net.tls") {
			t.Errorf("finding %s (%s) for an unusable chain is not a TLS finding", f.ID, f.Title)
		}
	}
	noSMTPWording(t, r, report.PhaseTLS)
	hsClean(t, r)
}

// TestExtraLinesWithBanner: lines a server sends with its greeting are not
// taken for the EHLO answer (which would skip STARTTLS here).
func TestExtraLinesWithBanner(t *testing.T) {
	pki, tlsCfg := hsGoodTLS(t)
	srv, err := hsrv.ExtraAfterBanner(tlsCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	r := check.Run(context.Background(), check.Config{Probe: hsProbe(srv, pki), Lang: "en"})
	e, _ := r.Phase(report.PhaseEHLO)
	if e.Reply == nil || strings.Contains(e.Reply.Text, "fake") {
		t.Errorf("ehlo answer is the banner's extra lines: %+v", e.Reply)
	}
	if tl, _ := r.Phase(report.PhaseTLS); tl.Status != report.StatusOK {
		t.Errorf("tls = %+v: STARTTLS was skipped", tl)
	}
	if b, _ := r.Phase(report.PhaseBanner); b.Status != report.StatusWarn || !strings.Contains(b.Note, "after its greeting") {
		t.Errorf("banner = %+v, want a warning naming the extra lines", b)
	}
	hsClean(t, r)
	_ = time.Second
}
