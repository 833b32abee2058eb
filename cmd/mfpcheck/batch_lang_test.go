package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
)

// batchEnglish are the batch text report's own English words (headers,
// verdict words, the summary line) that must not stay English in German
// or French; englishLabels (ids_test.go) are the probe report's.
var batchEnglish = []string{"DEVICE", "VERDICT", "FIRST FINDING", "REFRESH TOKEN", "devices:", " ok,", " warning,", " fail,",
	" error (", "No problems", "Interrupted", "WARNING", "FAIL", "ERROR"}

// TestBatchTextSpeaksTheLanguage runs a fleet with a device of every
// verdict (ok, warning, fail, error) as text in German and French, as a
// user would, and checks that no English label, verdict word or internal
// reference is left. The same run in English shows the words, so the
// list is the one the report really prints.
func TestBatchTextSpeaksTheLanguage(t *testing.T) {
	sim, err := exosim.Start(context.Background(), exosim.Options{Scenario: "ok", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	dir := t.TempDir()
	dead := closedPort(t)
	inv := "name,vendor,model,address,mailbox,auth_method,server,port,token_file,verify_cert\n" +
		fmt.Sprintf("good,epson,WF-C879R,192.0.2.1,%s,oauth2,127.0.0.1,%d,%s,\n", exosim.DeviceUser, sim.Port(), sim.TokenFile()) +
		fmt.Sprintf("noverify,ricoh,IM C3000,192.0.2.2,%s,oauth2,127.0.0.1,%d,%s,no\n", exosim.DeviceUser, sim.Port(), sim.TokenFile()) +
		fmt.Sprintf("dead,sharp,MX-3071,192.0.2.3,%s,oauth2,127.0.0.1,%d,%s,\n", exosim.DeviceUser, dead, sim.TokenFile()) +
		fmt.Sprintf("badport,epson,WF-C879R,192.0.2.4,%s,oauth2,127.0.0.1,99999,%s,\n", exosim.DeviceUser, sim.TokenFile())
	path := filepath.Join(dir, "inventory.csv")
	if err := os.WriteFile(path, []byte(inv), 0o644); err != nil {
		t.Fatal(err)
	}
	a := newTestApp(nil)
	a.runCLI(t, "batch", path, "--ca", sim.CAFile())
	for _, w := range []string{"DEVICE", "VERDICT", "FIRST FINDING", "REFRESH TOKEN", "4 devices:", " ok,", "WARNING", "FAIL", "ERROR"} {
		if !strings.Contains(a.out.String(), w) {
			t.Errorf("en: no %q in\n%s", w, a.out.String())
		}
	}
	for _, lang := range []string{"de", "fr"} {
		a := newTestApp(nil)
		a.runCLI(t, "batch", path, "--ca", sim.CAFile(), "--lang", lang)
		out := a.out.String()
		for _, name := range []string{"good", "noverify", "dead", "badport"} {
			if !strings.Contains(out, name) {
				t.Fatalf("%s: no row for %s:\n%s", lang, name, out)
			}
		}
		if m := internalRef.FindString(out); m != "" {
			t.Errorf("%s: internal reference %q in\n%s", lang, m, out)
		}
		for _, w := range append(batchEnglish, englishLabels...) {
			if strings.Contains(out, w) {
				t.Errorf("%s: English %q in\n%s", lang, w, out)
			}
		}
	}
}
