package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/hostile"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/ippeve"
	"github.com/mfpcheck/mfpcheck/tui"
)

// spooled returns the files in a printer's spool folder that match
// pattern (the PDF printer keeps each job as JOBID-NAME.pdf, with the
// print command's output beside it as .prn).
func spooled(t *testing.T, spool, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(spool, pattern))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// sameAsSpooled fails t unless the newest document the printer kept is
// byte for byte the sheet written to path.
func sameAsSpooled(t *testing.T, spool, path string, wantJobs int) {
	t.Helper()
	files := spooled(t, spool, "*.pdf")
	if len(files) != wantJobs {
		t.Fatalf("the printer kept %d documents, want %d: %v", len(files), wantJobs, files)
	}
	want, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(want, []byte("%PDF-")) {
		t.Fatalf("the sheet %s: %v", path, err)
	}
	for _, f := range files {
		got, err := os.ReadFile(f)
		if err == nil && bytes.Equal(got, want) {
			return
		}
	}
	t.Errorf("no document in %s is byte-identical to %s (%d bytes): %v", spool, path, len(want), files)
}

// printerCert fetches the certificate an ipps printer shows and writes it
// as PEM (what a technician saves from the printer's web page).
func printerCert(t *testing.T, addr, file string) {
	t.Helper()
	c, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"}) //nolint:gosec // only to read the certificate
	if err != nil {
		t.Fatalf("TLS to %s: %v", addr, err)
	}
	defer c.Close()
	der := c.ConnectionState().PeerCertificates[0].Raw
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
}

var sentLine = regexp.MustCompile(`mfpcheck: status sheet sent: job [0-9]+ \((pending|processing|completed)[^)]*\) on `)

