package batch

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/i18n"
	"github.com/mfpcheck/mfpcheck/diag/render"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// BatchSchema is the value of Batch.Schema.
const BatchSchema = "mfpcheck.batch/v1"

// Formats Run can write.
const (
	FormatText        = "text"
	FormatJSON        = "json"
	FormatJSONL       = "jsonl"
	FormatCSV         = "csv"
	FormatOpenMetrics = "openmetrics"
	FormatNagios      = "nagios"
)

// Formats lists the output formats, for usage texts.
func Formats() []string {
	return []string{FormatText, FormatJSON, FormatJSONL, FormatCSV, FormatOpenMetrics, FormatNagios}
}

// Batch is the JSON document of a batch run ("mfpcheck.batch/v1").
type Batch struct {
	Schema string `json:"schema"`
	// Reports are the finished devices' reports in fleet order (with
	// --only-problems, the ones that are not ok).
	Reports []*report.Report `json:"reports"`
	Summary Summary          `json:"summary"`
	// Interrupted is set when the run was stopped before every device was
	// checked; Reports then holds the devices that finished.
	Interrupted bool `json:"interrupted"`
}

// Summary counts a batch run's outcome. The counts cover every finished
// device, also those --only-problems leaves out of Reports.
type Summary struct {
	Devices    int             `json:"devices"`     // in the fleet
	Checked    int             `json:"checked"`     // finished
	NotChecked int             `json:"not_checked"` // not started or cut short
	OK         int             `json:"ok"`
	Warning    int             `json:"warning"`
	Fail       int             `json:"fail"`
	Error      int             `json:"error"`
	Worst      report.Verdict  `json:"worst"`
	Started    time.Time       `json:"started"`
	Duration   report.Duration `json:"duration_ms"`
}

// isProblem reports whether --only-problems keeps a report.
func isProblem(r *report.Report) bool { return r.Verdict != report.VerdictOK }

