package sheet

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// Fake secrets: the sheet must show their fingerprints and never them, in
// any form.
const (
	fakeAccessToken  = "eyJ0eXAiOiJKV1QiLCJub25jZSI6IkZBS0UtU0VDUkVULUFDQ0VTUy1UT0tFTiJ9.eyJhdWQiOiJodHRwczovL291dGxvb2sub2ZmaWNlLmNvbSJ9.ZmFrZS1zaWduYXR1cmUtZG8tbm90LXByaW50"
	fakeRefreshToken = "0.AQ8AFAKE-REFRESH-TOKEN-NEVER-PRINT-ME-5cc2c3e9b1a0d4f8"
)

var fixedGenerated = time.Date(2026, 3, 2, 9, 14, 3, 0, time.UTC)

func dur(ms float64) report.Duration { return report.Duration(ms * float64(time.Millisecond)) }

const authTrailer = "[BN9PR03CA0101.namprd03.prod.outlook.com 2026-03-02T09:14:04.123Z 08DE5A1B2C3D4E5F]"

// findingTexts are a catalogue entry's texts as the diagnosis would have
// put them into a report in each language.
type findingTexts struct{ title, cause, step1, step3, step4, delay string }

var authDisabled = map[string]findingTexts{
	"en": {
		title: "SMTP AUTH is turned off for the whole tenant",
		cause: "Exchange Online refuses SMTP AUTH (client submission) for every mailbox of this tenant, so the device cannot sign in even with a valid token.",
		step1: "Open the Exchange admin center > Settings > Mail flow and clear \"Turn off SMTP AUTH protocol for your organization\".",
		step3: "Or allow it only for the device's mailbox:",
		step4: "Wait up to an hour, then print this sheet again from the device.",
		delay: "up to 1 hour",
	},
	"de": {
		title: "SMTP AUTH ist für den gesamten Mandanten ausgeschaltet",
		cause: "Exchange Online lehnt SMTP AUTH für alle Postfächer dieses Mandanten ab; das Gerät kann sich auch mit gültigem Token nicht anmelden. Zertifikatsprüfung und Verbindung sind in Ordnung.",
		step1: "Im Exchange Admin Center > Einstellungen > Nachrichtenfluss das Häkchen bei „SMTP AUTH-Protokoll für Ihre Organisation deaktivieren“ entfernen.",
		step3: "Oder nur für das Postfach des Geräts erlauben:",
		step4: "Bis zu einer Stunde warten, dann die Prüfung wiederholen. Größere Mandanten brauchen länger.",
		delay: "bis zu 1 Stunde",
	},
	"fr": {
		title: "SMTP AUTH est désactivé pour tout le locataire",
		cause: "Exchange Online refuse SMTP AUTH pour toutes les boîtes aux lettres de ce locataire : l'appareil ne peut pas s'authentifier, même avec un jeton valide. « Connexion sécurisée » et certificat sont corrects.",
		step1: "Dans le centre d'administration Exchange > Paramètres > Flux de courrier, décochez « Désactiver le protocole SMTP AUTH pour votre organisation ».",
		step3: "Ou l'autoriser seulement pour la boîte aux lettres de l'appareil :",
		step4: "Attendez jusqu'à une heure, puis relancez la vérification. Ça peut être plus long.",
		delay: "jusqu'à 1 heure",
	},
}

