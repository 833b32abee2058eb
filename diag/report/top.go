package report

// TopFinding is the finding to act on first: the first error or warning
// (the diagnosis sorts findings worst first). ok is false when there is
// nothing to do, only information.
func TopFinding(fs []Finding) (Finding, bool) {
	for _, f := range fs {
		if f.Severity == SeverityError || f.Severity == SeverityWarning {
			return f, true
		}
	}
	return Finding{}, false
}
