package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
)

// TestDemoSheetPathCheckedFirst: an existing --sheet file stops the demo
// before the simulator starts, error before hint; --force overwrites.
func TestDemoSheetPathCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "status.pdf")
	if err := os.WriteFile(path, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	a := newTestApp(nil)
	if code := a.runCLI(t, "demo", "--sheet", path); code != ExitError {
		t.Fatalf("exit = %d, want %d", code, ExitError)
	}
	if a.out.Len() != 0 {
		t.Errorf("the demo ran before the sheet path was checked:\n%s", a.out.String())
	}
	errs := a.err.String()
	ie, ih := strings.Index(errs, "mfpcheck: error:"), strings.Index(errs, "mfpcheck: hint:")
	if ie < 0 || ih < 0 || ih < ie || !strings.Contains(errs, "--force") {
		t.Errorf("want error, then a hint naming --force:\n%s", errs)
	}
	if b, _ := os.ReadFile(path); string(b) != "keep" {
		t.Errorf("the existing file was changed")
	}

	a = newTestApp(nil)
	if code := a.runCLI(t, "demo", "--sheet", path, "--force"); code != ExitFail {
		t.Fatalf("--force: exit = %d, want %d\n%s", code, ExitFail, a.err.String())
	}
	if b, _ := os.ReadFile(path); !strings.HasPrefix(string(b), "%PDF") {
		t.Errorf("--force did not write the sheet")
	}

	for _, bad := range []string{filepath.Join(dir, "nope", "status.pdf"), filepath.Join(dir, "nope") + "/"} {
		a = newTestApp(nil)
		if code := a.runCLI(t, "demo", "--sheet", bad); code != ExitError || a.out.Len() != 0 {
			t.Errorf("--sheet %s: exit %d, stdout %q", bad, code, a.out.String())
		}
	}
}

// TestDemoSheetIntoFolder: --sheet DIR writes the default name inside it.
func TestDemoSheetIntoFolder(t *testing.T) {
	dir := t.TempDir()
	a := newTestApp(nil)
	if code := a.runCLI(t, "demo", "--sheet", dir); code != ExitFail {
		t.Fatalf("exit = %d\n%s", code, a.err.String())
	}
	m, _ := filepath.Glob(filepath.Join(dir, "mfpcheck-sheet-*.pdf"))
	if len(m) != 1 {
		t.Fatalf("want one sheet in %s, got %v\n%s", dir, m, a.err.String())
	}
}

// TestDemoScenarioNames: case does not matter; a near miss gets a
// suggestion.
func TestDemoScenarioNames(t *testing.T) {
	a := newTestApp(nil)
	if code := a.runCLI(t, "demo", "--scenario", "Mailbox-Auth-DISABLED", "--json"); code != ExitFail {
		t.Fatalf("exit = %d\n%s", code, a.err.String())
	}
	a = newTestApp(nil)
	if code := a.runCLI(t, "demo", "--scenario", "mailbox-auth-disable"); code != ExitError {
		t.Fatalf("exit = %d", code)
	}
	if !strings.Contains(a.err.String(), "did you mean mailbox-auth-disabled?") {
		t.Errorf("no suggestion:\n%s", a.err.String())
	}
}

// TestSheetProfileExitsWithVerdict: sheet --profile checks the device
// (with --ca for a private CA) and exits like probe; -o DIR takes the
// default name.
func TestSheetProfileExitsWithVerdict(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, c := range []struct {
		scenario string
		want     int
	}{{"mailbox-auth-disabled", ExitFail}, {"ok", ExitOK}} {
		sim, err := exosim.Start(ctx, exosim.Options{Scenario: c.scenario, Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		profile, err := sim.WriteKit()
		if err != nil {
			t.Fatal(err)
		}
		out := t.TempDir()
		a := newTestApp(nil)
		if code := a.runCLI(t, "sheet", "--profile", profile, "--ca", sim.CAFile(), "-o", out); code != c.want {
			t.Errorf("%s: exit = %d, want %d\n%s", c.scenario, code, c.want, a.err.String())
		}
		m, _ := filepath.Glob(filepath.Join(out, "mfpcheck-sheet-*.pdf"))
		if len(m) != 1 || strings.TrimSpace(a.out.String()) != m[0] {
			t.Errorf("%s: sheet %v, stdout %q", c.scenario, m, a.out.String())
		}
		sim.Close()
	}
}
