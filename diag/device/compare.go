package device

import (
	"github.com/mfpcheck/mfpcheck/diag/diagnose"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// Compare holds what the printer reports against what a profile claims
// (device.model, device.firmware) and returns a hit for each that differs
// (catalogue devicecheck.yaml). The rule is the diagnosis's
// (diagnose.IdentityHits), so "mfpcheck device --profile" and a check that
// read the identity beside its probes decide alike.
func Compare(id *Identity, model, firmware string) []diagnose.Hit {
	return diagnose.IdentityHits(id, model, firmware)
}

// Check is "mfpcheck device"'s judgement: Compare's hits as findings in
// opts' language and vendor (never nil, so JSON prints []), and the
// verdict they make.
func Check(id *Identity, model, firmware string, opts diagnose.Options) ([]report.Finding, report.Verdict) {
	findings := []report.Finding{}
	for _, h := range Compare(id, model, firmware) {
		findings = append(findings, diagnose.FindingFor(h, opts))
	}
	return findings, diagnose.Verdict(&report.Report{Findings: findings})
}
