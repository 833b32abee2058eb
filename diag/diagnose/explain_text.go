package diagnose

import (
	"strings"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// ExplainText is what "mfpcheck explain" makes of its input: the finding
// a catalogue id names (as a report or an alert quotes it), or else what
// Explain reads in the text. Nil when nothing could be read.
func ExplainText(input string, opts Options) []report.Finding {
	if f, ok := ExplainID(strings.TrimSpace(input), opts); ok {
		return []report.Finding{f}
	}
	return Explain(input, opts)
}

// KnownVendor reports whether v is a vendor name a user may give: one
// NormVendor knows, "other" (as a profile says it: no maker's menu steps),
// or empty (none given).
func KnownVendor(v string) bool {
	return v == "" || NormVendor(v) != "" || strings.EqualFold(v, "other")
}
