package tui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// fakeEngine is a scripted engine. With gate set, Check waits for a value on
// gate before each progress event, so a test decides when each phase exists.
type fakeEngine struct {
	gate      chan struct{}
	loginGate chan struct{}
	// tenant, when set, is the report's tenant object (--tenant-check).
	tenant *report.TenantInfo
	// identity, when set, is what the device said about itself, with
	// its finding (identityFinding) when that is not "").
	identity        *report.DeviceIdentity
	identityFinding string

	mu     sync.Mutex
	sheets []string
	checks int
}

// fakePhases is the script: each phase is sent running, then finished.
func fakePhases() []report.Phase {
	ok := func(name report.PhaseName, code int, text string) report.Phase {
		return report.Phase{Name: name, Status: report.StatusOK, Duration: report.Duration(12 * time.Millisecond),
			Reply: &report.Reply{Code: code, Text: text}}
	}
	return []report.Phase{
		{Name: report.PhaseDNS, Status: report.StatusOK, Duration: report.Duration(3 * time.Millisecond), Note: "40.99.10.34"},
		{Name: report.PhaseConnect, Status: report.StatusOK, Duration: report.Duration(21 * time.Millisecond)},
		ok(report.PhaseBanner, 220, "BN0PR04CA0000.outlook.office365.com Microsoft ESMTP MAIL Service ready"),
		ok(report.PhaseEHLO, 250, "BN0PR04CA0000.outlook.office365.com Hello"),
		ok(report.PhaseStartTLS, 220, "2.0.0 SMTP server ready"),
		{Name: report.PhaseTLS, Status: report.StatusOK, Duration: report.Duration(40 * time.Millisecond), Note: "TLS 1.2"},
		ok(report.PhaseEHLOTLS, 250, "BN0PR04CA0000.outlook.office365.com Hello"),
		{Name: report.PhaseAuth, Status: report.StatusFail, Duration: report.Duration(130 * time.Millisecond),
			Reply: &report.Reply{Code: 535, Enhanced: "5.7.139", Text: "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.",
				Trailer: &report.Trailer{Raw: "[BN0PR04CA0000.namprd04.prod.outlook.com 2026-01-12T10:00:00.000Z 08DC1234567890AB]"}}},
		ok(report.PhaseQuit, 221, "2.0.0 Service closing transmission channel"),
	}
}

// fakeTitles is the fake catalogue: finding id → title per language.
var fakeTitles = map[string]map[string]string{
	"smtp_auth_disabled": {
		"en": "SMTP AUTH is disabled for the tenant",
		"de": "SMTP AUTH ist für den Mandanten deaktiviert",
		"fr": "SMTP AUTH est désactivé pour le locataire",
	},
	"device.identity.model_differs": {
		"en": "The printer at this address is not the model the profile names",
		"de": "Der Drucker unter dieser Adresse ist nicht das Modell aus dem Profil",
		"fr": "L'imprimante à cette adresse n'est pas le modèle indiqué par le profil",
	},
	"explained_reply": {
		"en": "Decoded: client SMTP submission off",
		"de": "Gedeutet: SMTP-Übermittlung aus",
		"fr": "Décodé : soumission SMTP désactivée",
	},
}

func fakeFinding(id, lang string) report.Finding {
	return report.Finding{
		ID:       id,
		Severity: report.SeverityError,
		Side:     "tenant",
		Title:    fakeTitles[id][lang],
		Cause:    "cause-" + lang + ": Exchange Online refuses SMTP AUTH for this tenant or mailbox, so the device cannot log in even with the right password or token.",
		Steps: []report.Step{
			{Text: "step-one-" + lang + ": open the Microsoft 365 admin center and select the sender mailbox."},
			{Text: "step-two-" + lang + ": turn on Authenticated SMTP.", Command: "Set-CASMailbox -Identity scanner@contoso.com -SmtpClientAuthenticationDisabled $false"},
		},
		Evidence: []string{"535 5.7.139 Authentication unsuccessful"},
		Phase:    report.PhaseAuth,
	}
}

func (e *fakeEngine) wait(ctx context.Context) bool {
	if e.gate == nil {
		return true
	}
	select {
	case <-e.gate:
		return true
	case <-ctx.Done():
		return false
	}
}

