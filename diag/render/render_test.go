package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

func sampleReport() *report.Report {
	return &report.Report{
		Schema: report.Schema, Lang: "de",
		Device:  &report.Device{Name: "Empfang", Model: "WF-C879R", Vendor: "epson"},
		Target:  report.Target{Host: "smtp.office365.com", Port: 587, Security: "starttls", AuthMethod: "oauth2", User: "scanner@contoso.com"},
		Options: report.Options{InsecureTLS: true},
		Phases: []report.Phase{
			{Name: report.PhaseConnect, Status: report.StatusOK, Duration: report.Duration(3 * time.Millisecond)},
			{Name: report.PhaseAuth, Status: report.StatusFail, Started: report.Duration(3 * time.Millisecond), Duration: report.Duration(40 * time.Millisecond),
				ErrorKind: report.KindReply,
				Reply:     report.ParseReply(535, "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. [AM0PR02CA0001.eurprd02.prod.outlook.com 2026-11-20T08:12:33.456Z 08DD1234ABCD5678]")},
			{Name: report.PhaseMailFrom, Status: report.StatusSkipped, Note: "auth failed"},
		},
		Findings: []report.Finding{{
			ID: "smtp.auth.mailbox_disabled", Severity: report.SeverityError, Side: "tenant", Title: "SMTP AUTH ist für das Postfach aus",
			Cause: "Ursache …", Where: []string{"m365_admin"},
			Steps: []report.Step{{Text: "Mail-Apps verwalten öffnen"}, {Text: "Per PowerShell", Command: "Set-CASMailbox -Identity scanner@contoso.com -SmtpClientAuthenticationDisabled $false"}},
		}},
		Verdict: report.VerdictFail,
	}
}

func TestTextShowsPhasesVerdictAndNumberedSteps(t *testing.T) {
	var b bytes.Buffer
	if err := Text(&b, sampleReport(), TextOptions{Lang: "de"}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"Empfang (WF-C879R)",
		"Zertifikatsprüfung ist für diese Prüfung AUS",
		"auth", "FEHLER", "535 5.7.139 Authentication unsuccessful",
		"[AM0PR02CA0001.eurprd02.prod.outlook.com 2026-11-20T08:12:33.456Z 08DD1234ABCD5678]",
		"übersprungen", "auth fehlgeschlagen",
		"1. Mail-Apps verwalten öffnen", "2. Per PowerShell",
		"Set-CASMailbox -Identity scanner@contoso.com",
		"Microsoft 365 Admin Center",
		"Zuständig: der Mandant (Microsoft 365 / Entra) bzw. der Mail-Dienst",
		"Ergebnis: FEHLER",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("colour codes without Color")
	}
	var c bytes.Buffer
	Text(&c, sampleReport(), TextOptions{Lang: "de", Color: true})
	if !strings.Contains(c.String(), "\x1b[") {
		t.Errorf("no colour codes with Color")
	}
}

func TestJSONRoundTrips(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	var back report.Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Phases[1].Reply.Trailer.Session != "08DD1234ABCD5678" || back.Phases[1].Duration != report.Duration(40*time.Millisecond) {
		t.Fatalf("round trip lost data: %+v", back.Phases[1])
	}
	if !strings.Contains(b.String(), `"duration_ms": 40.000`) {
		t.Errorf("durations are not milliseconds: %s", b.String())
	}
}

func TestTimingBarStaysInWidth(t *testing.T) {
	for _, c := range []struct{ start, d, total time.Duration }{
		{0, 0, 0}, {0, 1, 1000}, {999, 1, 1000}, {0, 1000, 1000}, {500, 900, 1000},
	} {
		if n := len([]rune(timingBar(c.start, c.d, c.total))); n > barWidth {
			t.Errorf("bar %v is %d wide", c, n)
		}
	}
}
