package check

import (
	"context"

	"github.com/mfpcheck/mfpcheck/diag"
)

// runPOP3 runs the POP3 probe with the same roots, redactor and transcript
// as the SMTP probe.
func runPOP3(ctx context.Context, cfg Config, red *diag.Redactor, tr *diag.Transcript) *diag.POP3Report {
	// The POP3 probe (diag.ProbePOP3) is being built; until it lands the
	// POP3 side is reported as configured but not probed.
	return &diag.POP3Report{
		Target: diag.Target{Host: cfg.POP3.Host, Port: cfg.POP3.Port, Security: cfg.POP3.Security, AuthMethod: cfg.POP3.AuthMethod, User: cfg.POP3.User},
		Phases: []diag.Phase{},
	}
}
