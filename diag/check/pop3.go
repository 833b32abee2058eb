package check

import (
	"context"

	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/diag/redact"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// runPOP3 runs the POP3 probe with the same roots, timeouts, redactor,
// transcript and progress channel as the SMTP probe.
func runPOP3(ctx context.Context, cfg Config, red *redact.Redactor, tr *redact.Transcript) *report.POP3Report {
	pc := *cfg.POP3
	if pc.Roots == nil {
		pc.Roots, pc.RootsName = cfg.Probe.Roots, cfg.Probe.RootsName
	}
	if pc.Timeout == 0 {
		pc.Timeout = cfg.Probe.Timeout
	}
	if pc.PhaseTimeout == 0 {
		pc.PhaseTimeout = cfg.Probe.PhaseTimeout
	}
	if pc.MaxTLS == "" {
		pc.MaxTLS = cfg.Probe.MaxTLS
	}
	if pc.Resolver == nil {
		pc.Resolver = cfg.Probe.Resolver
	}
	if pc.Route.Proxy == nil {
		pc.Route.Proxy = cfg.Probe.Route.Proxy
	}
	if pc.Dialer == nil {
		pc.Dialer = cfg.Probe.Dialer
	}
	if pc.Password == "" && pc.AuthMethod == "basic" {
		pc.Password, pc.PasswordSource = cfg.Probe.Password, cfg.Probe.PasswordSource
	}
	pc.Progress = cfg.Probe.Progress
	pc.Redactor = red
	pc.Transcript = tr
	pc.Now = cfg.Now
	return probe.POP3(ctx, pc)
}
