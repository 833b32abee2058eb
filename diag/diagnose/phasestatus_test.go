package diagnose

import (
	"strings"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// TestJudgePhases: the probe records a TLS session's version, the
// certificate's days left and what became of QUIT; the diagnosis alone
// turns them into a phase's warning, the same way on a second run.
func TestJudgePhases(t *testing.T) {
	ok := func(n report.PhaseName) report.Phase { return report.Phase{Name: n, Status: report.StatusOK} }
	tlsPh := ok(report.PhaseTLS)
	tlsPh.Note = "TLS 1.1, X"
	quit := ok(report.PhaseQuit)
	quit.ErrorKind, quit.Error = report.KindTimeout, "read: i/o timeout"
	r := &report.Report{
		Phases: []report.Phase{ok(report.PhaseEHLO), tlsPh, ok(report.PhaseEHLOTLS), ok(report.PhaseAuth), quit},
		TLS:    &report.TLSInfo{Version: "TLS 1.1", Chain: []report.CertInfo{{DaysLeft: 12}}},
		POP3: &report.POP3Report{
			Phases: []report.Phase{ok(report.PhasePOP3TLS), ok(report.PhasePOP3Auth)},
			TLS:    &report.TLSInfo{Version: "TLS 1.3", Chain: []report.CertInfo{{DaysLeft: 200}}},
		},
	}
	for range 2 {
		judgePhases(r)
	}
	want := map[report.PhaseName]report.Status{
		report.PhaseEHLO: report.StatusOK, report.PhaseTLS: report.StatusWarn, report.PhaseEHLOTLS: report.StatusWarn,
		report.PhaseAuth: report.StatusOK, report.PhaseQuit: report.StatusWarn,
	}
	for _, ph := range r.Phases {
		if ph.Status != want[ph.Name] {
			t.Errorf("%s = %s, want %s", ph.Name, ph.Status, want[ph.Name])
		}
	}
	if n := strings.Count(r.Phases[1].Note, "certificate expires in 12 days"); n != 1 {
		t.Errorf("tls note %q: expiry said %d times", r.Phases[1].Note, n)
	}
	if q := r.Phases[4]; q.ErrorKind != "" || q.Error != "" || !strings.Contains(q.Note, "no answer to QUIT") {
		t.Errorf("quit %+v", q)
	}
	for _, ph := range r.POP3.Phases {
		if ph.Status != report.StatusOK {
			t.Errorf("pop3 %s = %s on TLS 1.3 with 200 days", ph.Name, ph.Status)
		}
	}

	// After a failed step: the hang-up is expected, a warning without an
	// error kind. Any other trouble with QUIT keeps its error.
	failed := &report.Report{Phases: []report.Phase{{Name: report.PhaseAuth, Status: report.StatusFail}, quit}}
	judgePhases(failed)
	if q := failed.Phases[1]; q.Status != report.StatusWarn || q.ErrorKind != "" || q.Note != "the server had already ended the session" {
		t.Errorf("quit after failure %+v", q)
	}
	reset := quit
	reset.ErrorKind, reset.Error = report.KindReset, "connection reset"
	other := &report.Report{Phases: []report.Phase{ok(report.PhaseAuth), reset}}
	judgePhases(other)
	if q := other.Phases[1]; q.Status != report.StatusWarn || q.ErrorKind != report.KindReset || q.Error == "" {
		t.Errorf("quit reset %+v", q)
	}
	// A certificate whose check failed (checks off) says nothing of its
	// days here: the probe's note already names the failed check.
	off := &report.Report{Phases: []report.Phase{ok(report.PhaseTLS)}, TLS: &report.TLSInfo{Version: "TLS 1.2", VerifyError: "x509: unknown authority", Chain: []report.CertInfo{{DaysLeft: 3}}}}
	judgePhases(off)
	if ph := off.Phases[0]; ph.Status != report.StatusOK || ph.Note != "" {
		t.Errorf("checks off %+v", ph)
	}
}
