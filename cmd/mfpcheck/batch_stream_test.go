package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/batch"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// badRowsInventory is a CSV inventory whose good rows point at a closed
// loopback port (each fails at connect, quickly) between rows that cannot
// be checked: a malformed row (a quote in an unquoted cell), a row with
// too few cells, a bad port, a missing server. want maps each device name
// in the output to the inventory line its error must name ("" for the
// good ones).
func badRowsInventory(t *testing.T) (path string, want map[string]string) {
	t.Helper()
	port := closedPort(t)
	row := func(name, server, port string) string {
		return fmt.Sprintf("%s,epson,WF-C579R,192.0.2.1,scan@contoso.example,none,%s,%s,t.json,other\n", name, server, port)
	}
	p := fmt.Sprint(port)
	body := "name,vendor,model,address,mailbox,auth_method,server,port,token_file,service\n" +
		row("good-1", "127.0.0.1", p) + // line 2
		"bad\"quote,epson,WF\"C579R,192.0.2.1,scan@contoso.example,none,127.0.0.1," + p + ",t.json,other\n" + // 3
		"short,epson,WF-C579R\n" + // 4
		row("bad-port", "127.0.0.1", "five") + // 5
		row("no-server", "", p) + // 6
		"# a comment\n" +
		row("good-2", "127.0.0.1", p) // 8
	path = filepath.Join(t.TempDir(), "inv.csv")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, map[string]string{
		"good-1": "", path + ":3": "inv.csv:3:", "short": "inv.csv:4:", "bad-port": "inv.csv:5: port:",
		"no-server": "inv.csv:6: server:", "good-2": "",
	}
}

// TestBatchBadRowsAreDeviceErrors: through the CLI, each row that cannot
// be checked is that device's error report naming the row, the other
// devices are checked, every format's output is complete and valid, the
// bad rows are named on stderr, and the exit code is 3 (the worst device's,
// error).
func TestBatchBadRowsAreDeviceErrors(t *testing.T) {
	path, want := badRowsInventory(t)
	check := func(t *testing.T, name, verdict, errText string) {
		t.Helper()
		line, ok := want[name]
		if !ok {
			t.Errorf("unexpected device %q", name)
			return
		}
		if line == "" {
			if verdict != string(report.VerdictFail) {
				t.Errorf("%s: verdict %s, want fail (closed port)", name, verdict)
			}
			return
		}
		if verdict != string(report.VerdictError) || !strings.Contains(errText, line) {
			t.Errorf("%s: verdict %s error %q, want error naming %q", name, verdict, errText, line)
		}
	}
	for _, format := range []string{"jsonl", "json", "csv", "text"} {
		t.Run(format, func(t *testing.T) {
			a := newTestApp(nil)
			code := a.runCLI(t, "batch", path, "--format", format, "--concurrency", "3")
			if code != ExitError {
				t.Errorf("exit %d, want %d (a device is error)", code, ExitError)
			}
			out := a.out.String()
			seen := 0
			switch format {
			case "jsonl":
				for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
					var r report.Report
					if err := json.Unmarshal([]byte(line), &r); err != nil {
						t.Fatalf("line %q: %v", line, err)
					}
					check(t, r.Device.Name, string(r.Verdict), r.Error)
					seen++
				}
			case "json":
				var b batch.Batch
				if err := json.Unmarshal([]byte(out), &b); err != nil {
					t.Fatalf("%v\n%s", err, out)
				}
				for _, r := range b.Reports {
					check(t, r.Device.Name, string(r.Verdict), r.Error)
					seen++
				}
				if s := b.Summary; s.Devices != 6 || s.Checked != 6 || s.Error != 4 || s.Fail != 2 || b.Interrupted {
					t.Errorf("summary %+v", s)
				}
			case "csv":
				rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
				if err != nil {
					t.Fatalf("%v\n%s", err, out)
				}
				for _, row := range rows[1:] {
					check(t, row[0], row[4], row[10])
					seen++
				}
			case "text":
				for name := range want {
					if strings.Contains(out, filepath.Base(name)) {
						seen++
					}
				}
				if !strings.Contains(out, "6 devices: 0 ok, 0 warning, 2 fail, 4 error") {
					t.Errorf("text:\n%s", out)
				}
			}
			if seen != len(want) {
				t.Errorf("%d devices in the output, want %d:\n%s", seen, len(want), out)
			}
			errs := a.err.String()
			for _, line := range []string{":3:", ":4:", ":5: port:", ":6: server:"} {
				if !strings.Contains(errs, "mfpcheck: error: "+path+line) {
					t.Errorf("stderr does not name %s:\n%s", line, errs)
				}
			}
			if !strings.Contains(errs, "mfpcheck: hint:") {
				t.Errorf("no hint:\n%s", errs)
			}
		})
	}
}

