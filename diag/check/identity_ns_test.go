package check_test

import (
	"context"
	"net"
	"strings"
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

// TestSilentDeviceLeavesTheMailCheckAlone: a device that takes the IPP
// connection and never answers is read for one phase budget at most, in
// parallel with the probe, and comes back as the note "could not read the
// device's identity"; the mail check's verdict is its own.
func TestSilentDeviceLeavesTheMailCheckAlone(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		var held []net.Conn // read nothing, answer nothing
		for {
			c, err := ln.Accept()
			if err != nil {
				for _, c := range held {
					c.Close()
				}
				return
			}
			held = append(held, c)
		}
	}()
	sim, err := exosim.Start(context.Background(), exosim.Options{Scenario: "ok", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	p := sim.Profile()
	p.Device.Address = ln.Addr().String()
	cfg := simcheck.ForProfile(sim, p, nil, time.Second)
	cfg.DeviceRead.SNMPPort = -1 // IPP only: nothing else on this host is asked
	r := check.Run(context.Background(), cfg)
	if r.DeviceIdentity == nil || r.DeviceIdentity.Error == "" || !strings.Contains(r.DeviceIdentity.Error, "deadline exceeded") {
		t.Fatalf("identity %+v", r.DeviceIdentity)
	}
	if r.Verdict != report.VerdictOK || finding(r, "device.identity.unread") == nil {
		t.Errorf("verdict %s, findings %+v", r.Verdict, r.Findings)
	}
}