// TestPrintSheetRealPrinter prints the sheet on CUPS's ippeveprinter in a
// private network namespace, through the CLI as a technician runs it: the
// job the printer keeps is byte for byte the sheet written with -o; a
// printer without PDF gets nothing; ipps checks the certificate unless
// told otherwise.
func TestPrintSheetRealPrinter(t *testing.T) {
	t.Parallel()
	if !ippeve.InNamespace(t) {
		return
	}
	printers := ippeve.Start(t)
	dir := t.TempDir()
	rep := sheetReport(t, dir, func(r *report.Report) { r.Device.Address = "localhost:8631" })
	jobs := 0

	// --print URI: written, sent, byte-identical.
	out := filepath.Join(dir, "a.pdf")
	a := newTestApp(nil)
	if code := runBounded(t, a, hfBound, "sheet", "--from", rep, "-o", out, "--print", printers.PDF.URI); code != ExitOK {
		t.Fatalf("sheet --print: exit %d\n%s", code, a.err)
	}
	jobs++
	t.Logf("sheet --print:\n%s", a.err)
	if !sentLine.MatchString(a.err.String()) || !strings.Contains(a.err.String(), printers.PDF.URI+" ("+ippeve.Make+" "+ippeve.Model+")") {
		t.Errorf("sheet --print: stderr does not report the job:\n%s", a.err)
	}
	if strings.TrimSpace(a.out.String()) != out {
		t.Errorf("stdout = %q, want the file's path", a.out)
	}
	sameAsSpooled(t, printers.PDF.Spool, out, jobs)

	// --print-to: the report's own device address.
	out = filepath.Join(dir, "b.pdf")
	a = newTestApp(nil)
	if code := runBounded(t, a, hfBound, "sheet", "--from", rep, "-o", out, "--print-to", "--lang", "fr"); code != ExitOK {
		t.Fatalf("sheet --print-to: exit %d\n%s", code, a.err)
	}
	jobs++
	sameAsSpooled(t, printers.PDF.Spool, out, jobs)

	// probe --sheet FILE --print URI: the mail server is closed (verdict
	// fail, exit 2), the sheet still goes to the printer.
	out = filepath.Join(dir, "c.pdf")
	a = newTestApp(nil)
	code := runBounded(t, a, hfBound, "probe", "127.0.0.1:1", "--auth", "none", "--timeout", "10s", "--sheet", out, "--print", "localhost:8631")
	if code != ExitFail || !sentLine.MatchString(a.err.String()) {
		t.Fatalf("probe --sheet --print: exit %d\n%s", code, a.err)
	}
	jobs++
	sameAsSpooled(t, printers.PDF.Spool, out, jobs)

	// The TUI's "p": the file "s" wrote, on the device's own address.
	res, err := newTestApp(nil).tuiPrint(context.Background(), tui.Device{Name: "Empfang", Address: "localhost:8631"}, out)
	if err != nil || !strings.HasPrefix(res, "job ") {
		t.Fatalf("tuiPrint = %q, %v", res, err)
	}
	jobs++
	sameAsSpooled(t, printers.PDF.Spool, out, jobs)
	if _, err := newTestApp(nil).tuiPrint(context.Background(), tui.Device{Address: "localhost:8632"}, out); err == nil ||
		!strings.Contains(err.Error(), "does not take application/pdf") {
		t.Errorf("tuiPrint on the printer without PDF: %v", err)
	}

	// A printer that does not take PDF: a finding, exit 2, nothing sent.
	a = newTestApp(nil)
	code = runBounded(t, a, hfBound, "sheet", "--from", rep, "-o", filepath.Join(dir, "d.pdf"), "--print", printers.Raster.URI)
	if code != ExitFail || !strings.Contains(a.err.String(), "[device.print.no_pdf]") ||
		!strings.Contains(a.err.String(), "image/pwg-raster") || !strings.Contains(a.err.String(), "mfpcheck: hint: ") {
		t.Errorf("sheet --print (no PDF): exit %d\n%s", code, a.err)
	}
	t.Logf("sheet --print (no PDF):\n%s", a.err)
	if files := spooled(t, printers.Raster.Spool, "*"); len(files) != 0 {
		t.Errorf("the printer without PDF got %v", files)
	}

	// ipps: ippeveprinter answers TLS on the same port with a self-signed
	// certificate for localhost. Refused by default, nothing sent.
	ipps := "ipps://localhost:8631/ipp/print"
	a = newTestApp(nil)
	code = runBounded(t, a, hfBound, "sheet", "--from", rep, "-o", filepath.Join(dir, "e.pdf"), "--print", ipps)
	if code != ExitFail || !strings.Contains(a.err.String(), "certificate") || !strings.Contains(a.err.String(), "--print-ca") {
		t.Errorf("sheet --print ipps (untrusted): exit %d\n%s", code, a.err)
	}
	t.Logf("sheet --print ipps (untrusted):\n%s", a.err)
	if n := len(spooled(t, printers.PDF.Spool, "*.pdf")); n != jobs {
		t.Errorf("an untrusted ipps printer got a job (%d documents, want %d)", n, jobs)
	}
	// Its certificate as --print-ca: trusted, sent.
	ca := filepath.Join(dir, "printer.pem")
	printerCert(t, "127.0.0.1:8631", ca)
	out = filepath.Join(dir, "f.pdf")
	a = newTestApp(nil)
	if code := runBounded(t, a, hfBound, "sheet", "--from", rep, "-o", out, "--print", ipps, "--print-ca", ca); code != ExitOK {
		t.Fatalf("sheet --print ipps --print-ca: exit %d\n%s", code, a.err)
	}
	jobs++
	sameAsSpooled(t, printers.PDF.Spool, out, jobs)
	// --print-insecure: sent without a check.
	out = filepath.Join(dir, "g.pdf")
	a = newTestApp(nil)
	if code := runBounded(t, a, hfBound, "sheet", "--from", rep, "-o", out, "--print", ipps, "--print-insecure"); code != ExitOK {
		t.Fatalf("sheet --print ipps --print-insecure: exit %d\n%s", code, a.err)
	}
	jobs++
	sameAsSpooled(t, printers.PDF.Spool, out, jobs)
}

// silentPrinter accepts connections and never answers: a printer that
// hangs.
func silentPrinter(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return "ipp://" + ln.Addr().String() + "/ipp/print"
}