// baseReport is a realistic Epson device checked against Exchange Online,
// with every section filled; the auth phase is left to the callers.
func baseReport(lang string) *report.Report {
	tr := []string{
		"< 220 BN9PR03CA0101.outlook.office365.com Microsoft ESMTP MAIL Service ready at Mon, 2 Mar 2026 09:14:03 +0000 [08DE5A1B2C3D4E5F]",
		"> EHLO mfpcheck.local",
		"< 250-BN9PR03CA0101.outlook.office365.com Hello [203.0.113.7]",
		"< 250-SIZE 157286400",
		"< 250-PIPELINING",
		"< 250-STARTTLS",
		"< 250 SMTPUTF8",
		"> STARTTLS",
		"< 220 2.0.0 SMTP server ready",
		"* TLS 1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
		"> EHLO mfpcheck.local",
		"< 250-AUTH LOGIN XOAUTH2",
		"< 250 SMTPUTF8",
	}
	red := &redact.Redactor{}
	red.Add(fakeAccessToken)
	red.Add(fakeRefreshToken)
	r := &report.Report{
		Schema:    report.Schema,
		Tool:      report.Tool{Name: "mfpcheck", Version: "0.1.0"},
		Generated: fixedGenerated,
		Host:      "techlaptop-07",
		Lang:      lang,
		Device: &report.Device{
			Name: "Empfang 2. OG (Kopierraum)", Vendor: "epson", Model: "WF-C879R", Address: "192.168.10.45",
			Firmware: "19.45.RA23N4", Network: "standard", AuthMethod: "oauth2", EmailService: "exchange-online",
			Sender: "scanner@contoso.com", Admin: "it-admin@contoso.com", ProfileFile: "devices/empfang.yaml",
		},
		Target: report.Target{Host: "smtp.office365.com", Port: 587, Security: "starttls", VerifyCert: true,
			User: "scanner@contoso.com", Sender: "scanner@contoso.com", AuthMethod: "oauth2", Mechanism: "XOAUTH2"},
		Options: report.Options{AsDevice: true, Greeting: "ehlo", MaxTLS: "1.2", Mechanisms: []string{"LOGIN", "XOAUTH2"},
			Envelope: true, Timeout: dur(60000), PhaseTimeout: dur(15000)},
		DNS: &report.DNSInfo{Host: "smtp.office365.com",
			Addresses: []string{"52.97.146.2", "52.97.179.162", "40.99.150.34", "2603:1026:c0b:10::2"}, Used: "52.97.146.2:587"},
		TLS: &report.TLSInfo{
			Version: "TLS 1.2", Cipher: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", ServerName: "smtp.office365.com",
			Verified: true, HostMatch: true, Roots: "system",
			Chain: []report.CertInfo{
				{Subject: "CN=outlook.com, O=Microsoft Corporation, L=Redmond, ST=Washington, C=US",
					Issuer:    "CN=DigiCert Cloud Services CA-1, O=DigiCert Inc, C=US",
					SANs:      []string{"*.clo.footprintdns.com", "*.nrb.footprintdns.com", "*.office365.com", "*.outlook.com", "smtp.office365.com", "outlook.office365.com", "attachments.office.net"},
					NotBefore: time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2026, 11, 19, 23, 59, 59, 0, time.UTC),
					DaysLeft: 262, KeyType: "RSA 2048"},
				{Subject: "CN=DigiCert Cloud Services CA-1, O=DigiCert Inc, C=US",
					Issuer:    "CN=DigiCert Global Root CA, OU=www.digicert.com, O=DigiCert Inc, C=US",
					NotBefore: time.Date(2020, 9, 25, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2030, 9, 24, 23, 59, 59, 0, time.UTC),
					DaysLeft: 1667, KeyType: "RSA 2048"},
			},
		},
		Auth: &report.AuthInfo{Mechanism: "XOAUTH2", Offered: []string{"LOGIN", "XOAUTH2"}, User: "scanner@contoso.com",
			SecretSource: "file tokens/empfang.json", SecretFingerprint: redact.Fingerprint(fakeAccessToken)},
		Token: &report.TokenInfo{
			Source: "tokens/empfang.json", Format: "oauth2-json", Fingerprint: redact.Fingerprint(fakeAccessToken), JWT: true,
			Audience: "https://outlook.office.com", Scopes: []string{"SMTP.Send", "POP.AccessAsUser.All"},
			User: "scanner@contoso.com", Tenant: "9188040d-6c67-4c5b-b112-36a304b66dad",
			AppID: "4e2b1c3d-aaaa-4bbb-8ccc-0123456789ab", AppName: "Epson Device Admin", Version: "2.0",
			IssuedAt: fixedGenerated.Add(-13 * time.Minute), ExpiresAt: fixedGenerated.Add(47 * time.Minute),
			State: "obtained", SignedIn: true, HasRefreshToken: true, RefreshFingerprint: redact.Fingerprint(fakeRefreshToken),
			RefreshExpiresAt: fixedGenerated.Add(85 * 24 * time.Hour), AccessMinutesLeft: 47, RefreshDaysLeft: 85,
			HasRefreshDaysLeft: true, FileMode: "0600",
		},
		Network: &report.NetworkInfo{
			Hostname: "techlaptop-07",
			Interfaces: []report.InterfaceInfo{
				{Name: "eth0", Addresses: []string{"192.168.10.23/24", "fe80::1c2b:3aff:fe4d:5e6f/64"}, MAC: "3c:52:82:1a:2b:3c", Up: true},
				{Name: "wlan0", Addresses: []string{}, MAC: "a4:c3:f0:11:22:33", Up: false},
			},
			Gateway:    "192.168.10.1",
			DNSServers: []string{"192.168.10.1", "1.1.1.1"},
			Lookups: []report.HostCheck{
				{Role: "smtp", Host: "smtp.office365.com", Port: 587, Addresses: []string{"52.97.146.2", "52.97.179.162", "40.99.150.34"}, Reachable: true, Connect: dur(23.4)},
				{Role: "pop3", Host: "outlook.office365.com", Port: 995, Addresses: []string{"52.97.211.66", "40.101.12.34"}, Reachable: true, Connect: dur(21.9)},
				{Role: "signin", Host: "login.microsoftonline.com", Port: 443, Addresses: []string{"20.190.159.0", "40.126.31.67"}, Reachable: true, Connect: dur(18.2)},
			},
		},
		Duration: dur(1412.5),
	}
	r.Phases = []report.Phase{
		{Name: report.PhaseDNS, Status: report.StatusOK, Started: 0, Duration: dur(12.3)},
		{Name: report.PhaseConnect, Status: report.StatusOK, Started: dur(12.3), Duration: dur(23.1)},
		{Name: report.PhaseBanner, Status: report.StatusOK, Started: dur(35.4), Duration: dur(88.0),
			Reply: report.ParseReply(220, "BN9PR03CA0101.outlook.office365.com Microsoft ESMTP MAIL Service ready at Mon, 2 Mar 2026 09:14:03 +0000 [08DE5A1B2C3D4E5F]")},
		{Name: report.PhaseEHLO, Status: report.StatusOK, Started: dur(123.4), Duration: dur(24.9),
			Reply:        report.ParseReply(250, "BN9PR03CA0101.outlook.office365.com Hello [203.0.113.7]"),
			Capabilities: []string{"SIZE 157286400", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES", "STARTTLS", "8BITMIME", "BINARYMIME", "CHUNKING", "SMTPUTF8"}},
		{Name: report.PhaseStartTLS, Status: report.StatusOK, Started: dur(148.3), Duration: dur(22.0),
			Reply: report.ParseReply(220, "2.0.0 SMTP server ready")},
		{Name: report.PhaseTLS, Status: report.StatusOK, Started: dur(170.3), Duration: dur(61.7)},
		{Name: report.PhaseEHLOTLS, Status: report.StatusOK, Started: dur(232.0), Duration: dur(25.2),
			Reply:        report.ParseReply(250, "BN9PR03CA0101.outlook.office365.com Hello [203.0.113.7]"),
			Capabilities: []string{"SIZE 157286400", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES", "AUTH LOGIN XOAUTH2", "8BITMIME", "BINARYMIME", "CHUNKING", "SMTPUTF8"}},
	}
	r.POP3 = &report.POP3Report{
		Target: report.Target{Host: "outlook.office365.com", Port: 995, Security: "tls", VerifyCert: true, User: "scanner@contoso.com", AuthMethod: "oauth2"},
		Phases: []report.Phase{
			{Name: report.PhasePOP3DNS, Status: report.StatusOK, Duration: dur(9.8)},
			{Name: report.PhasePOP3Connect, Status: report.StatusOK, Started: dur(9.8), Duration: dur(21.9)},
			{Name: report.PhasePOP3TLS, Status: report.StatusOK, Started: dur(31.7), Duration: dur(58.3)},
			{Name: report.PhasePOP3Banner, Status: report.StatusOK, Started: dur(90.0), Duration: dur(40.2),
				Reply: pop3Reply("+OK", "The Microsoft Exchange POP3 service is ready. [QgBOADkAUABSADAAMwBDAEEAMAAxADAAMQAuAG4AYQBtAHAAcgBkADAAMwAuAHAAcgBvAGQALgBvAHUAdABsAG8AbwBrAC4AYwBvAG0A]")},
			{Name: report.PhasePOP3CAPA, Status: report.StatusOK, Started: dur(130.2), Duration: dur(20.1),
				Reply: pop3Reply("+OK", ""), Capabilities: []string{"TOP", "UIDL", "SASL PLAIN XOAUTH2", "USER"}},
			{Name: report.PhasePOP3Auth, Status: report.StatusOK, Started: dur(150.3), Duration: dur(310.4),
				Reply: pop3Reply("+OK", "User successfully authenticated.")},
			{Name: report.PhasePOP3Quit, Status: report.StatusOK, Started: dur(460.7), Duration: dur(19.0),
				Reply: pop3Reply("+OK", "Microsoft Exchange Server POP3 server signing off.")},
		},
	}
	at := 0.0
	for _, l := range tr {
		at += 11.7
		r.Transcript = append(r.Transcript, report.TranscriptLine{At: dur(at), Service: "smtp", Dir: l[:1], Text: l[2:]})
	}
	// What the transcript writer records for the AUTH line: the token,
	// and its base64 form, replaced at the source.
	xoauth := base64.StdEncoding.EncodeToString([]byte(fakeAccessToken))
	r.Transcript = append(r.Transcript, report.TranscriptLine{At: dur(at + 5), Service: "smtp", Dir: ">",
		Text: red.Redact("AUTH XOAUTH2 " + xoauth)})
	return r
}

func pop3Reply(status, text string) *report.Reply {
	t, trailer := report.SplitTrailer(text)
	return &report.Reply{POP3: status, Text: t, Trailer: trailer}
}

// okReport: everything works.
func okReport(lang string) *report.Report {
	r := baseReport(lang)
	r.Phases = append(r.Phases,
		report.Phase{Name: report.PhaseAuth, Status: report.StatusOK, Started: dur(257.2), Duration: dur(402.6),
			Reply: report.ParseReply(235, "2.7.0 Authentication successful")},
		report.Phase{Name: report.PhaseMailFrom, Status: report.StatusOK, Started: dur(659.8), Duration: dur(30.1),
			Reply: report.ParseReply(250, "2.1.0 Sender OK")},
		report.Phase{Name: report.PhaseRcptTo, Status: report.StatusOK, Started: dur(689.9), Duration: dur(41.0),
			Reply: report.ParseReply(250, "2.1.5 Recipient OK")},
		report.Phase{Name: report.PhaseData, Status: report.StatusSkipped, Note: "no --send-to: no mail was sent"},
		report.Phase{Name: report.PhaseQuit, Status: report.StatusOK, Started: dur(731.0), Duration: dur(20.3),
			Reply: report.ParseReply(221, "2.0.0 Service closing transmission channel")},
	)
	r.Auth.OK = true
	r.Verdict = report.VerdictOK
	r.Findings = []report.Finding{}
	return r
}

// authFailReport: the tenant has SMTP AUTH off (535 5.7.139 with trailer).
func authFailReport(lang string) *report.Report {
	r := baseReport(lang)
	reply := report.ParseReply(535, "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. "+authTrailer)
	r.Phases = append(r.Phases,
		report.Phase{Name: report.PhaseAuth, Status: report.StatusFail, Started: dur(257.2), Duration: dur(380.9),
			Reply: reply, ErrorKind: report.KindReply},
		report.Phase{Name: report.PhaseMailFrom, Status: report.StatusSkipped, Note: "auth failed"},
		report.Phase{Name: report.PhaseRcptTo, Status: report.StatusSkipped, Note: "auth failed"},
		report.Phase{Name: report.PhaseQuit, Status: report.StatusOK, Started: dur(638.1), Duration: dur(19.9),
			Reply: report.ParseReply(221, "2.0.0 Service closing transmission channel")},
	)
	r.Transcript = append(r.Transcript, report.TranscriptLine{At: dur(640), Service: "smtp", Dir: "<", Text: reply.Line()})
	t := authDisabled[lang]
	r.Findings = []report.Finding{
		{
			ID: "smtp_auth_disabled_tenant", Severity: report.SeverityError, Side: "tenant", Title: t.title, Cause: t.cause,
			Steps: []report.Step{
				{Text: t.step1, Where: "exchange_admin"},
				{Text: "Exchange Online PowerShell:", Where: "powershell",
					Command: "Set-TransportConfig -SmtpClientAuthenticationDisabled $false"},
				{Text: t.step3, Where: "powershell",
					Command: "Set-CASMailbox -Identity scanner@contoso.com -SmtpClientAuthenticationDisabled $false"},
				{Text: t.step4, Where: "device"},
			},
			Where:    []string{"Exchange admin center", "Exchange Online PowerShell"},
			Delay:    t.delay,
			Sources:  []string{"https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission"},
			Evidence: []string{reply.Line()},
			Phase:    report.PhaseAuth,
		},
		{
			ID: "token_refresh_soon", Severity: report.SeverityInfo, Title: "Token: 85 days until the device must sign in again",
			Cause: "The refresh token lapses after 90 days without use.",
			Steps: []report.Step{{Text: "Send one scan a month, or sign in again on the device's web page.", Where: "device"}},
		},
	}
	r.Verdict = report.VerdictFail
	return r
}

// longReport stresses the layout: 40 findings, 300 transcript lines, 2 KB
// reply texts and a 300-character unbroken string.
func longReport(lang string) *report.Report {
	r := authFailReport(lang)
	unbroken := strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo", 9)[:300]
	long := strings.Repeat("Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator. ", 16)[:2048]
	r.Phases[len(r.Phases)-1].Reply = report.ParseReply(451, "4.7.0 "+long+" "+unbroken+" "+authTrailer)
	r.Phases = append(r.Phases, report.Phase{Name: "custom_unbroken", Status: report.StatusWarn, Note: unbroken, Error: long, ErrorKind: report.KindProtocol})
	r.Transcript = nil
	for i := range 300 {
		text := fmt.Sprintf("250-line %03d of a very chatty server", i)
		switch i % 50 {
		case 7:
			text = "535 5.7.3 " + long[:900]
		case 9:
			text = "* " + unbroken
		}
		r.Transcript = append(r.Transcript, report.TranscriptLine{At: dur(float64(i) * 3.3), Service: "smtp", Dir: "<", Text: text})
	}
	base := r.Findings[0]
	r.Findings = nil
	for i := range 40 {
		f := base
		f.ID = fmt.Sprintf("long_%02d", i)
		f.Title = fmt.Sprintf("%s (%d)", base.Title, i+1)
		if i%3 == 1 {
			f.Severity = report.SeverityWarning
		}
		if i%10 == 5 {
			f.Cause = long
			f.Evidence = []string{unbroken}
		}
		r.Findings = append(r.Findings, f)
	}
	r.Verdict = report.VerdictFail
	return r
}
