package check_test

import (
	"context"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/exosim"
	"github.com/mfpcheck/mfpcheck/fixtures/sim/simcheck"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/ippeve"
)

// TestCheckReadsDeviceIdentity checks a simulated device whose profile
// gives the address of a real printer (CUPS's ippeveprinter, in a private
// network namespace): the report holds the printer's identity beside the
// probe, the diagnosis holds it against the profile, and a printer that
// does not answer is a note that leaves the verdict alone.
func TestCheckReadsDeviceIdentity(t *testing.T) {
	if !ippeve.InNamespace(t) {
		return
	}
	printers := ippeve.Start(t)
	sim, err := exosim.Start(context.Background(), exosim.Options{Scenario: "ok", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })

	run := func(address, model, firmware string) *report.Report {
		t.Helper()
		p := sim.Profile()
		p.Device.Address, p.Device.Model, p.Device.Firmware = address, model, firmware
		cfg := simcheck.ForProfile(sim, p, nil, 5*time.Second)
		if cfg.DeviceRead == nil {
			t.Fatalf("%s: no device read", address)
		}
		return check.Run(context.Background(), cfg)
	}

	// The profile names the printer that answers: its identity, no finding.
	r := run(printers.Raster.URI, "Rasterprinter 200", "2.17.4")
	id := r.DeviceIdentity
	if id == nil || id.Source != "ipp" || id.MakeAndModel != ippeve.RasterModel || id.Firmware != ippeve.Firmware ||
		id.State != "idle" || id.UUID == "" || id.Error != "" {
		t.Fatalf("identity %+v", id)
	}
	if r.Verdict != report.VerdictOK || hasFinding(r, "device.identity.model_differs") {
		t.Errorf("verdict %s, findings %+v", r.Verdict, r.Findings)
	}

	// Another model and firmware: two warnings, on the device's side.
	r = run(printers.Raster.URI, "WF-C879R", "CW12Q8")
	if r.Verdict != report.VerdictWarning || !hasFinding(r, "device.identity.model_differs") || !hasFinding(r, "device.identity.firmware_differs") {
		t.Errorf("other model: verdict %s, findings %+v", r.Verdict, r.Findings)
	}

	// Nothing answers (IPP refused, nothing on SNMP's port): a note.
	r = run("127.0.0.1:9", "WF-C879R", "CW12Q8")
	if r.DeviceIdentity == nil || r.DeviceIdentity.Error == "" || r.DeviceIdentity.Source != "" {
		t.Fatalf("unanswered: identity %+v", r.DeviceIdentity)
	}
	f := finding(r, "device.identity.unread")
	if r.Verdict != report.VerdictOK || f == nil || f.Severity != report.SeverityInfo || f.Side != "device" {
		t.Errorf("unanswered: verdict %s, finding %+v", r.Verdict, f)
	}
}

func finding(r *report.Report, id string) *report.Finding {
	for i := range r.Findings {
		if r.Findings[i].ID == id {
			return &r.Findings[i]
		}
	}
	return nil
}

func hasFinding(r *report.Report, id string) bool { return finding(r, id) != nil }
