package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/ippeve"
	"github.com/mfpcheck/mfpcheck/fixtures/testkit/snmpd"
)

const snmpCommunity = "c0mmunity-s3cret"

// TestDeviceSNMPFallbackRealAgent runs "mfpcheck device" and "mfpcheck
// init --from-device" against Net-SNMP's snmpd on loopback, configured as a
// printer, with nothing listening on the IPP port.
func TestDeviceSNMPFallbackRealAgent(t *testing.T) {
	t.Parallel()
	snmpd.Require(t)
	agent := snmpd.Start(t, snmpd.PrinterOptions(snmpCommunity))
	target := "127.0.0.1:" + strconv.Itoa(snmpd.FreeTCPPort(t))
	snmpArgs := []string{"--snmp-port", strconv.Itoa(agent.Port), "--community", snmpCommunity}
	noSecret := func(ta *testApp) {
		t.Helper()
		if strings.Contains(ta.out.String()+ta.err.String(), snmpCommunity) {
			t.Errorf("the community was printed:\n%s%s", ta.out, ta.err)
		}
	}

	ta := newTestApp(nil)
	code := ta.runCLI(t, append(append([]string{"device", "--json"}, snmpArgs...), target)...)
	noSecret(ta)
	if code != ExitOK {
		t.Fatalf("device --json: exit %d\n%s%s\nsnmpd:\n%s", code, ta.out, ta.err, agent.Log())
	}
	var res struct {
		Device struct {
			Source, URI, Firmware, Name, Serial, Description string
			MakeAndModel                                     string `json:"make_and_model"`
			IPPClosed                                        string `json:"ipp_closed"`
			ModelFrom                                        string `json:"model_from"`
		} `json:"device"`
		Findings []struct {
			ID       string
			Evidence []string
		} `json:"findings"`
		Verdict string `json:"verdict"`
	}
	if err := json.Unmarshal(ta.out.Bytes(), &res); err != nil {
		t.Fatalf("%v\n%s", err, ta.out)
	}
	d := res.Device
	if d.Source != "snmp" || d.URI != "snmp://"+agent.Addr() || d.MakeAndModel != snmpd.Model || d.ModelFrom != "hrDeviceDescr" ||
		d.Firmware != snmpd.Firmware || d.Name != snmpd.Name || d.Serial != snmpd.Serial || d.Description != snmpd.SysDescr ||
		!strings.Contains(d.IPPClosed, "connection refused") || res.Verdict != "ok" || len(res.Findings) != 0 {
		t.Errorf("device --json: %+v", res)
	}

	// The text says which source answered; the community may come from
	// the environment.
	ta = newTestApp(map[string]string{envCommunity: snmpCommunity})
	if code := ta.runCLI(t, "device", "--snmp-port", strconv.Itoa(agent.Port), target); code != ExitOK {
		t.Fatalf("device: exit %d\n%s%s", code, ta.out, ta.err)
	}
	noSecret(ta)
	for _, want := range []string{"Answered by:", "SNMP v2c", "IPP did not answer:", "Serial number:", snmpd.Serial, snmpd.Model} {
		if !strings.Contains(ta.out.String(), want) {
			t.Errorf("device output lacks %q:\n%s", want, ta.out)
		}
	}

	// The profile names another model and firmware: two warnings whose
	// evidence names the MIB objects.
	ta = newTestApp(nil)
	code = ta.runCLI(t, append(append([]string{"device", "--json", "--profile", profileWith(t, "WF-C879R", "21.02.HR22N3")}, snmpArgs...), target)...)
	noSecret(ta)
	res.Findings = nil
	if err := json.Unmarshal(ta.out.Bytes(), &res); err != nil || code != ExitWarning {
		t.Fatalf("device --profile: exit %d, %v\n%s%s", code, err, ta.out, ta.err)
	}
	if len(res.Findings) != 2 || res.Findings[0].ID != "device.identity.model_differs" || res.Findings[1].ID != "device.identity.firmware_differs" ||
		!strings.Contains(strings.Join(res.Findings[0].Evidence, "\n"), "hrDeviceDescr: "+snmpd.Model) ||
		!strings.Contains(strings.Join(res.Findings[1].Evidence, "\n"), "entPhysicalFirmwareRev: "+snmpd.Firmware) {
		t.Errorf("findings: %+v", res.Findings)
	}
	// As the maker writes it: no finding.
	ta = newTestApp(nil)
	if code := ta.runCLI(t, append(append([]string{"device", "--profile", profileWith(t, "WF-C5790", "16.66")}, snmpArgs...), target)...); code != ExitOK {
		t.Errorf("device --profile (same model): exit %d\n%s%s", code, ta.out, ta.err)
	}

	// --snmp-port 0: IPP only, which is closed.
	ta = newTestApp(nil)
	if code := ta.runCLI(t, "device", "--snmp-port", "0", target); code != ExitFail || !strings.Contains(ta.err.String(), "connection refused") {
		t.Errorf("--snmp-port 0: exit %d\n%s", code, ta.err)
	}
	// The wrong community: snmpd stays silent; both errors, no community.
	ta = newTestApp(nil)
	if code := ta.runCLI(t, "device", "--timeout", "2s", "--snmp-port", strconv.Itoa(agent.Port), "--community", "wrong-community", target); code != ExitFail ||
		!strings.Contains(ta.err.String(), "SNMP snmp://"+agent.Addr()) || strings.Contains(ta.err.String(), "wrong-community") {
		t.Errorf("wrong community: exit %d\n%s", code, ta.err)
	}

	// init --from-device fills the identity; flags fill the rest.
	out := filepath.Join(t.TempDir(), "p.yaml")
	ta = newTestApp(nil)
	code = ta.runCLI(t, append([]string{"init", "--from-device", target, "-o", out, "--user", "scan@contoso.com"}, snmpArgs...)...)
	noSecret(ta)
	if code != ExitOK {
		t.Fatalf("init --from-device: exit %d\n%s", code, ta.err)
	}
	if !strings.Contains(ta.err.String(), "SNMP v2c (IPP did not answer) answered at snmp://"+agent.Addr()+": "+snmpd.Model) {
		t.Errorf("init says:\n%s", ta.err)
	}
	p, err := profile.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if p.Device.Vendor != "epson" || p.Device.Model != "WF-C5790 Series" || p.Device.Firmware != snmpd.Firmware ||
		p.Device.Address != target || p.Device.Name != snmpd.Name || p.SMTP.User != "scan@contoso.com" {
		t.Errorf("profile device %+v", p.Device)
	}
	if data, _ := os.ReadFile(out); strings.Contains(string(data), snmpCommunity) {
		t.Errorf("the community is in the profile:\n%s", data)
	}
	// What the user typed wins over what the device says.
	out2 := filepath.Join(t.TempDir(), "p.yaml")
	ta = newTestApp(nil)
	if code := ta.runCLI(t, append([]string{"init", "--from-device", target, "-o", out2, "--vendor", "sharp", "--model", "MX-3071"}, snmpArgs...)...); code != ExitOK {
		t.Fatalf("init --from-device --vendor: exit %d\n%s", code, ta.err)
	}
	if p, err := profile.Load(out2); err != nil || p.Device.Vendor != "sharp" || p.Device.Model != "MX-3071" || p.Device.Firmware != snmpd.Firmware {
		t.Errorf("flags over device: %+v %v", p, err)
	}
}

