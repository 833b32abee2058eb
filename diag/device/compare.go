package device

import "github.com/mfpcheck/mfpcheck/diag/diagnose"

// Compare holds what the printer reports against what a profile claims
// (device.model, device.firmware) and returns a hit for each that differs
// (catalogue devicecheck.yaml). The rule is the diagnosis's
// (diagnose.IdentityHits), so "mfpcheck device --profile" and a check that
// read the identity beside its probes decide alike.
func Compare(id *Identity, model, firmware string) []diagnose.Hit {
	return diagnose.IdentityHits(id, model, firmware)
}
