package exporter

import (
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/prometheus/client_golang/prometheus"
)

// verdicts are the values of mfpcheck_verdict's label, one series each.
var verdicts = []report.Verdict{report.VerdictOK, report.VerdictWarning, report.VerdictFail, report.VerdictError}

// gauge registers one gauge (or gauge family) on reg and returns it.
func gauge(reg *prometheus.Registry, name, help string, labels ...string) *prometheus.GaugeVec {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
	reg.MustRegister(g)
	return g
}

// collect turns one report into the probe's metrics. The names follow
// blackbox_exporter where they mean the same (probe_success,
// probe_duration_seconds, probe_ssl_earliest_cert_expiry,
// probe_tls_version_info); the rest are mfpcheck_*, part of the documented
// interface that the shipped alert rules key on. rep nil means no result
// could be had within the scrape's deadline.
func collect(reg *prometheus.Registry, rep *report.Report, timeout, age time.Duration, now time.Time) {
	success := gauge(reg, "probe_success", "1 if the device can send (verdict ok or warning), 0 if not.")
	gauge(reg, "probe_timeout_seconds", "The check's time budget for this scrape, in seconds.").WithLabelValues().Set(timeout.Seconds())
	if rep == nil {
		success.WithLabelValues().Set(0)
		return
	}
	ok := rep.Verdict == report.VerdictOK || rep.Verdict == report.VerdictWarning
	success.WithLabelValues().Set(b01(ok))
	gauge(reg, "probe_duration_seconds", "How long the device's check took, in seconds.").WithLabelValues().Set(rep.Duration.D().Seconds())
	gauge(reg, "mfpcheck_result_age_seconds", "Age of the result served: 0 for a new check, more when served from the cache (--min-interval).").WithLabelValues().Set(age.Seconds())

	v := gauge(reg, "mfpcheck_verdict", "The check's verdict: 1 for the current one of ok, warning, fail, error.", "verdict")
	for _, name := range verdicts {
		v.WithLabelValues(string(name)).Set(b01(rep.Verdict == name))
	}

	if t := rep.TLS; t != nil {
		if len(t.Chain) > 0 {
			earliest := t.Chain[0].NotAfter
			for _, c := range t.Chain[1:] {
				if c.NotAfter.Before(earliest) {
					earliest = c.NotAfter
				}
			}
			gauge(reg, "probe_ssl_earliest_cert_expiry", "Earliest expiry of the SMTP server's certificate chain, in Unix seconds.").WithLabelValues().Set(float64(earliest.Unix()))
		}
		if t.Version != "" {
			gauge(reg, "probe_tls_version_info", "The TLS version the SMTP session used.", "version").WithLabelValues(t.Version).Set(1)
		}
	}

	dur := gauge(reg, "mfpcheck_phase_duration_seconds", "How long each phase of the check took, in seconds.", "phase")
	pok := gauge(reg, "mfpcheck_phase_ok", "1 if the phase passed (ok or warning), 0 if it failed. Skipped phases have no series.", "phase")
	phases := rep.Phases
	if rep.POP3 != nil {
		phases = append(append([]report.Phase{}, phases...), rep.POP3.Phases...)
	}
	for _, p := range phases {
		if p.Status == report.StatusSkipped || p.Status == report.StatusRunning {
			continue
		}
		dur.WithLabelValues(string(p.Name)).Set(p.Duration.D().Seconds())
		pok.WithLabelValues(string(p.Name)).Set(b01(p.Status == report.StatusOK || p.Status == report.StatusWarn))
	}

	f := gauge(reg, "mfpcheck_finding", "1 for each finding of the current check, by catalogue id and severity (see mfpcheck explain).", "id", "severity")
	for _, fd := range rep.Findings {
		f.WithLabelValues(fd.ID, string(fd.Severity)).Set(1)
	}

	if tok := rep.Token; tok != nil {
		if !tok.ExpiresAt.IsZero() {
			gauge(reg, "mfpcheck_token_access_seconds_left", "Seconds until the OAuth access token expires (negative: expired).").WithLabelValues().Set(tok.ExpiresAt.Sub(now).Seconds())
		}
		if tok.HasRefreshDaysLeft {
			gauge(reg, "mfpcheck_token_refresh_days_left", "Days until the OAuth refresh token dies of 90 days without use.").WithLabelValues().Set(float64(tok.RefreshDaysLeft))
		}
		gauge(reg, "mfpcheck_token_refresh_failed", "1 if refreshing the access token failed in this check.").WithLabelValues().Set(b01(tok.RefreshError != ""))
	}
	collectTenant(reg, rep.Tenant)
}

func b01(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// collectTenant adds what the tenant reads found (--tenant-check): each
// series only where the read answered, so "unknown" has no series rather
// than a made-up 0.
func collectTenant(reg *prometheus.Registry, t *report.TenantInfo) {
	if t == nil {
		return
	}
	switch t.SMTPAuth.Effective {
	case "enabled", "disabled":
		gauge(reg, "mfpcheck_tenant_smtp_auth_enabled", "1 if SMTP AUTH is in effect for the scan mailbox, 0 if off (tenant read; absent when unknown).").WithLabelValues().Set(b01(t.SMTPAuth.Effective == "enabled"))
	}
	if t.SecurityDefaults != nil {
		gauge(reg, "mfpcheck_tenant_security_defaults", "1 if Entra ID security defaults are on (SMTP AUTH off for everyone).").WithLabelValues().Set(b01(*t.SecurityDefaults))
	}
	if t.RejectDirectSend != nil {
		gauge(reg, "mfpcheck_tenant_reject_direct_send", "1 if the tenant rejects Direct Send (RejectDirectSend).").WithLabelValues().Set(b01(*t.RejectDirectSend))
	}
	if len(t.Reads) > 0 {
		r := gauge(reg, "mfpcheck_tenant_read_ok", "1 if the tenant read succeeded, 0 if it was forbidden, unlicensed or unavailable.", "what")
		for _, rd := range t.Reads {
			r.WithLabelValues(rd.What).Set(b01(rd.Status == "ok"))
		}
	}
}
