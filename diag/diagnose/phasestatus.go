package diagnose

import (
	"crypto/tls"
	"fmt"
	"strings"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// The lines drawn on a TLS session: one home for the phases' status
// (judgePhases) and the findings (tls.legacy_version, tls.cert_expiring).
const (
	// minTLSVersion: below it (TLS 1.0, 1.1) Microsoft retired the
	// protocol, and a session is a warning.
	minTLSVersion uint16 = tls.VersionTLS12
	// certWarnDays: a server certificate with fewer days left is a
	// warning; a month leaves time to act before devices stop sending.
	certWarnDays = 30
)

// legacyTLS reports whether version ("TLS 1.1", as TLSInfo.Version holds
// it) is below minTLSVersion. An unknown name is not judged.
func legacyTLS(version string) bool {
	v, ok := report.TLSVersionByName(version)
	return ok && v < minTLSVersion
}

// judgePhases rates what the probes recorded as facts: a session below
// TLS 1.2, a certificate with fewer than certWarnDays left, and a QUIT
// that went wrong leave their phase a warning. It reads only what the
// report holds (the days left as the probe counted them), so it gives a
// saved report the same statuses again, and changes nothing it has
// already judged.
func judgePhases(r *report.Report) {
	judgeTLS(r.Phases, report.PhaseTLS, report.PhaseEHLOTLS, r.TLS)
	judgeQuit(r.Phases)
	if r.POP3 != nil {
		judgeTLS(r.POP3.Phases, report.PhasePOP3TLS, "", r.POP3.TLS)
	}
}

// judgeTLS warns on the TLS handshake phase (and the greeting on the
// encrypted session, after) when the session used TLS below 1.2, and on
// the handshake when the verified certificate is close to its end.
func judgeTLS(phases []report.Phase, hs, after report.PhaseName, t *report.TLSInfo) {
	if t == nil {
		return
	}
	legacy := legacyTLS(t.Version)
	for i := range phases {
		ph := &phases[i]
		if ph.Status != report.StatusOK && ph.Status != report.StatusWarn {
			continue
		}
		switch ph.Name {
		case hs:
			if t.VerifyError == "" && len(t.Chain) > 0 && t.Chain[0].DaysLeft < certWarnDays {
				warn(ph)
				note := fmt.Sprintf("; certificate expires in %d days", t.Chain[0].DaysLeft)
				if !strings.HasSuffix(ph.Note, note) {
					ph.Note += note
				}
			}
			if legacy {
				warn(ph)
			}
		case after:
			if legacy {
				warn(ph)
			}
		}
	}
}

// judgeQuit rates a QUIT the probe recorded with an error: always a
// warning, never a failure, since the device's work was done. After a
// failed step the server may well have hung up already; with every step
// passed, no answer at all costs the device nothing (no error kind, so no
// network finding reads it as one). Any other trouble keeps its error.
func judgeQuit(phases []report.Phase) {
	q := -1
	failed := false
	for i, ph := range phases {
		switch {
		case ph.Name == report.PhaseQuit:
			q = i
		case ph.Status == report.StatusFail:
			failed = true
		}
	}
	if q < 0 || phases[q].Status != report.StatusOK || phases[q].ErrorKind == "" {
		return
	}
	ph := &phases[q]
	ph.Status = report.StatusWarn
	switch {
	case failed:
		ph.ErrorKind, ph.Error = "", ""
		ph.Note = "the server had already ended the session"
	case ph.ErrorKind == report.KindTimeout:
		ph.ErrorKind, ph.Error = "", ""
		ph.Note = "no answer to QUIT after every step passed; harmless, the session was finished"
	}
}

// warn sets a phase's status to warn, writing only when it changes (a
// report diagnosed again may be shared with a reader).
func warn(ph *report.Phase) {
	if ph.Status != report.StatusWarn {
		ph.Status = report.StatusWarn
	}
}
