package diagnose

import (
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// ExplainID renders the catalogue entry id as a finding, with neutral
// stand-in words for its parameters. It serves "mfpcheck explain ID" for the
// ids that reports, metric labels (mfpcheck_finding{id=...}) and the shipped
// alert rules name. ok is false for an id the catalogue does not have.
func ExplainID(id string, opts Options) (f report.Finding, ok bool) {
	if cat().byID[id] == nil {
		return report.Finding{}, false
	}
	return FindingFor(Hit{ID: id}, opts), true
}
