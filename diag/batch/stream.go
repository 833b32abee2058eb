package batch

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// writer writes a run's output as the devices finish.
type writer interface {
	// device writes (or keeps the summary of) one finished device.
	device(r *report.Report, index int) error
	// finish writes what comes after the devices (the summary) and
	// flushes.
	finish(s Summary, interrupted bool) error
	// keeps reports whether the writer keeps a summary per device (the
	// formats that sort or group the devices).
	keeps() bool
}

// newWriter is format's writer to out.
func newWriter(format string, out io.Writer) writer {
	switch format {
	case FormatJSONL:
		return &jsonlWriter{out: out}
	case FormatJSON:
		return &jsonWriter{out: out}
	case FormatCSV:
		return &csvWriter{cw: csv.NewWriter(out)}
	}
	return &summaryWriter{format: format, out: out}
}

// jsonlWriter writes each report as one line as it comes.
type jsonlWriter struct{ out io.Writer }

func (w *jsonlWriter) device(r *report.Report, _ int) error { return WriteJSONL(w.out, r) }
func (w *jsonlWriter) finish(Summary, bool) error           { return nil }
func (w *jsonlWriter) keeps() bool                          { return false }

// jsonWriter streams the "mfpcheck.batch/v1" document: its reports array
// element by element, then the summary. The text is the same as
// RenderJSON's for the same reports (two-space indent).
type jsonWriter struct {
	out    io.Writer
	n      int
	opened bool
}

const jsonHead = "{\n  \"schema\": \"" + BatchSchema + "\",\n  \"reports\": ["

func (w *jsonWriter) device(r *report.Report, _ int) error {
	elem, err := json.MarshalIndent(r, "    ", "  ")
	if err != nil {
		return err
	}
	var b strings.Builder
	if !w.opened {
		b.WriteString(jsonHead)
		w.opened = true
	}
	if w.n > 0 {
		b.WriteString(",")
	}
	b.WriteString("\n    ")
	b.Write(elem)
	w.n++
	_, err = io.WriteString(w.out, b.String())
	return err
}

func (w *jsonWriter) finish(s Summary, interrupted bool) error {
	sum, err := json.MarshalIndent(s, "  ", "  ")
	if err != nil {
		return err
	}
	var b strings.Builder
	if !w.opened {
		b.WriteString(jsonHead)
	}
	if w.n > 0 {
		b.WriteString("\n  ")
	}
	fmt.Fprintf(&b, "],\n  \"summary\": %s,\n  \"interrupted\": %t\n}\n", sum, interrupted)
	_, err = io.WriteString(w.out, b.String())
	return err
}

func (w *jsonWriter) keeps() bool { return false }

// csvWriter writes the header, then each device's row as it comes.
type csvWriter struct {
	cw     *csv.Writer
	header bool
}

func (w *csvWriter) row(rec []string) error {
	if !w.header {
		w.header = true
		if err := w.cw.Write(CSVHeader); err != nil {
			return err
		}
	}
	if rec != nil {
		if err := w.cw.Write(rec); err != nil {
			return err
		}
	}
	w.cw.Flush()
	return w.cw.Error()
}

func (w *csvWriter) device(r *report.Report, _ int) error { return w.row(csvRow(r)) }
func (w *csvWriter) finish(Summary, bool) error           { return w.row(nil) }
func (w *csvWriter) keeps() bool                          { return false }

// summaryWriter keeps a slim summary of each device and renders the
// format (text, openmetrics, nagios) once the run ends, in fleet order.
type summaryWriter struct {
	format string
	out    io.Writer
	kept   summaries
}

func (w *summaryWriter) device(r *report.Report, index int) error {
	w.kept.add(r, index)
	return nil
}

func (w *summaryWriter) finish(s Summary, interrupted bool) error {
	return Render(w.out, w.format, &Batch{Schema: BatchSchema, Reports: w.kept.reports(), Summary: s, Interrupted: interrupted})
}

func (w *summaryWriter) keeps() bool { return true }

// summaries are slim reports kept with their fleet position.
type summaries struct {
	list []indexed
}

type indexed struct {
	index int
	r     *report.Report
}

func (s *summaries) add(r *report.Report, index int) {
	s.list = append(s.list, indexed{index, slim(r)})
}

// reports are the kept summaries in fleet order.
func (s *summaries) reports() []*report.Report {
	slices.SortFunc(s.list, func(a, b indexed) int { return a.index - b.index })
	out := make([]*report.Report, len(s.list))
	for i, k := range s.list {
		out[i] = k.r
	}
	return out
}

