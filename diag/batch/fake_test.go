package batch

import (
	"context"
	"fmt"
	"time"

	"github.com/mfpcheck/mfpcheck/diag"
)

// fleetOf builds n devices; mailbox(i) names device i's mailbox ("" for
// none).
func fleetOf(n int, mailbox func(i int) string) []Device {
	ds := make([]Device, n)
	for i := range ds {
		p := &diag.Profile{
			Device: diag.ProfileDevice{Name: fmt.Sprintf("dev-%02d", i), Vendor: "epson", Model: "WF-C579R", Address: fmt.Sprintf("192.0.2.%d", i+1)},
			Email:  diag.ProfileEmail{AuthMethod: "oauth2", Service: "exchange-online"},
			SMTP:   diag.ProfileSMTP{Server: "smtp.office365.com", Port: 587, Security: "starttls", User: mailbox(i)},
		}
		ds[i] = Device{Name: p.Device.Name, Profile: p, Source: fmt.Sprintf("fleet.yaml:%d", i+1)}
	}
	return ds
}

// fakeReport is a report as check.Run would return it for a device.
func fakeReport(d Device, v diag.Verdict) *diag.Report {
	r := &diag.Report{
		Schema: diag.Schema, Lang: "en", Device: d.Profile.DeviceInfo(),
		Verdict: v, Duration: diag.Duration(1500 * time.Millisecond),
		Phases: []diag.Phase{}, Transcript: []diag.TranscriptLine{}, Findings: []diag.Finding{},
	}
	switch v {
	case diag.VerdictOK:
		// A note, not a problem: tables and CSV show no finding for it.
		r.Findings = append(r.Findings, diag.Finding{ID: "token.signature_unverified", Severity: diag.SeverityInfo,
			Title: "Token claims read without checking the signature"})
	case diag.VerdictFail:
		r.Findings = append(r.Findings, diag.Finding{ID: "smtp_auth_disabled_mailbox", Severity: diag.SeverityError,
			Title: "SMTP AUTH is disabled for the mailbox"})
	case diag.VerdictWarning:
		r.Findings = append(r.Findings, diag.Finding{ID: "refresh_token_expiring", Severity: diag.SeverityWarning,
			Title: "The refresh token expires soon"})
	case diag.VerdictError:
		r.Error = "read token file: no such file"
	}
	if v != diag.VerdictError {
		r.Token = &diag.TokenInfo{HasRefreshDaysLeft: true, RefreshDaysLeft: 80, AccessMinutesLeft: 42,
			ExpiresAt: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
		r.TLS = &diag.TLSInfo{Version: "TLS 1.3", Chain: []diag.CertInfo{{Subject: "CN=outlook.com", DaysLeft: 200}}}
	}
	return r
}

// interruptedReport is what check.Run returns when its context ends.
func interruptedReport(d Device) *diag.Report {
	r := fakeReport(d, diag.VerdictFail)
	r.Interrupted = true
	return r
}

// blockUntilDone waits for ctx, then reports like a probe that gave up.
func blockUntilDone(ctx context.Context, d Device) *diag.Report {
	<-ctx.Done()
	if ctx.Err() == context.DeadlineExceeded {
		r := fakeReport(d, diag.VerdictFail)
		r.Findings[0] = diag.Finding{ID: "connect_timeout", Severity: diag.SeverityError, Title: "The server did not answer"}
		return r
	}
	return interruptedReport(d)
}
