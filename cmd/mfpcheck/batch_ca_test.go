package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/batch"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
)

// TestBatchCAAndVerifyCert: batch --ca verifies every device against the
// simulator's CA; a CSV inventory's ca column overrides it per device and
// its verify_cert column turns the check off like the device's own
// setting; --insecure turns it off for all.
func TestBatchCAAndVerifyCert(t *testing.T) {
	ctx := context.Background()
	a1, err := exosim.Start(ctx, exosim.Options{Scenario: "ok", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer a1.Close()
	b1, err := exosim.Start(ctx, exosim.Options{Scenario: "ok", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer b1.Close()
	dir := t.TempDir()
	caB, _ := os.ReadFile(b1.CAFile())
	if err := os.WriteFile(filepath.Join(dir, "b-ca.pem"), caB, 0o644); err != nil {
		t.Fatal(err)
	}
	inv := "name,vendor,model,address,mailbox,auth_method,server,port,token_file,verify_cert,ca\n" +
		fmt.Sprintf("A,epson,WF-C879R,192.0.2.1,%s,oauth2,127.0.0.1,%d,%s,,\n", exosim.DeviceUser, a1.Port(), a1.TokenFile()) +
		fmt.Sprintf("B,epson,WF-C879R,192.0.2.2,%s,oauth2,127.0.0.1,%d,%s,yes,b-ca.pem\n", exosim.DeviceUser, b1.Port(), b1.TokenFile()) +
		fmt.Sprintf("C,epson,WF-C879R,192.0.2.3,%s,oauth2,127.0.0.1,%d,%s,Nein,\n", exosim.DeviceUser, a1.Port(), a1.TokenFile())
	path := filepath.Join(dir, "inventory.csv")
	if err := os.WriteFile(path, []byte(inv), 0o644); err != nil {
		t.Fatal(err)
	}
	devices, err := batch.LoadFleet(path)
	if err != nil {
		t.Fatal(err)
	}
	if devices[1].CAFile != filepath.Join(dir, "b-ca.pem") || devices[2].Profile.SMTP.VerifyCertOn() {
		t.Fatalf("ca %q, C verify %v", devices[1].CAFile, devices[2].Profile.SMTP.VerifyCertOn())
	}

	a := newTestApp(nil)
	a.runCLI(t, "batch", path, "--ca", a1.CAFile(), "--format", "csv")
	rows := csvRows(t, a.out.String())
	for name, want := range map[string]string{"A": "ok", "B": "ok", "C": "warning"} {
		if got := rows[name]; got != want {
			t.Errorf("--ca: %s is %s, want %s\n%s", name, got, want, a.out.String())
		}
	}

	// Without --ca, A's private CA is not trusted; with --insecure every
	// device is checked with verification off (a warning when the chain
	// verifies anyway).
	a = newTestApp(nil)
	a.runCLI(t, "batch", path, "--format", "csv")
	if rows := csvRows(t, a.out.String()); rows["A"] != "fail" || rows["B"] != "ok" {
		t.Errorf("no --ca: %v", rows)
	}
	a = newTestApp(nil)
	a.runCLI(t, "batch", path, "--ca", a1.CAFile(), "--insecure", "--format", "csv")
	if rows := csvRows(t, a.out.String()); rows["A"] != "warning" || rows["B"] != "warning" {
		t.Errorf("--insecure: %v", rows)
	}

	a = newTestApp(nil)
	if code := a.runCLI(t, "batch", path, "--ca", filepath.Join(dir, "missing.pem")); code != ExitError || !strings.Contains(a.err.String(), "--ca") {
		t.Errorf("missing --ca: exit %d, %q", code, a.err.String())
	}
}

// csvRows maps batch's CSV output to name → verdict.
func csvRows(t *testing.T, out string) map[string]string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 {
		t.Fatalf("csv output: %q", out)
	}
	head := strings.Split(lines[0], ",")
	ni, vi := -1, -1
	for i, h := range head {
		switch h {
		case "name":
			ni = i
		case "verdict":
			vi = i
		}
	}
	if ni < 0 || vi < 0 {
		t.Fatalf("csv header %q", lines[0])
	}
	rows := map[string]string{}
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		if len(f) > vi && len(f) > ni {
			rows[f[ni]] = f[vi]
		}
	}
	return rows
}