func (e *fakeEngine) check(ctx context.Context, d Device, progress chan<- report.Phase) *report.Report {
	e.mu.Lock()
	e.checks++
	e.mu.Unlock()
	r := &report.Report{
		Schema:    report.Schema,
		Generated: time.Date(2026, 1, 12, 10, 0, 0, 0, time.UTC),
		Lang:      "en",
		Device:    &report.Device{Name: d.Name, Vendor: d.Vendor},
	}
	var start time.Duration
	for _, p := range fakePhases() {
		if !e.wait(ctx) {
			r.Interrupted = true
			break
		}
		progress <- report.Phase{Name: p.Name, Status: report.StatusRunning, Started: report.Duration(start)}
		if !e.wait(ctx) {
			r.Interrupted = true
			break
		}
		p.Started = report.Duration(start)
		start += p.Duration.D()
		progress <- p
		r.Phases = append(r.Phases, p)
	}
	r.Transcript = []report.TranscriptLine{
		{At: report.Duration(25 * time.Millisecond), Service: "smtp", Dir: "<", Text: "220 BN0PR04CA0000.outlook.office365.com Microsoft ESMTP MAIL Service ready"},
		{At: report.Duration(26 * time.Millisecond), Service: "smtp", Dir: ">", Text: "EHLO mfpcheck.local"},
		{At: report.Duration(80 * time.Millisecond), Service: "smtp", Dir: "*", Text: "TLS handshake done (TLS 1.2)"},
		{At: report.Duration(90 * time.Millisecond), Service: "smtp", Dir: ">", Text: "AUTH XOAUTH2 [redacted sha256:1a2b3c4d]"},
		{At: report.Duration(220 * time.Millisecond), Service: "smtp", Dir: "<", Text: "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."},
	}
	r.Token = &report.TokenInfo{
		Source: "file token.json", Format: "oauth2-json", State: "obtained",
		Fingerprint: "sha256:1a2b3c4d… len 1432", User: "scanner@contoso.com",
		ExpiresAt: time.Date(2026, 1, 12, 11, 0, 0, 0, time.UTC), AccessMinutesLeft: 42,
		HasRefreshToken: true, HasRefreshDaysLeft: true, RefreshDaysLeft: 87,
	}
	r.Findings = []report.Finding{fakeFinding("smtp_auth_disabled", "en")}
	r.Tenant = e.tenant
	r.DeviceIdentity = e.identity
	if e.identityFinding != "" {
		f := fakeFinding(e.identityFinding, "en")
		f.Severity, f.Side = report.SeverityWarning, "device"
		r.Findings = append(r.Findings, f)
	}
	r.Verdict = report.VerdictFail
	r.Duration = report.Duration(start)
	return r
}

func (e *fakeEngine) explain(input, lang, vendor string) []report.Finding {
	if strings.Contains(input, "5.7.139") {
		return []report.Finding{fakeFinding("explained_reply", lang)}
	}
	return nil
}

func (e *fakeEngine) localize(f report.Finding, lang, vendor string) report.Finding {
	return fakeFinding(f.ID, lang)
}

func (e *fakeEngine) sheet(dir string, r *report.Report, lang string) (string, error) {
	path := filepath.Join(dir, "mfpcheck-sheet-"+strings.ToLower(strings.ReplaceAll(r.Device.Name, " ", "-"))+"-"+r.Generated.Format("2006-01-02")+".pdf")
	e.mu.Lock()
	e.sheets = append(e.sheets, path)
	e.mu.Unlock()
	return path, os.WriteFile(path, []byte("%PDF-1.4 fake "+lang+"\n"), 0o644)
}

func (e *fakeEngine) login(ctx context.Context, d Device, show func(DeviceCode)) error {
	show(DeviceCode{UserCode: "FJ3KD8LMN", VerificationURI: "https://microsoft.com/devicelogin"})
	if e.loginGate != nil {
		select {
		case <-e.loginGate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (e *fakeEngine) engine() Engine {
	return Engine{Check: e.check, Explain: e.explain, Localize: e.localize, Sheet: e.sheet, Login: e.login}
}
