package diagnose

import (
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

func pop3Report(auth report.AuthMethod, phases ...report.Phase) *report.Report {
	return &report.Report{
		Generated: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC),
		Target:    report.Target{Host: "smtp.office365.com", Port: 587, Security: "starttls", AuthMethod: "none"},
		POP3: &report.POP3Report{
			Target: report.Target{Host: "outlook.office365.com", Port: 110, Security: "starttls", AuthMethod: auth},
			Phases: phases,
		},
	}
}

func findingIDs(r *report.Report) map[string]bool {
	ids := map[string]bool{}
	for _, f := range r.Findings {
		ids[f.ID] = true
	}
	return ids
}

func TestPOP3Rules(t *testing.T) {
	cases := []struct {
		name string
		r    *report.Report
		want string
		not  string
	}{
		{"unknown -ERR gets the generic reading",
			pop3Report("oauth2", report.Phase{Name: report.PhasePOP3Auth, Status: report.StatusFail, ErrorKind: report.KindReply,
				Reply: &report.Reply{POP3: "-ERR", Text: "Mailbox on fire"}}),
			idPOP3Generic, ""},
		{"known -ERR keeps its own entry",
			pop3Report("oauth2", report.Phase{Name: report.PhasePOP3Auth, Status: report.StatusFail, ErrorKind: report.KindReply,
				Reply: &report.Reply{POP3: "-ERR", Text: "Authentication failure: unknown user name or bad password."}}),
			"pop3.auth_failure", idPOP3Generic},
		{"STLS missing is worded for POP3",
			pop3Report("oauth2", report.Phase{Name: report.PhasePOP3STLS, Status: report.StatusFail, ErrorKind: report.KindNotOffered, Error: "server does not offer STLS"}),
			idPOP3STLSMissing, idNoStartTLS},
		{"XOAUTH2 missing from CAPA",
			pop3Report("oauth2",
				report.Phase{Name: report.PhasePOP3CAPA, Status: report.StatusOK, Capabilities: []string{"TOP", "UIDL", "SASL PLAIN"}},
				report.Phase{Name: report.PhasePOP3Auth, Status: report.StatusFail, ErrorKind: report.KindNotOffered, Error: "no XOAUTH2"}),
			idPOP3NoXOAUTH2, idAuthNotOffered},
		{"basic POP3 to Exchange Online",
			pop3Report("basic", report.Phase{Name: report.PhasePOP3Auth, Status: report.StatusOK}),
			idPOP3BasicDisabled, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			Diagnose(c.r, nil, Options{Lang: "de"})
			ids := findingIDs(c.r)
			if !ids[c.want] {
				t.Fatalf("findings %v, want %s", ids, c.want)
			}
			if c.not != "" && ids[c.not] {
				t.Fatalf("findings %v also hold %s", ids, c.not)
			}
			for _, f := range c.r.Findings {
				if f.Title == "" || len(f.Steps) == 0 {
					t.Errorf("finding %s has no German text", f.ID)
				}
			}
		})
	}
}
