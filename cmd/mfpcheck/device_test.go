package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfpcheck/mfpcheck/fixtures/testkit/ippeve"
)

// profileWith writes the Epson example profile with its device's model and
// firmware replaced.
func profileWith(t *testing.T, model, firmware string) string {
	t.Helper()
	b, err := os.ReadFile("../../fixtures/profiles/epson-wf-c879r.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), "model: WF-C879R", "model: "+model, 1)
	s = strings.Replace(s, `firmware: "21.02.HR22N3"`, `firmware: "`+firmware+`"`, 1)
	p := filepath.Join(t.TempDir(), "p.yaml")
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDeviceCommandRealPrinter runs "mfpcheck device" against CUPS's
// ippeveprinter in a private network namespace.
func TestDeviceCommandRealPrinter(t *testing.T) {
	if !ippeve.InNamespace(t) {
		return
	}
	printers := ippeve.Start(t)

	ta := newTestApp(nil)
	if code := ta.runCLI(t, "device", "localhost:8632"); code != ExitOK {
		t.Fatalf("device: exit %d\n%s%s", code, ta.out, ta.err)
	}
	for _, want := range []string{"Make and model:", ippeve.RasterModel, ippeve.Firmware, "urn:uuid:", "idle", "image/pwg-raster"} {
		if !strings.Contains(ta.out.String(), want) {
			t.Errorf("device output lacks %q:\n%s", want, ta.out)
		}
	}

	// The profile names another model and firmware: two warnings, exit 1.
	ta = newTestApp(nil)
	code := ta.runCLI(t, "device", "--json", "--profile", profileWith(t, "WF-C879R", "21.02.HR22N3"), printers.Raster.URI)
	if code != ExitWarning {
		t.Fatalf("device --profile (other model): exit %d\n%s%s", code, ta.out, ta.err)
	}
	var res struct {
		Device struct {
			MakeAndModel string `json:"make_and_model"`
		} `json:"device"`
		Findings []struct{ ID, Side string } `json:"findings"`
		Verdict  string                      `json:"verdict"`
	}
	if err := json.Unmarshal(ta.out.Bytes(), &res); err != nil {
		t.Fatalf("%v\n%s", err, ta.out)
	}
	if res.Device.MakeAndModel != ippeve.RasterModel || len(res.Findings) != 2 ||
		res.Findings[0].ID != "device.identity.model_differs" || res.Findings[1].ID != "device.identity.firmware_differs" ||
		res.Findings[0].Side != "device" || res.Verdict != "warning" {
		t.Errorf("device --json: %+v", res)
	}

	// The profile is right (as the maker writes it, without the decoration).
	ta = newTestApp(nil)
	if code := ta.runCLI(t, "device", "--profile", profileWith(t, "Rasterprinter 200", "2.17.4"), "localhost:8632"); code != ExitOK {
		t.Fatalf("device --profile (same model): exit %d\n%s%s", code, ta.out, ta.err)
	}

	// Nothing listens: exit 2, an error and a hint.
	ta = newTestApp(nil)
	if code := ta.runCLI(t, "device", "--timeout", "3s", "127.0.0.1:9"); code != ExitFail ||
		!strings.Contains(ta.err.String(), "mfpcheck: error: device: Get-Printer-Attributes ipp://127.0.0.1:9/ipp/print") ||
		!strings.Contains(ta.err.String(), "mfpcheck: hint: ") {
		t.Errorf("device on a closed port: exit %d\n%s", code, ta.err)
	}
}
