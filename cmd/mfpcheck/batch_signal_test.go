//go:build unix

package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/batch"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/hostile"
)

// TestBatchInterruptedStreamIsComplete runs the real binary over an
// inventory of quick devices (a closed port: each fails at connect) and
// devices on a server that never speaks, waits until the quick ones are
// on standard output, then sends SIGINT or SIGTERM. The run ends by
// itself with exit 3, and what it wrote is complete: every finished
// device's record whole, the json document closed and marked interrupted
// with the silent devices counted as not checked, the csv rows whole.
func TestBatchInterruptedStreamIsComplete(t *testing.T) {
	bin, err := exec.LookPath("mfpcheck")
	if err != nil {
		t.Fatalf("mfpcheck not in PATH (testscript.Main puts it there): %v", err)
	}
	silent, err := hostile.Silent()
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	closed := closedPort(t)
	silentPort := strings.TrimPrefix(silent.Addr(), "127.0.0.1:")
	const quick, stuck = 4, 3
	var inv strings.Builder
	inv.WriteString("name,vendor,model,address,mailbox,auth_method,server,port,token_file,service\n")
	for i := range quick + stuck {
		port := fmt.Sprint(closed)
		if i%2 == 1 && i/2 < stuck {
			port = silentPort
		}
		fmt.Fprintf(&inv, "dev-%d,epson,WF-C579R,192.0.2.%d,scan%d@contoso.example,none,127.0.0.1,%s,t.json,other\n", i, i+1, i, port)
	}
	path := filepath.Join(t.TempDir(), "inv.csv")
	if err := os.WriteFile(path, []byte(inv.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		format string
		sig    syscall.Signal
		// done reports whether the quick devices are all on stdout.
		done func(out string) bool
	}{
		{"jsonl", syscall.SIGINT, func(out string) bool { return strings.Count(out, "\n") >= quick }},
		{"json", syscall.SIGTERM, func(out string) bool { return strings.Count(out, `"schema": "mfpcheck.report/v1"`) >= quick }},
		{"csv", syscall.SIGINT, func(out string) bool { return strings.Count(out, "\n") >= quick+1 }},
	}
	for _, c := range cases {
		t.Run(c.format, func(t *testing.T) {
			cmd := exec.Command(bin, "batch", path, "--format", c.format, "--concurrency", "16", "--timeout", "10m")
			var stdout, stderr lockedBuffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			cmd.Stdin = nil
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			deadline := time.After(sigBound)
			for !c.done(stdout.String()) {
				select {
				case err := <-done:
					t.Fatalf("ended before the signal: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
				case <-deadline:
					cmd.Process.Kill()
					<-done
					t.Fatalf("the quick devices are not on stdout after %s:\n%s", sigBound, stdout.String())
				case <-time.After(20 * time.Millisecond):
				}
			}
			cmd.Process.Signal(c.sig)
			select {
			case <-done:
			case <-time.After(sigBound):
				cmd.Process.Kill()
				<-done
				t.Fatalf("still running %s after %s", sigBound, c.sig)
			}
			if ws := cmd.ProcessState.Sys().(syscall.WaitStatus); ws.Signaled() {
				t.Fatalf("killed by %s instead of ending by itself", ws.Signal())
			}
			if code := cmd.ProcessState.ExitCode(); code != ExitError {
				t.Errorf("exit %d after %s, want %d\n%s", code, c.sig, ExitError, stderr.String())
			}
			if !strings.Contains(stderr.String(), fmt.Sprintf("%d of %d devices checked", quick, quick+stuck)) {
				t.Errorf("stderr:\n%s", stderr.String())
			}
			out := stdout.String()
			var names []string
			switch c.format {
			case "jsonl":
				for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
					var r report.Report
					if err := json.Unmarshal([]byte(line), &r); err != nil || r.Interrupted || r.Verdict != report.VerdictFail {
						t.Errorf("line %q: %v", line, err)
						continue
					}
					names = append(names, r.Device.Name)
				}
			case "json":
				var b batch.Batch
				if err := json.Unmarshal([]byte(out), &b); err != nil {
					t.Fatalf("json not valid: %v\n%s", err, out)
				}
				if !b.Interrupted || b.Summary.Checked != quick || b.Summary.NotChecked != stuck || b.Summary.Devices != quick+stuck {
					t.Errorf("interrupted %v summary %+v", b.Interrupted, b.Summary)
				}
				for _, r := range b.Reports {
					names = append(names, r.Device.Name)
				}
			case "csv":
				rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
				if err != nil || len(rows) == 0 || rows[0][0] != "name" {
					t.Fatalf("csv: %v\n%s", err, out)
				}
				for _, row := range rows[1:] {
					names = append(names, row[0])
				}
			}
			if len(names) != quick {
				t.Errorf("devices in the output %v, want the %d quick ones", names, quick)
			}
			for _, n := range names {
				var i int
				fmt.Sscanf(n, "dev-%d", &i)
				if i%2 == 1 && i/2 < stuck {
					t.Errorf("%s (on the silent server) is in the output", n)
				}
			}
		})
	}
}
