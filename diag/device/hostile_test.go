package device

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/OpenPrinting/goipp"

	"github.com/mfpcheck/mfpcheck/fixtures/testkit/hostile"
)

// unsafeText reports the first rune of s that must never reach a
// terminal, CSV, PDF or TUI: a C0 or C1 control or a bidi control.
func unsafeText(s string) (rune, bool) {
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return r, true
		}
	}
	return 0, false
}

// TestHostilePrinterText: a printer whose every string carries escapes,
// C1 controls and bidi overrides, with values as long as IPP allows and
// 10,000 document formats: PrintPDF prints, and nothing it keeps (the
// identity, the job, the line that reports them) holds an unsafe rune or
// grows past its bounds.
func TestHostilePrinterText(t *testing.T) {
	p := hostile.PrinterHostileText()
	defer p.Close()
	c := &Client{URI: p.URI(), Timeout: 30 * time.Second}
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	res, err := c.PrintPDF(context.Background(), "sheet", []byte("%PDF-1.4\n"))
	runtime.ReadMemStats(&m1)
	if err != nil {
		t.Fatalf("PrintPDF: %v", err)
	}
	if grew := m1.TotalAlloc - m0.TotalAlloc; grew > 256<<20 {
		t.Errorf("allocated %d MiB for one hostile answer", grew>>20)
	}
	id, job := res.Printer, res.Job
	fields := map[string][]string{
		"model": {id.MakeAndModel}, "firmware": {id.Firmware}, "more info": {id.MoreInfo},
		"state reasons": id.StateReasons, "formats": id.DocumentFormats,
		"job state reasons": job.StateReasons, "line": {res.String()},
	}
	for name, vals := range fields {
		if len(vals) == 0 || vals[0] == "" {
			t.Errorf("%s: empty, the test proves nothing", name)
		}
		if len(vals) > maxValues+1 { // + application/pdf, wherever it was listed
			t.Errorf("%s: %d values kept, more than %d", name, len(vals), maxValues)
		}
		for _, v := range vals {
			if r, bad := unsafeText(v); bad {
				t.Errorf("%s holds %U: %.80q", name, r, v)
			}
			if strings.Contains(v, "]52;") || strings.Contains(v, "[31m") {
				t.Errorf("%s holds an escape sequence's body: %.80q", name, v)
			}
		}
	}
	if len(id.Firmware) > maxText || len(res.String()) > 4*maxText {
		t.Errorf("firmware %d bytes, report line %d bytes: unbounded", len(id.Firmware), len(res.String()))
	}
}

// TestEndlessPrinterAnswer: a printer that answers 200 and then sends
// bytes for ever: Identify ends with an error naming the limit, having read
// no more than MaxResponse.
func TestEndlessPrinterAnswer(t *testing.T) {
	p := hostile.PrinterEndless()
	defer p.Close()
	c := &Client{URI: p.URI(), Timeout: 2 * time.Minute}
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	_, err := c.Identify(context.Background())
	runtime.ReadMemStats(&m1)
	if err == nil || !strings.Contains(err.Error(), "answer longer than") {
		t.Fatalf("Identify = %v, want an answer longer than %d bytes", err, MaxResponse)
	}
	if grew := m1.TotalAlloc - m0.TotalAlloc; grew > 8*MaxResponse {
		t.Errorf("allocated %d MiB reading an endless answer", grew>>20)
	}
}

// TestPrinterRedirectNotFollowed: a printer that answers with an HTTP
// redirect sends mfpcheck nowhere: nothing reaches the other address, and
// the error names the status.
func TestPrinterRedirectNotFollowed(t *testing.T) {
	other := hostile.PrinterHostileText()
	defer other.Close()
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		p := hostile.PrinterRedirect(status, other.URL+"/ipp/print")
		c := &Client{URI: p.URI(), Timeout: 30 * time.Second}
		_, err := c.Identify(context.Background())
		if _, perr := c.PrintJob(context.Background(), "sheet", PDF, []byte("%PDF-1.4\n")); perr == nil {
			t.Errorf("HTTP %d: Print-Job taken", status)
		}
		p.Close()
		if err == nil || !strings.Contains(err.Error(), http.StatusText(status)) {
			t.Errorf("HTTP %d: Identify = %v, want an error naming the status", status, err)
		}
		if n := other.Requests.Load(); n != 0 {
			t.Fatalf("HTTP %d: the redirect was followed (%d requests reached the other address)", status, n)
		}
	}
}

// FuzzParseJob: whatever a printer answers to Print-Job, ParseJob keeps
// no unsafe rune, no more than maxValues reasons, and the line that
// reports the job (Printed.String) and any error stay one bounded line.
func FuzzParseJob(f *testing.F) {
	var j goipp.Attributes
	j.Add(goipp.MakeAttribute("job-id", goipp.TagInteger, goipp.Integer(7)))
	j.Add(goipp.MakeAttribute("job-state", goipp.TagEnum, goipp.Integer(9)))
	j.Add(goipp.MakeAttr("job-state-reasons", goipp.TagKeyword, goipp.String("job-completed-successfully"), goipp.String(hostile.Outside)))
	m := goipp.NewResponse(goipp.DefaultVersion, goipp.StatusOk, 1)
	m.Job = j
	ok, _ := m.EncodeBytes()
	f.Add(ok)
	f.Add(response(goipp.StatusErrorBusy, nil))
	f.Add([]byte{2, 0, 0, 0, 0, 0, 0, 1, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		job, err := ParseJob(b)
		if err != nil {
			if r, bad := unsafeText(err.Error()); bad || len(err.Error()) > 4*maxText {
				t.Fatalf("error holds %U or is %d bytes: %q", r, len(err.Error()), err)
			}
			return
		}
		if len(job.StateReasons) > maxValues {
			t.Fatalf("%d reasons kept", len(job.StateReasons))
		}
		line := (&Printed{Printer: &Identity{URI: "ipp://127.0.0.1/ipp/print"}, Job: job}).String()
		for _, s := range append([]string{job.State, line}, job.StateReasons...) {
			if r, bad := unsafeText(s); bad || len(s) > 4*maxText {
				t.Fatalf("value holds %U or is %d bytes: %q", r, len(s), s)
			}
		}
	})
}
