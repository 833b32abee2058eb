package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/ippeve"
)

// TestProbeReadsDeviceIdentity runs probe and sheet as a technician does,
// on the profile "mfpcheck demo --serve" writes (its SMTP side the
// Exchange Online simulator) with device.address set to CUPS's
// ippeveprinter, in a private network namespace: the JSON report holds
// what the printer said about itself and the finding that it is not the
// profile's model, the sheet shows both, and --no-device-read leaves the
// printer alone.
func TestProbeReadsDeviceIdentity(t *testing.T) {
	if !ippeve.InNamespace(t) {
		return
	}
	ippeve.Start(t)
	sim, err := exosim.Start(context.Background(), exosim.Options{Scenario: "ok", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	kit, err := sim.WriteKit()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(kit)
	if err != nil {
		t.Fatal(err)
	}
	// The simulator's profile has a documentation address, never asked.
	addr := regexp.MustCompile(`(?m)^(\s+address:) .*$`)
	if !addr.Match(b) {
		t.Fatalf("the kit's profile has no device address:\n%s", b)
	}
	model := regexp.MustCompile(`(?m)^\s+model: (.*)$`).FindSubmatch(b)
	if model == nil {
		t.Fatalf("the kit's profile has no device model:\n%s", b)
	}
	profile := filepath.Join(filepath.Dir(kit), "printer.yaml")
	if err := os.WriteFile(profile, addr.ReplaceAll(b, []byte("${1} localhost:8632")), 0o600); err != nil {
		t.Fatal(err)
	}

	a := newTestApp(nil)
	if code := a.runCLI(t, "probe", "--profile", profile, "--ca", sim.CAFile(), "--json"); code != ExitWarning {
		t.Fatalf("probe: exit %d, want %d (the printer is another model)\n%s%s", code, ExitWarning, a.out, a.err)
	}
	if !strings.Contains(a.out.String(), `"device_identity": {`) {
		t.Errorf("the JSON report has no device_identity object:\n%s", a.out)
	}
	r := a.report(t)
	id := r.DeviceIdentity
	if id == nil || id.Source != "ipp" || id.URI != "ipp://localhost:8632/ipp/print" || id.MakeAndModel != ippeve.RasterModel ||
		id.Firmware != ippeve.Firmware || id.State != "idle" || !strings.HasPrefix(id.UUID, "urn:uuid:") {
		t.Fatalf("device_identity %+v", id)
	}
	if r.Verdict != "warning" || len(r.Phases) == 0 || r.Phases[len(r.Phases)-1].Status != "ok" {
		t.Errorf("verdict %s, phases %+v: the mail check passes, the identity warns", r.Verdict, r.Phases)
	}
	found := false
	for _, f := range r.Findings {
		if f.ID == "device.identity.model_differs" && f.Side == "device" && strings.Contains(strings.Join(f.Evidence, "\n"), ippeve.RasterModel) {
			found = true
		}
	}
	if !found {
		t.Errorf("no device.identity.model_differs finding: %+v", r.Findings)
	}

	pdf := filepath.Join(t.TempDir(), "sheet.pdf")
	s := newTestApp(nil)
	if code := s.runCLI(t, "sheet", "--profile", profile, "--ca", sim.CAFile(), "-o", pdf); code != ExitWarning {
		t.Fatalf("sheet: exit %d\n%s%s", code, s.out, s.err)
	}
	text := strings.Join(strings.Fields(pdfToText(t, pdf)), " ")
	for _, want := range []string{"What the device says about itself", "Answered by IPP", "Make and model " + ippeve.RasterModel +
		" (in the profile: " + strings.TrimSpace(string(model[1])) + ")", "Firmware " + ippeve.Firmware, "device.identity.model_differs"} {
		if !strings.Contains(text, want) {
			t.Errorf("the sheet lacks %q:\n%s", want, text)
		}
	}

	n := newTestApp(nil)
	if code := n.runCLI(t, "probe", "--profile", profile, "--ca", sim.CAFile(), "--json", "--no-device-read"); code != ExitOK {
		t.Fatalf("probe --no-device-read: exit %d\n%s%s", code, n.out, n.err)
	}
	if strings.Contains(n.out.String(), "device_identity") {
		t.Error("--no-device-read: the report has a device_identity")
	}
}
