package batch

import (
	"strconv"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// tenantCSVHeader are the csv format's columns of what the tenant decides
// (--tenant-check): the mailbox's effective SMTP AUTH (enabled, disabled,
// unknown) and where it comes from (mailbox, organization,
// security_defaults), security defaults (true, false) and how many tenant
// reads failed. Empty cells: the tenant was not read, or the value could
// not be.
var tenantCSVHeader = []string{"smtp_auth_effective", "smtp_auth_source", "security_defaults", "tenant_reads_failed"}

// tenantCSV is a report's cells under tenantCSVHeader.
func tenantCSV(t *report.TenantInfo) []string {
	if t == nil {
		return make([]string, len(tenantCSVHeader))
	}
	sd := ""
	if t.SecurityDefaults != nil {
		sd = strconv.FormatBool(*t.SecurityDefaults)
	}
	failed := 0
	for _, r := range t.Reads {
		if r.Status != "ok" {
			failed++
		}
	}
	return []string{t.SMTPAuth.Effective, t.SMTPAuth.Source, sd, strconv.Itoa(failed)}
}

// tenantBool is a tenant setting as an openmetrics sample: no sample when
// the tenant or the setting was not read.
func tenantBool(get func(*report.TenantInfo) *bool) func(*report.Report) (float64, bool) {
	return func(r *report.Report) (float64, bool) {
		if r.Tenant == nil {
			return 0, false
		}
		b := get(r.Tenant)
		if b == nil {
			return 0, false
		}
		return b01(*b), true
	}
}

func b01(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// slimTenant is what the kept summaries need of a tenant read: the values
// the openmetrics format samples.
func slimTenant(t *report.TenantInfo) *report.TenantInfo {
	if t == nil {
		return nil
	}
	return &report.TenantInfo{SMTPAuth: report.TenantSMTPAuth{Effective: t.SMTPAuth.Effective},
		SecurityDefaults: t.SecurityDefaults, RejectDirectSend: t.RejectDirectSend}
}
