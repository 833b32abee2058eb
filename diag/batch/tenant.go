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