// slim is what the text table, the CSV row, the metrics, the Nagios lines
// and the fleet sheet read of a report: device, target host, verdict,
// error, duration, the first finding and the first problem finding (id,
// severity, title, parameters), the token's and certificates' days left.
// No transcript, phases, network facts or finding texts: a few hundred
// bytes a device.
func slim(r *report.Report) *report.Report {
	s := &report.Report{Schema: r.Schema, Lang: r.Lang, Verdict: r.Verdict, Error: r.Error, Duration: r.Duration,
		Interrupted: r.Interrupted, Device: r.Device, Target: report.Target{Host: r.Target.Host}, Tenant: slimTenant(r.Tenant)}
	keep := func(f report.Finding) report.Finding {
		return report.Finding{ID: f.ID, Severity: f.Severity, Title: f.Title, Params: f.Params, Side: f.Side}
	}
	if len(r.Findings) > 0 {
		s.Findings = append(s.Findings, keep(r.Findings[0]))
		if r.Findings[0].Severity == report.SeverityInfo {
			if f := firstFinding(r); f != nil {
				s.Findings = append(s.Findings, keep(*f))
			}
		}
	}
	if t := r.Token; t != nil {
		s.Token = &report.TokenInfo{HasRefreshDaysLeft: t.HasRefreshDaysLeft, RefreshDaysLeft: t.RefreshDaysLeft,
			ExpiresAt: t.ExpiresAt, AccessMinutesLeft: t.AccessMinutesLeft}
	}
	if r.TLS != nil && len(r.TLS.Chain) > 0 {
		s.TLS = &report.TLSInfo{Chain: make([]report.CertInfo, len(r.TLS.Chain))}
		for i, c := range r.TLS.Chain {
			s.TLS.Chain[i] = report.CertInfo{DaysLeft: c.DaysLeft}
		}
	}
	return s
}

// tally counts a run's outcome as the devices finish.
type tally struct {
	s    Summary
	read int // highest fleet position seen + 1
}

func newTally(devices int, started time.Time) *tally {
	return &tally{s: Summary{Devices: devices, Worst: report.VerdictOK, Started: started}}
}

func (t *tally) add(r *report.Report, index int) {
	t.read = max(t.read, index+1)
	t.s.Checked++
	switch r.Verdict {
	case report.VerdictOK:
		t.s.OK++
	case report.VerdictWarning:
		t.s.Warning++
	case report.VerdictFail:
		t.s.Fail++
	default:
		t.s.Error++
	}
	t.s.Worst = report.Worse(t.s.Worst, r.Verdict)
}

func (t *tally) summary(took time.Duration) Summary {
	s := t.s
	s.Devices = max(s.Devices, t.read)
	s.NotChecked = s.Devices - s.Checked
	s.Duration = report.Duration(took)
	return s
}

// sheetWriter writes each device's PDF sheet as it finishes and the fleet
// sheet, from the devices' summaries, at the end.
type sheetWriter struct {
	dir   string
	force bool
	sh    Sheets
	lang  string
	taken map[string]bool // file names used in this run, lower-cased
	all   summaries
	dirOK bool
	errs  errorList
}

func newSheetWriter(dir string, force bool, sh Sheets, lang string) *sheetWriter {
	return &sheetWriter{dir: dir, force: force, sh: sh, lang: lang, taken: map[string]bool{strings.ToLower(FleetSheetName): true}}
}

// mkdir creates the folder once; false when it cannot be.
func (w *sheetWriter) mkdir() bool {
	if w.dirOK {
		return true
	}
	if err := os.MkdirAll(w.dir, 0o755); err != nil {
		w.errs.add(fmt.Errorf("sheets: %w", err))
		return false
	}
	w.dirOK = true
	return true
}

func (w *sheetWriter) device(r *report.Report, shown bool, index int) {
	w.all.add(r, index)
	if !shown || (!w.dirOK && w.errs.errs != nil) || !w.mkdir() {
		return
	}
	name := deviceOf(r).Name
	if _, err := writeFile(w.dir, SheetFileName(name), w.force, w.taken, func(out io.Writer) error {
		bw := bufio.NewWriter(out)
		if err := w.sh.Device(bw, r, w.lang); err != nil {
			return err
		}
		return bw.Flush()
	}); err != nil {
		w.errs.add(fmt.Errorf("sheet of %s: %w", name, err))
	}
}

func (w *sheetWriter) finish() error {
	if w.mkdir() && len(w.all.list) > 0 {
		delete(w.taken, strings.ToLower(FleetSheetName))
		all := w.all.reports()
		if _, err := writeFile(w.dir, FleetSheetName, w.force, w.taken, func(out io.Writer) error { return w.sh.Fleet(out, all, w.lang) }); err != nil {
			w.errs.add(fmt.Errorf("fleet sheet: %w", err))
		}
	}
	return w.errs.err()
}
