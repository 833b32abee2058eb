// Package diagnose turns evidence (a probe report, a device profile, a reply
// line, a device code, an Entra error) into findings with causes and
// numbered remediation steps in English, German and French.
//
// All knowledge lives in one catalogue of embedded data files
// (catalogue/*.yaml, format in catalogue/README.md); the Go code only
// matches and fills in. The rules (rules_*.go) decide which entry applies;
// they never carry text of their own.
//
// "A wrong diagnosis is worse than none": where the evidence fits several
// entries, one finding is made and the others are listed as Alternatives,
// most likely first.
package diagnose

import (
	"sort"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// Options select the language and the vendor whose menu names the steps use.
type Options struct {
	Lang   string // en | de | fr; anything else is en
	Vendor string // epson | ricoh | nashuatec | sharp | "" (generic)
}

// Diagnose fills r.Findings (worst first, deterministic order), r.Verdict
// and r.Lang from the report and the profile (which may be nil: then the
// device rules are skipped). The report's own time (r.Generated) is "now"
// for certificate and token ages, so a saved report diagnoses the same way
// again. A report with r.Error set keeps VerdictError.
func Diagnose(r *report.Report, p *profile.Profile, opts Options) {
	if r == nil {
		return
	}
	now := r.Generated
	if now.IsZero() {
		now = time.Now()
	}
	var tokenHits []Hit
	if r.ErrorID == "" {
		// A check stopped by its input has no token facts to read.
		tokenHits = tokenRules(r, p, now)
	}
	diagnose(r, p, opts, now, tokenHits)
}

// diagnose is Diagnose with the clock and the token rules' hits given.
func diagnose(r *report.Report, p *profile.Profile, opts Options, now time.Time, tokenHits []Hit) {
	judgePhases(r)
	if opts.Vendor == "" && p != nil {
		opts.Vendor = p.Device.Vendor
	}
	if opts.Vendor == "" && r.Device != nil {
		opts.Vendor = r.Device.Vendor
	}
	c := newCtx(r, p, now)
	var hits []Hit
	hits = append(hits, errorHits(c)...)
	hits = append(hits, phaseHits(c)...)
	hits = pop3Hits(c, hits)
	hits = append(hits, tlsHits(c)...)
	hits = append(hits, capabilityHits(c)...)
	if p != nil {
		hits = append(hits, deviceHits(c)...)
	}
	hits = otherServerHits(c, hits)
	hits = mergeHits(hits)
	hits, tokenHits = resolveAuthRejected(c, hits, tokenHits)
	hits = mergeHits(append(hits, tokenHits...))
	hits = absorbTenant(append(hits, tenantHits(r)...))
	hits = append(hits, identityHits(r)...)
	hits = absorb(hits)

	findings := make([]report.Finding, 0, len(hits))
	for _, h := range hits {
		findings = append(findings, FindingFor(h, opts))
	}
	otherServerSteps(c, findings)
	// Worst first; within a severity, causes before the device states that
	// only show their effect ("Token state: Invalid" follows the wrong
	// audience that made it invalid).
	sort.SliceStable(findings, func(i, j int) bool {
		si, sj := sevRank(findings[i].Severity), sevRank(findings[j].Severity)
		if si != sj {
			return si > sj
		}
		return !isSymptom(findings[i].ID) && isSymptom(findings[j].ID)
	})
	r.Findings = findings
	r.Lang = NormLang(opts.Lang)
	r.Verdict = Verdict(r)
}

// Verdict is the one place a report's verdict is decided: the worst of its
// findings (an error finding fails, a warning warns) and of its phases (the
// verdict never reads better than the wire: a failed phase is a failure
// even if no catalogue entry explains it); error when the check could not
// run (r.Error). Whoever adds findings to a report calls it again.
func Verdict(r *report.Report) report.Verdict {
	v := r.PhasesVerdict()
	for _, f := range r.Findings {
		switch f.Severity {
		case report.SeverityError:
			v = report.Worse(v, report.VerdictFail)
		case report.SeverityWarning:
			v = report.Worse(v, report.VerdictWarning)
		}
	}
	if r.Error != "" || couldNotTest(r.Findings) {
		v = report.VerdictError
	}
	return v
}

// isSymptom reports whether an entry describes what a device shows rather
// than why (the catalogue's "symptom" field).
func isSymptom(id string) bool {
	e := cat().byID[id]
	return e != nil && e.Symptom
}

func sevRank(s report.Severity) int {
	switch s {
	case report.SeverityError:
		return 2
	case report.SeverityWarning:
		return 1
	}
	return 0
}

// severityOf is the catalogue severity of an id.
func severityOf(id string) report.Severity {
	if e := cat().byID[id]; e != nil {
		return e.Severity
	}
	return report.SeverityInfo
}

// absorb drops the hits whose catalogue entry another hit's entry absorbs
// (its "absorbs" field), keeping their evidence on the absorbing hit.
func absorb(hits []Hit) []Hit {
	idx := map[string]int{}
	for i, h := range hits {
		idx[h.ID] = i
	}
	drop := map[int]bool{}
	for k, h := range hits {
		e := cat().byID[h.ID]
		if e == nil || drop[k] {
			continue
		}
		for _, id := range e.Absorbs {
			d, ok := idx[id]
			if !ok || drop[d] || d == k {
				continue
			}
			for _, ev := range hits[d].Evidence {
				if !containsExact(hits[k].Evidence, ev) {
					hits[k].Evidence = append(hits[k].Evidence, ev)
				}
			}
			drop[d] = true
		}
	}
	out := hits[:0:0]
	for i, h := range hits {
		if !drop[i] {
			out = append(out, h)
		}
	}
	return out
}
