package diagnose

import (
	"strings"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

func TestEntryIDsOfTheReader(t *testing.T) {
	if cat().byID[entraUnknownID] == nil {
		t.Fatalf("%s is not a catalogue entry", entraUnknownID)
	}
}

// TestTransientRepliesAreWarnings holds the catalogue to issue 11's rule
// that a 4xx reply reads as transient: every SMTP entry whose reply codes
// and enhanced codes are all temporary is a warning, except where waiting
// demonstrably does not help (named here with the reason).
func TestTransientRepliesAreWarnings(t *testing.T) {
	persistent := map[string]string{
		"smtp.tls.legacy_rejected": "a TLS 1.0/1.1 device fails the same way on every retry",
		"smtp.mail.logon_failure":  "an app-only token without mailbox rights fails on every retry",
	}
	for _, e := range cat().entries {
		m := e.Match
		if m == nil || (m.Protocol != "" && m.Protocol != "smtp") || (len(m.Codes) == 0 && len(m.Enhanced) == 0) {
			continue
		}
		temporary := true
		for _, c := range m.Codes {
			temporary = temporary && c/100 == 4
		}
		for _, enh := range m.Enhanced {
			temporary = temporary && strings.HasPrefix(enh, "4.")
		}
		if !temporary {
			continue
		}
		if _, ok := persistent[e.ID]; ok {
			continue
		}
		if e.Severity != report.SeverityWarning {
			t.Errorf("%s reads a 4xx reply but is %s, not a warning", e.ID, e.Severity)
		}
		if e.Text["en"] == nil || e.Text["en"].Delay == "" {
			t.Errorf("%s reads a 4xx reply but does not say when to try again (delay)", e.ID)
		}
	}
}

// TestCodeInference: a reply read without its reply code gets the code of
// the entry its enhanced code and text point to, never one from another
// reply that shares the enhanced code.
func TestCodeInference(t *testing.T) {
	cases := map[string]string{
		"5.7.3 Authentication unsuccessful":       "535 5.7.3",
		"5.7.3 STARTTLS is required to send mail": "451 5.7.3",
		"The server response was: 5.7.60 SMTP; Client does not have permissions to send as this sender": "550 5.7.60",
	}
	for in, want := range cases {
		hits := explainHits(in)
		if len(hits) == 0 || hits[0].Params["code"] != want {
			t.Errorf("%q: %+v, want code %s", in, hits, want)
		}
	}
}
