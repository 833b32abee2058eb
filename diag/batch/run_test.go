package batch

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// mixedFleet: one device per verdict, named so that name order and verdict
// order differ.
func mixedFleet() ([]Device, CheckFunc) {
	ds := fleetOf(4, func(i int) string { return fmt.Sprintf("m%d@contoso.com", i) })
	verdicts := map[string]report.Verdict{}
	names := []string{"a-ok", "b-fail", "c-error", "d-warning"}
	vs := []report.Verdict{report.VerdictOK, report.VerdictFail, report.VerdictError, report.VerdictWarning}
	for i := range ds {
		ds[i].Name, ds[i].Profile.Device.Name = names[i], names[i]
		verdicts[ds[i].Source] = vs[i]
	}
	ds[1].Profile.Device.Model = `IM "C3000"` // a quote to escape in labels
	return ds, func(ctx context.Context, d Device) *report.Report { return fakeReport(d, verdicts[d.Source]) }
}

var fixedNow = func() time.Time { return time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC) }

func runFormat(t *testing.T, ds []Device, opts Options) (string, report.Verdict, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	opts.Now = fixedNow
	v, err := Run(context.Background(), ds, opts, &out, &errOut)
	if errOut.Len() > 0 {
		t.Errorf("stderr without --progress: %q", errOut.String())
	}
	return out.String(), v, err
}

func TestRunText(t *testing.T) {
	ds, check := mixedFleet()
	out, v, err := runFormat(t, ds, Options{Check: check})
	if err != nil || v != report.VerdictError {
		t.Fatalf("verdict %s err %v", v, err)
	}
	lines := strings.Split(out, "\n")
	// Worst first: error, fail, warning, ok.
	order := []string{"c-error", "b-fail", "d-warning", "a-ok"}
	if !strings.HasPrefix(lines[0], "DEVICE") {
		t.Fatalf("no header:\n%s", out)
	}
	for i, name := range order {
		if !strings.HasPrefix(lines[i+1], name) {
			t.Fatalf("line %d is %q, want %s first:\n%s", i+1, lines[i+1], name, out)
		}
	}
	for _, want := range []string{
		"c-error    ERROR    read token file: no such file",
		"b-fail     FAIL     SMTP AUTH is disabled for the mailbox  80 days",
		"a-ok       OK       -",
		"4 devices: 1 ok, 1 warning, 1 fail, 1 error",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Interrupted") {
		t.Errorf("not interrupted, yet says so:\n%s", out)
	}
}

func TestRunOnlyProblems(t *testing.T) {
	ds, check := mixedFleet()
	out, v, err := runFormat(t, ds, Options{Check: check, Format: FormatJSON, OnlyProblems: true})
	if err != nil || v != report.VerdictError {
		t.Fatalf("verdict %s err %v", v, err)
	}
	var b Batch
	if err := json.Unmarshal([]byte(out), &b); err != nil {
		t.Fatal(err)
	}
	if len(b.Reports) != 3 {
		t.Fatalf("%d reports, want 3 (no ok)", len(b.Reports))
	}
	for _, r := range b.Reports {
		if r.Verdict == report.VerdictOK {
			t.Errorf("ok device %s in --only-problems output", r.Device.Name)
		}
	}
	if b.Summary.Checked != 4 || b.Summary.OK != 1 {
		t.Errorf("summary %+v should still count every device", b.Summary)
	}

	// All ok: the text output says so instead of an empty table.
	allOK := func(ctx context.Context, d Device) *report.Report { return fakeReport(d, report.VerdictOK) }
	out, v, err = runFormat(t, ds, Options{Check: allOK, OnlyProblems: true})
	if err != nil || v != report.VerdictOK || !strings.Contains(out, "No problems: all 4 devices checked are ok.") || strings.Contains(out, "DEVICE") {
		t.Errorf("verdict %s err %v out:\n%s", v, err, out)
	}
}

