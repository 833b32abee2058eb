package sheet

import (
	"fmt"

	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// The sheet is a few pages for a customer, whatever report it is given: a
// report read back with --from may hold anything. bounded keeps the first
// rows of each long list and says, in the list itself, how many were left
// out; text longer than maxCellText is cut with a mark.
const (
	maxPhaseRows      = 40
	maxTranscriptRows = 300
	maxFindings       = 60
	maxListItems      = 40 // POP3 phases, steps, evidence, SANs, addresses …
	maxCellText       = 4096
)

// bounded returns r itself when it is within the sheet's budget, else a
// copy cut down to it.
func bounded(r *report.Report) *report.Report {
	if withinBudget(r) {
		return r
	}
	c := *r
	c.Phases = boundPhases(r.Phases)
	if r.POP3 != nil {
		p := *r.POP3
		p.Phases = boundPhases(p.Phases)
		c.POP3 = &p
	}
	if n := len(r.Transcript); n > maxTranscriptRows {
		c.Transcript = append(append([]report.TranscriptLine(nil), r.Transcript[:maxTranscriptRows]...),
			report.TranscriptLine{Dir: "*", Text: fmt.Sprintf("… %d more lines not printed (see the JSON report)", n-maxTranscriptRows)})
	}
	if n := len(r.Findings); n > maxFindings {
		c.Findings = append(append([]report.Finding(nil), r.Findings[:maxFindings]...),
			report.Finding{ID: "sheet.cut", Severity: report.SeverityInfo, Title: fmt.Sprintf("… %d more findings not printed (see the JSON report)", n-maxFindings)})
	}
	redact.Bound(&c, maxListItems, maxCellText)
	return &c
}

func boundPhases(ph []report.Phase) []report.Phase {
	if len(ph) <= maxPhaseRows {
		return ph
	}
	return append(append([]report.Phase(nil), ph[:maxPhaseRows]...),
		report.Phase{Name: "…", Status: report.StatusSkipped, Note: fmt.Sprintf("%d more phases not printed (see the JSON report)", len(ph)-maxPhaseRows)})
}

func withinBudget(r *report.Report) bool {
	if len(r.Phases) > maxPhaseRows || len(r.Transcript) > maxTranscriptRows || len(r.Findings) > maxFindings ||
		(r.POP3 != nil && len(r.POP3.Phases) > maxPhaseRows) {
		return false
	}
	return redact.Within(r, maxListItems, maxCellText, maxTranscriptRows)
}
