// Package diagnose turns evidence (a probe report, a device profile, a reply
// line, a device code, an Entra error) into findings with causes and
// numbered remediation steps in English, German and French.
//
// All knowledge lives in one catalogue of embedded data files
// (catalogue/*.yaml); the Go code only matches and fills in.
package diagnose

import "github.com/mfpcheck/mfpcheck/diag"

// Options select the language and the vendor whose menu names the steps use.
type Options struct {
	Lang   string // en | de | fr
	Vendor string // epson | ricoh | sharp | "" (generic)
}

// Diagnose fills r.Findings and r.Verdict from the report and the profile
// (which may be nil).
func Diagnose(r *diag.Report, p *diag.Profile, opts Options) {
	panic("diagnose: not built yet")
}

// Explain decodes free input: a reply line, a transcript, a device code
// (360), a token state ("Invalid"), an AADSTS code or an OAuth error string.
func Explain(input string, opts Options) []diag.Finding {
	panic("diagnose: not built yet")
}

// Localize returns f with its texts in another language/vendor, looked up by
// f.ID; evidence and parameters are kept.
func Localize(f diag.Finding, opts Options) diag.Finding {
	panic("diagnose: not built yet")
}
