package batch

import (
	"context"
	"fmt"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// fleetOf builds n devices; mailbox(i) names device i's mailbox ("" for
// none).
func fleetOf(n int, mailbox func(i int) string) []Device {
	ds := make([]Device, n)
	for i := range ds {
		p := &profile.Profile{
			Device: profile.ProfileDevice{Name: fmt.Sprintf("dev-%02d", i), Vendor: "epson", Model: "WF-C579R", Address: fmt.Sprintf("192.0.2.%d", i+1)},
			Email:  profile.ProfileEmail{AuthMethod: "oauth2", Service: "exchange-online"},
			SMTP:   profile.ProfileSMTP{Server: "smtp.office365.com", Port: 587, Security: "starttls", User: mailbox(i)},
		}
		ds[i] = Device{Name: p.Device.Name, Profile: p, Source: fmt.Sprintf("fleet.yaml:%d", i+1)}
	}
	return ds
}

// fakeReport is a report as check.Run would return it for a device.
func fakeReport(d Device, v report.Verdict) *report.Report {
	r := &report.Report{
		Schema: report.Schema, Lang: "en", Device: d.Profile.DeviceInfo(),
		Verdict: v, Duration: report.Duration(1500 * time.Millisecond),
		Phases: []report.Phase{}, Transcript: []report.TranscriptLine{}, Findings: []report.Finding{},
	}
	switch v {
	case report.VerdictOK:
		// A note, not a problem: tables and CSV show no finding for it.
		r.Findings = append(r.Findings, report.Finding{ID: "token.signature_unverified", Severity: report.SeverityInfo,
			Title: "Token claims read without checking the signature"})
	case report.VerdictFail:
		r.Findings = append(r.Findings, report.Finding{ID: "smtp_auth_disabled_mailbox", Severity: report.SeverityError,
			Title: "SMTP AUTH is disabled for the mailbox"})
	case report.VerdictWarning:
		r.Findings = append(r.Findings, report.Finding{ID: "refresh_token_expiring", Severity: report.SeverityWarning,
			Title: "The refresh token expires soon"})
	case report.VerdictError:
		r.Error = "read token file: no such file"
	}
	if v != report.VerdictError {
		r.Token = &report.TokenInfo{HasRefreshDaysLeft: true, RefreshDaysLeft: 80, AccessMinutesLeft: 42,
			ExpiresAt: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
		r.TLS = &report.TLSInfo{Version: "TLS 1.3", Chain: []report.CertInfo{{Subject: "CN=outlook.com", DaysLeft: 200}}}
	}
	return r
}

// interruptedReport is what check.Run returns when its context ends.
func interruptedReport(d Device) *report.Report {
	r := fakeReport(d, report.VerdictFail)
	r.Interrupted = true
	return r
}

// blockUntilDone waits for ctx, then reports like a probe that gave up.
func blockUntilDone(ctx context.Context, d Device) *report.Report {
	<-ctx.Done()
	if ctx.Err() == context.DeadlineExceeded {
		r := fakeReport(d, report.VerdictFail)
		r.Findings[0] = report.Finding{ID: "connect_timeout", Severity: report.SeverityError, Title: "The server did not answer"}
		return r
	}
	return interruptedReport(d)
}