// Render writes a finished batch in format (any but jsonl, which is written
// as results come, by WriteJSONL).
func Render(w io.Writer, format string, b *Batch) error {
	switch format {
	case FormatText, "":
		return RenderText(w, b)
	case FormatJSON:
		return RenderJSON(w, b)
	case FormatCSV:
		return RenderCSV(w, b)
	case FormatOpenMetrics:
		return RenderOpenMetrics(w, b)
	case FormatNagios:
		return render.NagiosFleet(w, b.Reports, b.Summary.Devices)
	case FormatJSONL:
		for _, r := range b.Reports {
			if err := WriteJSONL(w, r); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown format %q (one of %s)", format, strings.Join(Formats(), ", "))
}

// RenderJSON writes the batch as one JSON document.
func RenderJSON(w io.Writer, b *Batch) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(b)
}

// WriteJSONL writes one report as one line of JSON.
func WriteJSONL(w io.Writer, r *report.Report) error {
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = w.Write(append(line, '\n'))
	return err
}

// deviceOf is the report's device (the runner always sets it).
func deviceOf(r *report.Report) report.Device {
	if r.Device == nil {
		return report.Device{}
	}
	return *r.Device
}

// firstFinding is the report's first finding that is a problem (warning
// or error; the diagnosis lists the worst first), or nil: an ok device's
// notes (severity info) are not what a fleet table is for.
func firstFinding(r *report.Report) *report.Finding {
	for i, f := range r.Findings {
		if f.Severity != report.SeverityInfo {
			return &r.Findings[i]
		}
	}
	return nil
}

// tokenDaysLeft is the refresh token's days left, if the report knows.
func tokenDaysLeft(r *report.Report) (int, bool) {
	if r.Token == nil || !r.Token.HasRefreshDaysLeft {
		return 0, false
	}
	return r.Token.RefreshDaysLeft, true
}

// accessMinutesLeft is the access token's minutes left, if the report
// knows.
func accessMinutesLeft(r *report.Report) (int, bool) {
	if r.Token == nil || r.Token.ExpiresAt.IsZero() {
		return 0, false
	}
	return r.Token.AccessMinutesLeft, true
}

// certDaysLeft is the SMTP server certificate's days left, if the report
// saw one.
func certDaysLeft(r *report.Report) (int, bool) {
	if r.TLS == nil || len(r.TLS.Chain) == 0 {
		return 0, false
	}
	return r.TLS.Chain[0].DaysLeft, true
}

// worstFirst sorts reports by verdict, worst first, then by device name.
func worstFirst(rs []*report.Report) []*report.Report {
	out := slices.Clone(rs)
	slices.SortStableFunc(out, func(a, b *report.Report) int {
		if c := cmp.Compare(b.Verdict.Rank(), a.Verdict.Rank()); c != 0 {
			return c
		}
		return cmp.Compare(strings.ToLower(deviceOf(a).Name), strings.ToLower(deviceOf(b).Name))
	})
	return out
}

// maxTitle is where the text table cuts a finding's title.
const maxTitle = 72

// RenderText writes the summary table, worst device first, in the
// reports' language (they were checked in one).
func RenderText(w io.Writer, b *Batch) error {
	lang := "en"
	if len(b.Reports) > 0 {
		lang = b.Reports[0].Lang
	}
	t := func(key string, kv ...any) string {
		s := i18n.T(lang, key)
		for i := 0; i+1 < len(kv); i += 2 {
			s = strings.ReplaceAll(s, "{"+kv[i].(string)+"}", fmt.Sprint(kv[i+1]))
		}
		return s
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	s := b.Summary
	if len(b.Reports) > 0 {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t("batch.device"), t("batch.verdict"), t("batch.finding"), t("batch.refresh_days"))
		for _, r := range worstFirst(b.Reports) {
			title := "-"
			if f := firstFinding(r); f != nil {
				title = f.Title
			} else if r.Error != "" {
				title = r.Error
			}
			token := "-"
			if d, ok := tokenDaysLeft(r); ok {
				token = t("batch.days", "n", d)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", cell(deviceOf(r).Name), i18n.T(lang, "verdict."+string(r.Verdict)), cut(cell(title), maxTitle), token)
		}
		fmt.Fprintln(tw)
	} else if s.Checked > 0 {
		fmt.Fprintln(tw, t("batch.no_problems", "n", s.Checked))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, t("batch.summary", "n", s.Checked, "ok", s.OK, "warning", s.Warning, "fail", s.Fail, "error", s.Error,
		"took", s.Duration.D().Round(100*time.Millisecond)))
	if err == nil && b.Interrupted {
		_, err = fmt.Fprintln(w, t("batch.interrupted", "n", s.Checked, "total", s.Devices, "rest", s.NotChecked))
	}
	return err
}

// cell keeps a table cell on one line.
func cell(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// cut shortens s to at most n runes.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// CSVHeader is the header row of the csv format.
var CSVHeader = append([]string{"name", "vendor", "model", "address", "verdict", "first_finding_id",
	"first_finding_title", "token_days_left", "cert_days_left", "duration_ms", "error"}, tenantCSVHeader...)

// RenderCSV writes a header and one row per report, in fleet order. Empty
// cells mean "not known" (no token, no certificate seen).
func RenderCSV(w io.Writer, b *Batch) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, r := range b.Reports {
		if err := cw.Write(csvRow(r)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvRow is a report's row of the csv format. Empty cells mean "not
// known" (no token, no certificate seen).
func csvRow(r *report.Report) []string {
	num := func(n int, ok bool) string {
		if !ok {
			return ""
		}
		return strconv.Itoa(n)
	}
	d := deviceOf(r)
	id, title := "", ""
	if f := firstFinding(r); f != nil {
		id, title = f.ID, f.Title
	}
	return append([]string{
		text(d.Name), text(d.Vendor), text(d.Model), text(d.Address),
		string(r.Verdict), id, text(title),
		num(tokenDaysLeft(r)), num(certDaysLeft(r)),
		strconv.FormatInt(r.Duration.D().Milliseconds(), 10),
		text(r.Error),
	}, tenantCSV(r.Tenant)...)
}

// text keeps a free-text CSV cell on one line and guards it against
// formula injection: a cell starting with = + - @ is run as a formula by
// spreadsheets, so it gets a leading apostrophe (OWASP's advice; tabs and
// CRs are already gone). Numeric columns are left alone.
func text(s string) string {
	s = cell(s)
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}
