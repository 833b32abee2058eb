package exporter

import (
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/prometheus/client_golang/prometheus"
)

// gathered returns name{what=...} -> value for the gauges reg holds.
func gathered(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			key := f.GetName()
			for _, l := range m.GetLabel() {
				key += "{" + l.GetName() + "=" + l.GetValue() + "}"
			}
			out[key] = m.GetGauge().GetValue()
		}
	}
	return out
}

func TestTenantMetrics(t *testing.T) {
	on, off := true, false
	rep := &report.Report{Verdict: report.VerdictFail, Tenant: &report.TenantInfo{
		SMTPAuth:         report.TenantSMTPAuth{MailboxDisabled: &on, Effective: "disabled", Source: "mailbox"},
		SecurityDefaults: &off,
		Reads: []report.TenantRead{
			{What: "Get-CASMailbox", Status: "ok", Unofficial: true},
			{What: "signIns", Status: "unlicensed"},
		},
	}}
	reg := prometheus.NewRegistry()
	collect(reg, rep, time.Second, 0, time.Now())
	got := gathered(t, reg)
	want := map[string]float64{
		"mfpcheck_tenant_smtp_auth_enabled":            0,
		"mfpcheck_tenant_security_defaults":            0,
		"mfpcheck_tenant_read_ok{what=Get-CASMailbox}": 1,
		"mfpcheck_tenant_read_ok{what=signIns}":        0,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
	if _, ok := got["mfpcheck_tenant_reject_direct_send"]; ok {
		t.Error("reject_direct_send has a series although it was not read")
	}

	// Unknown effective value: no series, not a made-up 0.
	rep.Tenant.SMTPAuth = report.TenantSMTPAuth{Effective: "unknown"}
	reg = prometheus.NewRegistry()
	collect(reg, rep, time.Second, 0, time.Now())
	if _, ok := gathered(t, reg)["mfpcheck_tenant_smtp_auth_enabled"]; ok {
		t.Error("smtp_auth_enabled has a series although the value is unknown")
	}

	// Without --tenant-check no tenant series at all.
	rep.Tenant = nil
	reg = prometheus.NewRegistry()
	collect(reg, rep, time.Second, 0, time.Now())
	for k := range gathered(t, reg) {
		if len(k) > 16 && k[:16] == "mfpcheck_tenant_" {
			t.Errorf("series %s without a tenant read", k)
		}
	}
}
