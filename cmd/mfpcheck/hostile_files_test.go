//go:build unix

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/diag/token"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/hostile"
)

// hfBound is how long a command given a file that is not a file may take:
// it must refuse at once, never wait for a pipe's writer or read an
// endless device. Generous for a loaded CI machine; a blocked read would
// take for ever.
const hfBound = 20 * time.Second

// runBounded runs the CLI and fails the test if it does not end within
// bound (a command blocked on a FIFO would hang the test otherwise).
func runBounded(t *testing.T, a *testApp, bound time.Duration, args ...string) int {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- a.app.run(ctx, args) }()
	select {
	case code := <-done:
		return code
	case <-time.After(bound):
		cancel()
		t.Fatalf("mfpcheck %s still running after %s", strings.Join(args, " "), bound)
		return -1
	}
}

// TestFilesThatAreNotFiles: every file option given a named pipe without a
// writer, /dev/zero, a folder or a huge file ends at once with exit 3 and
// an error naming the file, and reads no more than a small bound.
func TestFilesThatAreNotFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge.json")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(1 << 30) // sparse: 1 GiB of NULs on no disk
	f.Close()
	folder := filepath.Join(dir, "folder")
	os.Mkdir(folder, 0o755)

	rep := sheetReport(t, dir, nil)
	okFleet := filepath.Join(dir, "ok-fleet.yaml")
	os.WriteFile(okFleet, []byte("devices:\n  - device: {name: a, vendor: epson}\n    email: {service: other, auth_method: none}\n    smtp: {server: 127.0.0.1, port: 1}\n"), 0o644)
	for i, bad := range []struct{ path, want string }{
		{fifo, "named pipe"}, {"/dev/zero", "device"}, {folder, "folder"}, {huge, "larger than"},
	} {
		// An --admin-tokens folder whose Exchange token file is the bad
		// one: the error names that file.
		admin := filepath.Join(dir, fmt.Sprintf("admin%d", i))
		os.Mkdir(admin, 0o700)
		adminFile := filepath.Join(admin, exchangeTokenFile)
		if err := os.Symlink(bad.path, adminFile); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{
			{"sheet", "--from", rep, "-o", filepath.Join(dir, "p.pdf"), "--force", "--print", "ipps://127.0.0.1:1", "--print-ca", bad.path},
			{"device", "ipps://127.0.0.1:1", "--ca", bad.path},
			{"batch", okFleet, "--tenant-check", "--tenant", "contoso.onmicrosoft.com", "--admin-tokens", admin},
			{"serve", "--fleet", okFleet, "--listen", "127.0.0.1:0", "--tenant-check", "--tenant", "contoso.onmicrosoft.com", "--admin-tokens", admin},
			{"tenant", "--tenant", "contoso.onmicrosoft.com", "--user", "a@contoso.com", "--admin-tokens", admin},
			{"token", "--token-file", bad.path},
			{"probe", "--profile", bad.path},
			{"probe", "127.0.0.1:1", "--ca", bad.path},
			{"sheet", "--from", bad.path, "-o", filepath.Join(dir, "x.pdf")},
			{"batch", bad.path},
		} {
			if args[0] == "batch" && bad.path == folder {
				continue // a folder of profiles is a fleet
			}
			name := strings.Join(args, " ")
			t.Run(name, func(t *testing.T) {
				var m0, m1 runtime.MemStats
				runtime.ReadMemStats(&m0)
				a := newTestApp(nil)
				code := runBounded(t, a, hfBound, args...)
				runtime.ReadMemStats(&m1)
				if code != ExitError {
					t.Errorf("exit %d, want %d\n%s", code, ExitError, a.err.String())
				}
				stderr := a.err.String()
				named := bad.path
				if slices.Contains(args, admin) {
					named = adminFile
				}
				if !strings.Contains(stderr, "mfpcheck: error:") || !strings.Contains(stderr, named) || !strings.Contains(stderr, bad.want) {
					t.Errorf("stderr does not name the file and what it is (%q):\n%s", bad.want, stderr)
				}
				if grew := m1.TotalAlloc - m0.TotalAlloc; grew > 64<<20 {
					t.Errorf("allocated %d MiB reading %s", grew>>20, bad.path)
				}
			})
		}
	}
}