// TestPrintSheetBounded: a printer that never answers ends the command
// within its --timeout (exit 2, a hint), and Ctrl-C ends it at once (exit
// 3); wrong print options are input errors before anything is sent.
func TestPrintSheetBounded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rep := sheetReport(t, dir, nil)
	uri := silentPrinter(t)

	a := newTestApp(nil)
	code := runBounded(t, a, hfBound, "sheet", "--from", rep, "-o", filepath.Join(dir, "a.pdf"), "--print", uri, "--timeout", "1s")
	if code != ExitFail || !strings.Contains(a.err.String(), "did not answer within 1s") {
		t.Errorf("silent printer: exit %d\n%s", code, a.err)
	}

	// Ctrl-C while the printer is silent (a long --timeout).
	a = newTestApp(nil)
	if code := runInterrupted(t, a, "sheet", "--from", rep, "-o", filepath.Join(dir, "b.pdf"), "--print", uri, "--timeout", "10m"); code != ExitError ||
		!strings.Contains(a.err.String(), "interrupted") {
		t.Errorf("interrupted print: exit %d\n%s", code, a.err)
	}

	// No device address for --print-to: exit 3, a hint, no sheet written.
	a = newTestApp(nil)
	code = a.runCLI(t, "sheet", "--from", rep, "-o", filepath.Join(dir, "c.pdf"), "--print-to")
	if code != ExitError || !strings.Contains(a.err.String(), "device.address") || !strings.Contains(a.err.String(), "mfpcheck: hint: ") {
		t.Errorf("--print-to without an address: exit %d\n%s", code, a.err)
	}
	if _, err := os.Stat(filepath.Join(dir, "c.pdf")); err == nil {
		t.Errorf("the sheet was written although the command could not run")
	}
	for _, args := range [][]string{
		{"sheet", "--from", rep, "--print-insecure"},
		{"sheet", "--from", rep, "--print", uri, "--print-to"},
		{"sheet", "--from", rep, "--print", "http://printer.example/"},
		{"probe", "127.0.0.1:1", "--auth", "none", "--print", uri},
	} {
		a = newTestApp(nil)
		if code := a.runCLI(t, args...); code != ExitError || !strings.Contains(a.err.String(), "mfpcheck: hint: ") {
			t.Errorf("%v: exit %d\n%s", args, code, a.err)
		}
	}
}

// TestPrintSheetHostilePrinter: sheet --print to a printer whose every
// string carries escapes, C1 controls and bidi overrides at IPP's longest
// lengths prints, and what mfpcheck says on stderr holds none of them and
// stays short; a printer that redirects is an error (exit 2) and the
// address it names gets nothing.
func TestPrintSheetHostilePrinter(t *testing.T) {
	dir := t.TempDir()
	rep := sheetReport(t, dir, nil)
	p := hostile.PrinterHostileText()
	defer p.Close()
	a := newTestApp(nil)
	if code := runBounded(t, a, hfBound, "sheet", "--from", rep, "-o", filepath.Join(dir, "a.pdf"), "--print", p.URI()); code != ExitOK {
		t.Fatalf("exit %d, want %d\n%s", code, ExitOK, a.err.String())
	}
	stderr := a.err.String()
	if !strings.Contains(stderr, "status sheet sent: job 7") || len(stderr) > 8<<10 {
		t.Errorf("stderr does not report the job in a few lines (%d bytes):\n%.2000s", len(stderr), stderr)
	}
	for _, r := range stderr {
		if (r < 0x20 && r != '\n') || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			t.Fatalf("stderr holds %U:\n%.2000q", r, stderr)
		}
	}

	redirect := hostile.PrinterRedirect(302, p.URL+"/ipp/print")
	defer redirect.Close()
	sent := p.Requests.Load()
	a = newTestApp(nil)
	if code := runBounded(t, a, hfBound, "sheet", "--from", rep, "-o", filepath.Join(dir, "b.pdf"), "--print", redirect.URI()); code != ExitFail {
		t.Errorf("redirecting printer: exit %d, want %d\n%s", code, ExitFail, a.err.String())
	}
	if n := p.Requests.Load(); n != sent {
		t.Errorf("the redirect was followed: %d requests reached the other address", n-sent)
	}
}