func TestRunJSON(t *testing.T) {
	ds, check := mixedFleet()
	out, _, err := runFormat(t, ds, Options{Check: check, Format: FormatJSON})
	if err != nil {
		t.Fatal(err)
	}
	var b Batch
	if err := json.Unmarshal([]byte(out), &b); err != nil {
		t.Fatal(err)
	}
	if b.Schema != "mfpcheck.batch/v1" || b.Interrupted || len(b.Reports) != 4 {
		t.Fatalf("batch = %+v", b)
	}
	// In the order the devices finished: each device once.
	seen := map[string]bool{}
	for _, r := range b.Reports {
		seen[r.Device.Name] = true
	}
	for _, d := range ds {
		if !seen[d.Name] {
			t.Errorf("no report of %s", d.Name)
		}
	}
	s := b.Summary
	if s.Devices != 4 || s.Checked != 4 || s.NotChecked != 0 || s.OK != 1 || s.Warning != 1 || s.Fail != 1 || s.Error != 1 ||
		s.Worst != report.VerdictError || !s.Started.Equal(fixedNow()) {
		t.Errorf("summary = %+v", s)
	}
	var raw map[string]any
	json.Unmarshal([]byte(out), &raw)
	if _, ok := raw["interrupted"]; !ok {
		t.Errorf("interrupted is not in the document: %v", raw)
	}
}

func TestRunCSV(t *testing.T) {
	ds, check := mixedFleet()
	ds[0].Profile.Device.Address = "=HYPERLINK(\"http://x\")"
	out, _, err := runFormat(t, ds, Options{Check: check, Format: FormatCSV})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || strings.Join(rows[0], ",") != "name,vendor,model,address,verdict,first_finding_id,first_finding_title,token_days_left,cert_days_left,duration_ms,error,smtp_auth_effective,smtp_auth_source,security_defaults,tenant_reads_failed" {
		t.Fatalf("rows = %q", rows)
	}
	want := map[string][]string{
		"a-ok":    {"a-ok", "epson", "WF-C579R", "'=HYPERLINK(\"http://x\")", "ok", "", "", "80", "200", "1500", "", "", "", "", ""},
		"b-fail":  {"b-fail", "epson", `IM "C3000"`, "192.0.2.2", "fail", "smtp_auth_disabled_mailbox", "SMTP AUTH is disabled for the mailbox", "80", "200", "1500", "", "", "", "", ""},
		"c-error": {"c-error", "epson", "WF-C579R", "192.0.2.3", "error", "", "", "", "", "1500", "read token file: no such file", "", "", "", ""},
	}
	for _, row := range rows[1:] {
		if w, ok := want[row[0]]; ok && strings.Join(row, "|") != strings.Join(w, "|") {
			t.Errorf("row %q\nwant %q", row, w)
		}
	}
}

