package device

import (
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/diagnose"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

func TestCheck(t *testing.T) {
	id := &Identity{URI: "ipp://p/ipp/print", MakeAndModel: "EPSON WF-C5790 Series", Firmware: "LF25I7,16.66"}
	f, v := Check(id, "wf-c5790", "16.66", diagnose.Options{Lang: "en"})
	if f == nil || len(f) != 0 || v != diagnose.Verdict(&report.Report{Findings: f}) {
		t.Errorf("same device: %+v %v", f, v)
	}
	f, v = Check(id, "WF-C5890", "16.70", diagnose.Options{Lang: "de", Vendor: "epson"})
	if len(f) != 2 || f[0].ID != "device.identity.model_differs" || f[0].Title == "" {
		t.Fatalf("differing device: %+v", f)
	}
	if v == diagnose.Verdict(&report.Report{Findings: []report.Finding{}}) {
		t.Errorf("differing device has the verdict of a matching one: %v", v)
	}
}