// TestSheetOutputNeverReplacesSpecialFiles: -o names a pipe (written to),
// a device (written to, still a device after) or a folder (refused, even
// with --force).
func TestSheetOutputNeverReplacesSpecialFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	report := sheetReport(t, dir, nil)

	fifo := filepath.Join(dir, "pipe.pdf")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte, 1)
	go func() {
		f, err := os.Open(fifo) // waits for the writer
		if err != nil {
			got <- nil
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- b
	}()
	a := newTestApp(nil)
	if code := runBounded(t, a, hfBound, "sheet", "--from", report, "-o", fifo, "--force"); code != ExitOK {
		t.Fatalf("sheet -o FIFO: exit %d\n%s", code, a.err.String())
	}
	select {
	case b := <-got:
		if !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Errorf("the pipe's reader got %d bytes, not a PDF", len(b))
		}
	case <-time.After(hfBound):
		t.Fatal("the pipe's reader got nothing")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the named pipe was replaced: %v %v", fi.Mode(), err)
	}

	a = newTestApp(nil)
	if code := runBounded(t, a, hfBound, "sheet", "--from", report, "-o", "/dev/null"); code != ExitOK {
		t.Errorf("sheet -o /dev/null: exit %d\n%s", code, a.err.String())
	}
	if fi, err := os.Stat("/dev/null"); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("/dev/null is no longer a device: %v", err)
	}

	// A folder is never replaced: the sheet goes into it, by its default
	// name.
	folder := filepath.Join(dir, "out")
	os.Mkdir(folder, 0o755)
	a = newTestApp(nil)
	if code := runBounded(t, a, hfBound, "sheet", "--from", report, "-o", folder, "--force"); code != ExitOK {
		t.Errorf("sheet -o FOLDER --force: exit %d\n%s", code, a.err.String())
	}
	if fi, err := os.Stat(folder); err != nil || !fi.IsDir() {
		t.Errorf("the folder was replaced")
	}
	if pdfs, _ := filepath.Glob(filepath.Join(folder, "*.pdf")); len(pdfs) != 1 {
		t.Errorf("the folder holds %v", pdfs)
	}

	// A pipe nobody reads is an error, not a hang.
	lonely := filepath.Join(dir, "lonely.pdf")
	syscall.Mkfifo(lonely, 0o600)
	a = newTestApp(nil)
	if code := runBounded(t, a, hfBound, "sheet", "--from", report, "-o", lonely, "--timeout", "1s"); code != ExitError {
		t.Errorf("sheet -o FIFO without reader: exit %d", code)
	}
}

// TestRefreshKeepsTheFile: a token endpoint that answers 200 with a
// malformed body, a token with spaces or control characters or an oversized
// token replaces nothing: the file stays byte for byte, and the error says
// why.
func TestRefreshKeepsTheFile(t *testing.T) {
	sim, profile := simWithKit(t, "ok")
	before, err := os.ReadFile(sim.TokenFile())
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"malformed JSON":  `{"access_token": "abc`,
		"no access token": `{"token_type":"Bearer","expires_in":3600}`,
		"spaces":          `{"access_token":"eyJ0eXAi OiJKV1Qi","token_type":"Bearer","expires_in":3600}`,
		"control":         `{"access_token":"eyJ0eXAi\u0007OiJKV1Qi","token_type":"Bearer","expires_in":3600}`,
		"refresh control": `{"access_token":"eyJ0eXAiOiJKV1Qi","refresh_token":"0.A\u001b[2J","token_type":"Bearer","expires_in":3600}`,
		"oversized":       `{"access_token":"` + strings.Repeat("A", 200<<10) + `","token_type":"Bearer","expires_in":3600}`,
	} {
		t.Run(name, func(t *testing.T) {
			ep := hostile.BadTokenEndpoint(body)
			defer ep.Close()
			for _, args := range [][]string{
				{"token", "--profile", profile, "--authority", ep.URL, "--refresh", "--json"},
				{"probe", "--profile", profile, "--ca", sim.CAFile(), "--authority", ep.URL, "--refresh", "--json"},
			} {
				a := newTestApp(nil)
				code := runBounded(t, a, hfBound, args...)
				after, _ := os.ReadFile(sim.TokenFile())
				if !bytes.Equal(before, after) {
					t.Fatalf("%s: the token file changed", args[0])
				}
				if _, err := token.Load(sim.TokenFile()); err != nil {
					t.Fatalf("the token file no longer reads: %v", err)
				}
				out := a.out.String() + a.err.String()
				if code == ExitOK || !(strings.Contains(out, "not a token") || strings.Contains(out, "access") || strings.Contains(out, "refresh")) {
					t.Errorf("%s: exit %d, and the output does not say why:\n%s", args[0], code, out)
				}
				if strings.Contains(out, strings.Repeat("A", 100)) || strings.Contains(out, "\x1b[") || strings.Contains(out, "\a") {
					t.Errorf("%s prints the rejected token or its control characters", args[0])
				}
			}
		})
	}
}

// TestRefreshInsideTheBudget: probe --refresh --timeout against a token
// endpoint that never answers ends at the timeout, not at the HTTP
// client's 30 seconds.
func TestRefreshInsideTheBudget(t *testing.T) {
	t.Parallel()
	sim, profile := simWithKit(t, "ok")
	ep := hostile.SilentTokenEndpoint()
	defer ep.Close()
	const timeout = 2 * time.Second
	a := newTestApp(nil)
	start := time.Now()
	code := runBounded(t, a, token.RequestTimeout, "probe", "--profile", profile, "--ca", sim.CAFile(),
		"--authority", ep.URL, "--refresh", "--timeout", timeout.String(), "--json")
	elapsed := time.Since(start)
	if elapsed > timeout+10*time.Second {
		t.Errorf("probe took %s with --timeout %s", elapsed, timeout)
	}
	r := a.report(t)
	if code == ExitOK || r.Token == nil || r.Token.RefreshError == "" {
		t.Errorf("exit %d, token %+v", code, r.Token)
	}
	t.Logf("ended after %s: %s", elapsed.Round(time.Millisecond), r.Token.RefreshError)
	_ = report.Schema
}

