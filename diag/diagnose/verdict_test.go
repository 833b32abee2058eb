package diagnose

import (
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// TestVerdictAgreesWithSeverity: a probe whose AUTH met a transient 4xx
// reply is a warning, not a failure, once the finding explains it as
// transient; a permanent refusal is a failure; a failed phase that no
// finding explains stays a failure (issue 11 section 3).
func TestVerdictAgreesWithSeverity(t *testing.T) {
	cases := []struct {
		name  string
		phase report.Phase
		want  report.Verdict
	}{
		{"transient", report.Phase{Name: report.PhaseAuth, Status: report.StatusFail, Reply: &report.Reply{Code: 421, Enhanced: "4.3.2", Text: "Service not available, closing transmission channel"}}, report.VerdictWarning},
		{"permanent", report.Phase{Name: report.PhaseAuth, Status: report.StatusFail, Reply: &report.Reply{Code: 535, Enhanced: "5.7.139", Text: "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox."}}, report.VerdictFail},
		{"unexplained", report.Phase{Name: report.PhaseAuth, Status: report.StatusFail}, report.VerdictFail},
	}
	for _, c := range cases {
		r := &report.Report{Generated: time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC), Phases: []report.Phase{c.phase}}
		Diagnose(r, nil, Options{})
		got := report.Worse(r.Verdict, r.PhasesVerdict())
		if got != c.want {
			var ids []string
			for _, f := range r.Findings {
				ids = append(ids, f.ID+"/"+string(f.Severity))
			}
			t.Errorf("%s: verdict %s, want %s (findings %v)", c.name, got, c.want, ids)
		}
	}
}
