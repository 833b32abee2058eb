package batch

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// metric is one gauge family of the openmetrics format.
type metric struct {
	name, help string
	// value is the device's sample; ok false leaves the device out of the
	// family (nothing known, e.g. no token).
	value func(r *report.Report) (float64, bool)
}

func intValue(f func(*report.Report) (int, bool)) func(*report.Report) (float64, bool) {
	return func(r *report.Report) (float64, bool) {
		n, ok := f(r)
		return float64(n), ok
	}
}

// metrics are the per-device gauges. Names and labels are part of the
// documented interface: dashboards and alerts key on them.
var metrics = []metric{
	{"mfpcheck_verdict", "Verdict of the device's check: 0 ok, 1 warning, 2 fail, 3 error (could not run).",
		func(r *report.Report) (float64, bool) { return float64(r.Verdict.Rank()), true }},
	{"mfpcheck_up", "1 if the device's check ran to a verdict, 0 if it could not run.",
		func(r *report.Report) (float64, bool) {
			if r.Verdict == report.VerdictError {
				return 0, true
			}
			return 1, true
		}},
	{"mfpcheck_token_refresh_days_left", "Days until the OAuth refresh token expires (90 days of inactivity).",
		intValue(tokenDaysLeft)},
	{"mfpcheck_token_access_minutes_left", "Minutes until the OAuth access token expires.",
		intValue(accessMinutesLeft)},
	{"mfpcheck_certificate_days_left", "Days until the SMTP server's certificate expires.",
		intValue(certDaysLeft)},
	{"mfpcheck_probe_duration_seconds", "How long the device's check took, in seconds.",
		func(r *report.Report) (float64, bool) { return r.Duration.D().Seconds(), true }},
	// What the tenant decides (--tenant-check), named as serve names them;
	// a device whose value was not read has no sample.
	{"mfpcheck_tenant_smtp_auth_enabled", "1 if SMTP AUTH is in effect for the scan mailbox, 0 if off (tenant read; absent when unknown).",
		func(r *report.Report) (float64, bool) {
			if r.Tenant == nil || r.Tenant.SMTPAuth.Effective != "enabled" && r.Tenant.SMTPAuth.Effective != "disabled" {
				return 0, false
			}
			return b01(r.Tenant.SMTPAuth.Effective == "enabled"), true
		}},
	{"mfpcheck_tenant_security_defaults", "1 if Entra ID security defaults are on (SMTP AUTH off for everyone).",
		tenantBool(func(t *report.TenantInfo) *bool { return t.SecurityDefaults })},
	{"mfpcheck_tenant_reject_direct_send", "1 if the tenant rejects Direct Send (RejectDirectSend).",
		tenantBool(func(t *report.TenantInfo) *bool { return t.RejectDirectSend })},
}

// RenderOpenMetrics writes the batch in the OpenMetrics text format: one
// gauge family per metric, one sample per device labelled device, vendor,
// model and address, then the run's own gauges and "# EOF". The output is
// also valid Prometheus text format (# EOF reads as a comment), so
// node_exporter's textfile collector takes it as it is.
func RenderOpenMetrics(w io.Writer, b *Batch) error {
	bw := bufio.NewWriter(w)
	for _, m := range metrics {
		family(bw, m.name, m.help)
		for _, r := range b.Reports {
			v, ok := m.value(r)
			if !ok {
				continue
			}
			d := deviceOf(r)
			bw.WriteString(m.name)
			bw.WriteString(`{device="`)
			bw.WriteString(escapeLabel(d.Name))
			bw.WriteString(`",vendor="`)
			bw.WriteString(escapeLabel(d.Vendor))
			bw.WriteString(`",model="`)
			bw.WriteString(escapeLabel(d.Model))
			bw.WriteString(`",address="`)
			bw.WriteString(escapeLabel(d.Address))
			bw.WriteString(`"} `)
			bw.WriteString(formatValue(v))
			bw.WriteByte('\n')
		}
	}
	s := b.Summary
	run := []struct {
		name, help string
		v          float64
	}{
		{"mfpcheck_batch_devices", "Devices in the fleet.", float64(s.Devices)},
		{"mfpcheck_batch_checked", "Devices whose check finished.", float64(s.Checked)},
		{"mfpcheck_batch_interrupted", "1 if the run was stopped before every device was checked.", bool01(b.Interrupted)},
		{"mfpcheck_batch_duration_seconds", "How long the batch run took, in seconds.", s.Duration.D().Seconds()},
		{"mfpcheck_batch_timestamp_seconds", "When the batch run started, in seconds since the Unix epoch.", float64(s.Started.UnixMilli()) / 1000},
	}
	for _, m := range run {
		family(bw, m.name, m.help)
		bw.WriteString(m.name + " " + formatValue(m.v) + "\n")
	}
	bw.WriteString("# EOF\n")
	return bw.Flush()
}

func family(w *bufio.Writer, name, help string) {
	w.WriteString("# HELP " + name + " " + escapeHelp(help) + "\n")
	w.WriteString("# TYPE " + name + " gauge\n")
}

func bool01(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func formatValue(v float64) string {
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// escapeLabel escapes a label value: backslash, double quote and newline.
var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func escapeLabel(s string) string { return labelEscaper.Replace(strings.ToValidUTF8(s, "\uFFFD")) }

// escapeHelp escapes a HELP text: backslash and newline, the escapes both
// OpenMetrics and the Prometheus text format read there. (The help texts
// carry no double quote, which only OpenMetrics would escape.)
var helpEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`)

func escapeHelp(s string) string { return helpEscaper.Replace(s) }