// TestSheetFromHugeReport: a crafted report with a huge transcript and
// phase and finding lists prints on a bounded number of pages, says what
// it left out, and the run stays within a memory bound.
func TestSheetFromHugeReport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	report := sheetReport(t, dir, func(r *report.Report) {
		for i := range 25000 {
			r.Transcript = append(r.Transcript, report.TranscriptLine{Dir: "<", Service: "smtp", Text: "250-X-HOSTILE " + strings.Repeat("y", 100)})
			if i < 3000 {
				r.Phases = append(r.Phases, report.Phase{Name: "ehlo", Status: report.StatusOK, Note: strings.Repeat("n", 50)})
				r.Findings = append(r.Findings, report.Finding{ID: "x", Severity: report.SeverityWarning, Title: "finding",
					Steps: []report.Step{{Text: "step"}}, Evidence: []string{strings.Repeat("e", 300)}})
			}
		}
	})
	if fi, _ := os.Stat(report); fi.Size() < 4<<20 {
		t.Fatalf("the crafted report is only %d bytes", fi.Size())
	}
	out := filepath.Join(dir, "huge.pdf")
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	a := newTestApp(nil)
	if code := runBounded(t, a, 2*time.Minute, "sheet", "--from", report, "-o", out); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, a.err.String())
	}
	runtime.ReadMemStats(&m1)
	pdf, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	pages := bytes.Count(pdf, []byte("/Type /Page\n")) + bytes.Count(pdf, []byte("/Type /Page "))
	if pages == 0 || pages > 60 {
		t.Errorf("%d pages", pages)
	}
	text := pdfToText(t, out)
	for _, want := range []string{"more lines not printed", "more phases not printed", "more findings not printed"} {
		if !strings.Contains(text, want) {
			t.Errorf("the sheet does not say %q", want)
		}
	}
	if peak := m1.HeapSys; peak > 1<<30 {
		t.Errorf("heap reserved %d MiB", peak>>20)
	}
	t.Logf("%d pages, %d KiB PDF, heap sys %d MiB", pages, len(pdf)>>10, m1.HeapSys>>20)
}

// simWithKit starts a simulator (closed with the test) and writes its
// device kit; it returns the simulator and the profile's path.
func simWithKit(t *testing.T, scenario string) (*exosim.Sim, string) {
	t.Helper()
	sim, err := exosim.Start(context.Background(), exosim.Options{Scenario: scenario, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	profile, err := sim.WriteKit()
	if err != nil {
		t.Fatal(err)
	}
	return sim, profile
}

// TestBatchBadRowIsThatDevicesError: in a fleet, a device whose profile is
// a named pipe, and a CSV row whose ca file is /dev/zero, are those
// devices' errors; the other devices are still checked and the output
// holds every device.
func TestBatchBadRowIsThatDevicesError(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	fleet := filepath.Join(dir, "fleet.yaml")
	os.WriteFile(fleet, []byte("devices:\n  - profile: pipe.yaml\n  - device: {name: good, vendor: epson}\n"+
		"    email: {service: other, auth_method: none}\n    smtp: {server: 127.0.0.1, port: 1, security: none}\n"), 0o644)
	inv := filepath.Join(dir, "inv.csv")
	os.WriteFile(inv, []byte("name,vendor,model,address,mailbox,auth_method,server,port,security,token_file,ca\n"+
		"zero,Epson,WF,192.0.2.1,s@c.example,none,127.0.0.1,1,none,,/dev/zero\n"+
		"fine,Epson,WF,192.0.2.2,s@c.example,none,127.0.0.1,1,none,,\n"), 0o644)
	for _, f := range []struct{ fleet, bad, want string }{{fleet, "pipe.yaml", "named pipe"}, {inv, "zero", "device"}} {
		a := newTestApp(nil)
		runBounded(t, a, hfBound, "batch", f.fleet, "--format", "jsonl", "--timeout", "10s")
		lines := strings.Split(strings.TrimSpace(a.out.String()), "\n")
		if len(lines) != 2 {
			t.Fatalf("%s: %d output lines, want 2:\n%s\n%s", f.fleet, len(lines), a.out.String(), a.err.String())
		}
		var bad, good bool
		for _, l := range lines {
			switch {
			case strings.Contains(l, `"verdict":"error"`) && strings.Contains(l, f.want):
				bad = true
			case strings.Contains(l, `"name":"connect"`):
				good = true
			}
		}
		if !bad || !good {
			t.Errorf("%s: want the bad device's error (%q) and the other device checked:\n%s", f.fleet, f.want, a.out.String())
		}
	}
}