func TestRunOpenMetrics(t *testing.T) {
	ds, check := mixedFleet()
	out, _, err := runFormat(t, ds, Options{Check: check, Format: FormatOpenMetrics})
	if err != nil {
		t.Fatal(err)
	}
	fams, err := parseOpenMetrics(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	promtoolCheck(t, out)
	value := func(metric, device string) (float64, bool) {
		for _, s := range fams[metric] {
			if s.labels["device"] == device {
				return s.value, true
			}
		}
		return 0, false
	}
	for dev, want := range map[string]float64{"a-ok": 0, "d-warning": 1, "b-fail": 2, "c-error": 3} {
		if v, ok := value("mfpcheck_verdict", dev); !ok || v != want {
			t.Errorf("mfpcheck_verdict{device=%s} = %v %v, want %v", dev, v, ok, want)
		}
	}
	if v, _ := value("mfpcheck_up", "c-error"); v != 0 {
		t.Errorf("up of the error device = %v", v)
	}
	if v, _ := value("mfpcheck_up", "b-fail"); v != 1 {
		t.Errorf("up of the fail device = %v", v)
	}
	if v, _ := value("mfpcheck_token_refresh_days_left", "a-ok"); v != 80 {
		t.Errorf("token days = %v", v)
	}
	if v, _ := value("mfpcheck_token_access_minutes_left", "a-ok"); v != 42 {
		t.Errorf("access minutes = %v", v)
	}
	if v, _ := value("mfpcheck_certificate_days_left", "d-warning"); v != 200 {
		t.Errorf("cert days = %v", v)
	}
	if v, _ := value("mfpcheck_probe_duration_seconds", "a-ok"); v != 1.5 {
		t.Errorf("duration = %v", v)
	}
	// Unknown values are left out, not written as 0.
	if _, ok := value("mfpcheck_token_refresh_days_left", "c-error"); ok {
		t.Errorf("token days written for a device without a token")
	}
	for _, s := range fams["mfpcheck_verdict"] {
		if s.labels["device"] == "b-fail" {
			want := map[string]string{"device": "b-fail", "vendor": "epson", "model": `IM "C3000"`, "address": "192.0.2.2"}
			if fmt.Sprint(s.labels) != fmt.Sprint(want) {
				t.Errorf("labels %v, want %v", s.labels, want)
			}
		}
	}
	if fams["mfpcheck_batch_interrupted"][0].value != 0 || fams["mfpcheck_batch_devices"][0].value != 4 ||
		fams["mfpcheck_batch_timestamp_seconds"][0].value != float64(fixedNow().Unix()) {
		t.Errorf("run gauges: %v %v %v", fams["mfpcheck_batch_interrupted"], fams["mfpcheck_batch_devices"], fams["mfpcheck_batch_timestamp_seconds"])
	}
	for _, name := range []string{"mfpcheck_verdict", "mfpcheck_up", "mfpcheck_probe_duration_seconds"} {
		if len(fams[name]) != 4 {
			t.Errorf("%s has %d samples, want 4", name, len(fams[name]))
		}
		if !strings.Contains(out, "# HELP "+name+" ") || !strings.Contains(out, "# TYPE "+name+" gauge\n") {
			t.Errorf("%s lacks HELP/TYPE", name)
		}
	}
}

// TestRunJSONLStreamsAsDevicesFinish: each report is written when its
// device finishes, so a dead device's line comes after everyone else's.
func TestRunJSONLStreamsAsDevicesFinish(t *testing.T) {
	ds := fleetOf(8, func(i int) string { return fmt.Sprintf("m%d@x.com", i) })
	check := func(ctx context.Context, d Device) *report.Report {
		if d.Name == "dev-00" {
			return blockUntilDone(ctx, d)
		}
		return fakeReport(d, report.VerdictOK)
	}
	pr, pw := io.Pipe()
	lines := make(chan string)
	go func() {
		dec := json.NewDecoder(pr)
		for {
			var r report.Report
			if err := dec.Decode(&r); err != nil {
				close(lines)
				return
			}
			lines <- r.Device.Name
		}
	}()
	errc := make(chan error, 1)
	go func() {
		_, err := Run(context.Background(), ds, Options{Check: check, Format: FormatJSONL, Concurrency: 4, Timeout: 500 * time.Millisecond}, pw, nil)
		pw.Close()
		errc <- err
	}()
	var got []string
	for name := range lines {
		got = append(got, name)
		// The seven quick devices arrive while the dead one still runs.
		if len(got) == 7 {
			select {
			case err := <-errc:
				t.Fatalf("run ended (%v) before the dead device's line was read", err)
			default:
			}
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if len(got) != 8 || got[7] != "dev-00" {
		t.Fatalf("lines in order %v, want dev-00 last", got)
	}
}

// TestRunInterrupted: cancelling after some devices finished leaves every
// format complete and valid, and says the run was interrupted.
func TestRunInterrupted(t *testing.T) {
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			ds := fleetOf(10, func(int) string { return "" })
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			check := func(cctx context.Context, d Device) *report.Report {
				switch d.Name {
				case "dev-00", "dev-01":
					return fakeReport(d, report.VerdictFail)
				case "dev-02":
					cancel() // Ctrl-C while the third device runs
				}
				return blockUntilDone(cctx, d)
			}
			var out bytes.Buffer
			v, err := Run(ctx, ds, Options{Check: check, Format: format, Concurrency: 3, Now: fixedNow}, &out, nil)
			if !errors.Is(err, ErrInterrupted) || !strings.Contains(err.Error(), "2 of 10 devices checked") {
				t.Fatalf("err = %v", err)
			}
			if v != report.VerdictFail {
				t.Errorf("verdict %s, want fail (worst of the finished)", v)
			}
			text := out.String()
			switch format {
			case FormatText:
				if !strings.Contains(text, "Interrupted: 2 of 10 devices checked; the other 8 were not.") || !strings.Contains(text, "dev-01") {
					t.Errorf("text:\n%s", text)
				}
			case FormatJSON:
				var b Batch
				if err := json.Unmarshal(out.Bytes(), &b); err != nil {
					t.Fatalf("json not valid: %v\n%s", err, text)
				}
				if !b.Interrupted || len(b.Reports) != 2 || b.Summary.NotChecked != 8 {
					t.Errorf("batch = %+v", b)
				}
			case FormatJSONL:
				n := 0
				for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
					var r report.Report
					if err := json.Unmarshal([]byte(line), &r); err != nil || r.Interrupted {
						t.Errorf("line %q: %v", line, err)
					}
					n++
				}
				if n != 2 {
					t.Errorf("%d lines, want 2", n)
				}
			case FormatCSV:
				rows, err := csv.NewReader(&out).ReadAll()
				if err != nil || len(rows) != 3 {
					t.Errorf("csv rows %d err %v", len(rows), err)
				}
			case FormatOpenMetrics:
				fams, err := parseOpenMetrics(text)
				if err != nil {
					t.Fatalf("%v\n%s", err, text)
				}
				promtoolCheck(t, text)
				if fams["mfpcheck_batch_interrupted"][0].value != 1 || len(fams["mfpcheck_verdict"]) != 2 {
					t.Errorf("interrupted gauge %v, verdict samples %d", fams["mfpcheck_batch_interrupted"], len(fams["mfpcheck_verdict"]))
				}
			}
		})
	}
}