// TestBatchYAMLBadEntryIsDeviceError: in a YAML fleet an unknown vendor
// and a bad port are those devices' errors (file and line in them); the
// good device is checked; exit 3.
func TestBatchYAMLBadEntryIsDeviceError(t *testing.T) {
	port := closedPort(t)
	path := writeFleet(t, fmt.Sprintf(`defaults:
  email: {auth_method: none, service: other}
  smtp: {server: 127.0.0.1, port: %d, security: starttls}
devices:
  - device: {name: canon-1, vendor: canon}
  - device: {name: epson-1, vendor: epson}
  - device: {name: epson-2, vendor: epson}
    smtp: {port: 99999}
`, port))
	a := newTestApp(nil)
	if code := a.runCLI(t, "batch", path, "--format", "jsonl"); code != ExitError {
		t.Errorf("exit %d, want %d", code, ExitError)
	}
	got := map[string]report.Report{}
	for _, line := range strings.Split(strings.TrimSpace(a.out.String()), "\n") {
		var r report.Report
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		got[r.Device.Name] = r
	}
	if r := got["canon-1"]; r.Verdict != report.VerdictError || !strings.Contains(r.Error, path+`:5: device.vendor: "canon"`) {
		t.Errorf("canon-1: %s %q", r.Verdict, r.Error)
	}
	if r := got["epson-2"]; r.Verdict != report.VerdictError || !strings.Contains(r.Error, path+":8: smtp.port:") {
		t.Errorf("epson-2: %s %q", r.Verdict, r.Error)
	}
	if r := got["epson-1"]; r.Verdict != report.VerdictFail {
		t.Errorf("epson-1: %s %q", r.Verdict, r.Error)
	}
	if len(got) != 3 {
		t.Errorf("%d reports", len(got))
	}
}

// TestBatchCSVUnknownVendorWarns: a maker mfpcheck has no menus for is
// checked as other, with a warning naming the row as it is read.
func TestBatchCSVUnknownVendorWarns(t *testing.T) {
	port := closedPort(t)
	path := filepath.Join(t.TempDir(), "inv.csv")
	body := "name,vendor,model,address,mailbox,auth_method,server,port,token_file,service\n" +
		fmt.Sprintf("km-1,Konica Minolta,C300i,192.0.2.1,scan@contoso.example,none,127.0.0.1,%d,t.json,other\n", port)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	a := newTestApp(nil)
	if code := a.runCLI(t, "batch", path, "--format", "jsonl"); code != ExitFail {
		t.Errorf("exit %d, want %d", code, ExitFail)
	}
	if want := "mfpcheck: warning: " + path + `:2: vendor "Konica Minolta": checked as other`; !strings.Contains(a.err.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, a.err.String())
	}
	var r report.Report
	if err := json.Unmarshal(a.out.Bytes(), &r); err != nil || r.Device.Vendor != "other" {
		t.Errorf("report %v vendor %+v", err, r.Device)
	}
}
