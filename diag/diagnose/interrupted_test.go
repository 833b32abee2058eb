package diagnose

import (
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// A step the user stopped (Ctrl-C, SIGTERM) blames no one: the run could
// not test (verdict error, exit 3), never a server that "closed the
// connection" or did not answer. A real refusal before the stop still
// fails the run.
func TestInterruptedStepBlamesNoOne(t *testing.T) {
	stopped := report.Phase{Name: report.PhaseBanner, Status: report.StatusFail, ErrorKind: report.KindCanceled,
		Error: "read tcp 127.0.0.1:4242: use of closed network connection"}
	r := &report.Report{
		Target:      report.Target{Host: "smtp.office365.com", Port: 587, Security: "starttls", VerifyCert: true},
		Interrupted: true,
		Phases: []report.Phase{
			{Name: report.PhaseDNS, Status: report.StatusOK},
			{Name: report.PhaseConnect, Status: report.StatusOK},
			stopped,
		},
	}
	Diagnose(r, nil, Options{})
	if len(r.Findings) != 1 || r.Findings[0].ID != idInterrupted || r.Findings[0].Side != "input" {
		t.Fatalf("findings %+v, want only %s", r.Findings, idInterrupted)
	}
	if r.Verdict != report.VerdictError {
		t.Errorf("verdict %s, want error (could not test)", r.Verdict)
	}

	auth := report.Phase{Name: report.PhaseAuth, Status: report.StatusFail, ErrorKind: report.KindReply,
		Reply: &report.Reply{Code: 535, Enhanced: "5.7.139", Text: "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox."}}
	quit := stopped
	quit.Name = report.PhaseQuit
	r = &report.Report{
		Target:      report.Target{Host: "smtp.office365.com", Port: 587, Security: "starttls", VerifyCert: true},
		Interrupted: true,
		Phases:      []report.Phase{{Name: report.PhaseConnect, Status: report.StatusOK}, auth, quit},
	}
	Diagnose(r, nil, Options{})
	if r.Verdict != report.VerdictFail {
		t.Errorf("a 535 before the stop: verdict %s, want fail", r.Verdict)
	}
	if findFinding(r, "smtp.auth.mailbox_disabled") == nil {
		t.Errorf("the 535's finding is lost: %+v", r.Findings)
	}
}

func findFinding(r *report.Report, id string) *report.Finding {
	for i := range r.Findings {
		if r.Findings[i].ID == id {
			return &r.Findings[i]
		}
	}
	return nil
}