// TestInitFromDeviceRealPrinter runs "mfpcheck init --from-device" against
// CUPS's ippeveprinter in a private network namespace: a maker mfpcheck
// has no advice for is vendor "other", and init says so.
func TestInitFromDeviceRealPrinter(t *testing.T) {
	if !ippeve.InNamespace(t) {
		return
	}
	ippeve.Start(t)
	out := filepath.Join(t.TempDir(), "p.yaml")
	ta := newTestApp(nil)
	if code := ta.runCLI(t, "init", "--from-device", "localhost:8632", "-o", out); code != ExitOK {
		t.Fatalf("init --from-device: exit %d\n%s", code, ta.err)
	}
	for _, want := range []string{"IPP answered at ipp://localhost:8632/ipp/print: " + ippeve.RasterModel, "note: the device says it is made by Mfpcheck", "device.vendor is other"} {
		if !strings.Contains(ta.err.String(), want) {
			t.Errorf("init says %q, lacks %q", ta.err, want)
		}
	}
	p, err := profile.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if p.Device.Vendor != "other" || p.Device.Model != ippeve.RasterModel || p.Device.Firmware != ippeve.Firmware || p.Device.Address != "localhost:8632" {
		t.Errorf("profile device %+v", p.Device)
	}
	// The profile init wrote matches the printer.
	ta = newTestApp(nil)
	if code := ta.runCLI(t, "device", "--profile", out); code != ExitOK || !strings.Contains(ta.out.String(), "Answered by:") {
		t.Errorf("device --profile: exit %d\n%s%s", code, ta.out, ta.err)
	}
}
