package diagnose

import (
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// Entries (catalogue/local.yaml) for a check that could not test: this
// computer offline or without DNS, or mfpcheck's own input wrong.
const (
	idOffline = "local.offline"
	idNoDNS   = "local.no_dns"
	idBudget  = "input.timeout_spent"
	// idInterrupted is a step the user stopped (Ctrl-C, SIGTERM): not
	// finished, so it blames no one.
	idInterrupted = "input.interrupted"
	// IDTokenFileMissing and IDNoPassword explain a check that could not
	// start (Report.ErrorID).
	IDTokenFileMissing = "input.token_file_missing"
	IDNoPassword       = "input.no_password"
)

// errorHits explains a check that could not run: r.ErrorID names the
// catalogue entry for r.Error (a token file that does not exist, a
// password that was not given, mfpcheck's own time limit).
func errorHits(c *ctx) []Hit {
	if c.r.Error == "" || c.r.ErrorID == "" {
		return nil
	}
	return []Hit{{ID: c.r.ErrorID, Evidence: []string{c.r.Error}, Params: c.with()}}
}

// couldNotTest reports whether the run could not test the device: a
// finding says this computer or mfpcheck's input is at fault, and no
// finding shows a real fault of the device, the tenant or the network.
// Such a run says nothing about the device, so its verdict is "error"
// (exit 3), never "fail".
func couldNotTest(findings []report.Finding) bool {
	local, real := false, false
	for _, f := range findings {
		if f.Severity != report.SeverityError {
			continue
		}
		switch f.Side {
		case "local", "input":
			local = true
		default:
			real = true
		}
	}
	return local && !real
}
