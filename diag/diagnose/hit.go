package diagnose

import (
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// Hit is one catalogue entry found to apply, before its texts are filled in.
type Hit struct {
	ID       string
	Phase    report.PhaseName
	Evidence []string
	// Params fill the {name} placeholders in the entry's texts.
	Params map[string]string
	// Alternatives are other entry ids that fit the same evidence, most
	// likely first.
	Alternatives []string
}