// TestRunStopsOnWriteError: a closed pipe stops the run.
func TestRunStopsOnWriteError(t *testing.T) {
	ds := fleetOf(50, func(int) string { return "" })
	started := 0
	check := func(ctx context.Context, d Device) *report.Report {
		started++ // Concurrency 1: no race
		return fakeReport(d, report.VerdictOK)
	}
	_, err := Run(context.Background(), ds, Options{Check: check, Format: FormatJSONL, Concurrency: 1}, failWriter{}, nil)
	if err == nil || !strings.Contains(err.Error(), "write output") || errors.Is(err, ErrInterrupted) {
		t.Fatalf("err = %v", err)
	}
	if started > 3 {
		t.Errorf("%d checks ran after the output broke", started)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestRunRefusesBadOptions(t *testing.T) {
	ds, check := mixedFleet()
	for _, tc := range []struct {
		opts Options
		ds   []Device
		want string
	}{
		{Options{Check: check, Format: "xml"}, ds, `unknown format "xml"`},
		{Options{}, ds, "no check function"},
		{Options{Check: check}, nil, "no devices"},
		{Options{Check: check, SheetsDir: t.TempDir()}, ds, "no PDF renderer"},
		{Options{Check: check}, append(ds[:1:1], ds[0]), "already used"},
	} {
		v, err := Run(context.Background(), tc.ds, tc.opts, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) || v != report.VerdictError {
			t.Errorf("%+v: verdict %s err %v, want %q", tc.opts.Format, v, err, tc.want)
		}
	}
}

func TestRunProgress(t *testing.T) {
	ds, check := mixedFleet()
	var out, errOut bytes.Buffer
	if _, err := Run(context.Background(), ds, Options{Check: check, Progress: true, Format: FormatJSON}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	p := errOut.String()
	if !strings.Contains(p, "\r░") || !strings.Contains(p, "\r██████████████████████████████ 4/4 devices") || !strings.HasSuffix(p, "\r\x1b[K") {
		t.Errorf("progress = %q", p)
	}
	if strings.Contains(out.String(), "\r") {
		t.Errorf("progress leaked into stdout")
	}
}

func TestRunSheets(t *testing.T) {
	ds, check := mixedFleet()
	ds[1].Name, ds[1].Profile.Device.Name = "Büro 2/OG: Ricoh", "Büro 2/OG: Ricoh"
	dir := filepath.Join(t.TempDir(), "sheets", "new")
	var fleetGot []string
	sheets := Sheets{
		Device: func(w io.Writer, r *report.Report, lang string) error {
			_, err := fmt.Fprintf(w, "%%PDF sheet of %s in %s", r.Device.Name, lang)
			return err
		},
		Fleet: func(w io.Writer, rs []*report.Report, lang string) error {
			for _, r := range rs {
				fleetGot = append(fleetGot, r.Device.Name)
			}
			_, err := fmt.Fprintf(w, "%%PDF fleet of %d", len(rs))
			return err
		},
	}
	opts := Options{Check: check, Format: FormatJSON, SheetsDir: dir, Sheets: sheets, Lang: "de", OnlyProblems: true}
	if _, _, err := runFormat(t, ds, opts); err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Error(err)
		}
		return string(b)
	}
	if got := read("B-ro-2-OG-Ricoh.pdf"); got != "%PDF sheet of Büro 2/OG: Ricoh in de" {
		t.Errorf("sheet = %q", got)
	}
	if got := read("fleet-summary.pdf"); got != "%PDF fleet of 4" || len(fleetGot) != 4 {
		t.Errorf("fleet sheet = %q (%v)", got, fleetGot)
	}
	if _, err := os.Stat(filepath.Join(dir, "a-ok.pdf")); err == nil {
		t.Error("--only-problems wrote a sheet for an ok device")
	}

	// A second run never overwrites: new names get a suffix.
	if _, _, err := runFormat(t, ds, opts); err != nil {
		t.Fatal(err)
	}
	if got := read("c-error-2.pdf"); got != "%PDF sheet of c-error in de" {
		t.Errorf("second sheet = %q", got)
	}
	if read("fleet-summary-2.pdf") == "" {
		t.Error("no fleet-summary-2.pdf")
	}
	// --force overwrites in place.
	os.WriteFile(filepath.Join(dir, "c-error.pdf"), []byte("old"), 0o644)
	opts.Force = true
	if _, _, err := runFormat(t, ds, opts); err != nil {
		t.Fatal(err)
	}
	if got := read("c-error.pdf"); got != "%PDF sheet of c-error in de" {
		t.Errorf("forced sheet = %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "c-error-3.pdf")); err == nil {
		t.Error("--force still made a new name")
	}

	// A failing renderer leaves no half-written file and is reported; the
	// output is still written.
	opts.Force = false
	opts.Sheets.Device = func(w io.Writer, r *report.Report, lang string) error {
		io.WriteString(w, "%PDF half")
		return errors.New("font missing")
	}
	dir2 := t.TempDir()
	opts.SheetsDir = dir2
	out, _, err := runFormat(t, ds, opts)
	if err == nil || !strings.Contains(err.Error(), "sheet of Büro 2/OG: Ricoh: font missing") || !strings.Contains(out, `"schema": "mfpcheck.batch/v1"`) {
		t.Fatalf("err = %v out %q", err, out)
	}
	entries, _ := os.ReadDir(dir2)
	if len(entries) != 1 || entries[0].Name() != "fleet-summary.pdf" {
		t.Errorf("files after a failing renderer: %v", entries)
	}
}

func TestSheetFileName(t *testing.T) {
	for in, want := range map[string]string{
		"epson-2f":              "epson-2f.pdf",
		"../../etc/passwd":      "etc-passwd.pdf",
		"Büro 2 / OG":           "B-ro-2-OG.pdf",
		"":                      "device.pdf",
		"...":                   "device.pdf",
		strings.Repeat("x", 99): strings.Repeat("x", 80) + ".pdf",
	} {
		if got := SheetFileName(in); got != want {
			t.Errorf("SheetFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestStreamedJSONIsRenderJSON: the streamed json document is, byte for
// byte, what RenderJSON writes for the same reports and summary, with
// reports and without (--only-problems, all ok).
func TestStreamedJSONIsRenderJSON(t *testing.T) {
	ds, check := mixedFleet()
	allOK := func(ctx context.Context, d Device) *report.Report { return fakeReport(d, report.VerdictOK) }
	for _, opts := range []Options{
		{Check: check, Format: FormatJSON, Concurrency: 1},
		{Check: allOK, Format: FormatJSON, OnlyProblems: true},
	} {
		out, _, _ := runFormat(t, ds, opts)
		var b Batch
		if err := json.Unmarshal([]byte(out), &b); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		var want bytes.Buffer
		if b.Reports == nil {
			b.Reports = []*report.Report{}
		}
		if err := RenderJSON(&want, &b); err != nil {
			t.Fatal(err)
		}
		if out != want.String() {
			t.Errorf("streamed:\n%s\nRenderJSON:\n%s", out, want.String())
		}
	}
}
