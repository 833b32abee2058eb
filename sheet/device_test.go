package sheet

import (
	"strings"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/diagnose"
	"github.com/mfpcheck/mfpcheck/diag/i18n"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// withIdentity is the ok report with what the device said about itself
// and the findings the diagnosis makes of it.
func withIdentity(lang string, id *report.DeviceIdentity) *report.Report {
	r := okReport(lang)
	r.DeviceIdentity = id
	var hits []diagnose.Hit
	if id.Error != "" {
		hits = []diagnose.Hit{{ID: "device.identity.unread", Evidence: []string{id.Error}, Params: map[string]string{"uri": id.URI}}}
	} else {
		hits = diagnose.IdentityHits(id, r.Device.Model, r.Device.Firmware)
	}
	for _, h := range hits {
		r.Findings = append(r.Findings, diagnose.FindingFor(h, diagnose.Options{Lang: lang}))
	}
	return r
}

// TestRenderIdentitySection: the sheet shows what the device said about
// itself (which protocol answered, make and model, firmware, serial,
// state) with the profile's value beside one that differs, and the
// finding named, in every language; a device that did not answer says
// so; a report without an identity has no such section.
func TestRenderIdentitySection(t *testing.T) {
	for _, lang := range []string{"en", "de", "fr"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			L := func(k string) string { return i18n.T(lang, "device."+k) }
			r := withIdentity(lang, &report.DeviceIdentity{
				Source: "snmp", URI: "snmp://192.168.10.45:161", IPPClosed: "connection refused",
				MakeAndModel: "EPSON WF-C5790 Series", Firmware: "19.45.RA23N4", Serial: "X3B7012345",
				State: "idle", StateReasons: []string{"none"},
			})
			path, _ := render(t, r, Options{Lang: lang, Fixed: fixedGenerated})
			flat := squash(strings.Join(pdfText(t, path), "\n"))
			for _, want := range []string{L("says"), L("source"), "SNMPv2c", L("model"), "EPSONWF-C5790Series",
				L("in_profile") + ":WF-C879R", L("serial"), "X3B7012345", L("state"), "idle(none)", L("ipp_closed"),
				r.Findings[len(r.Findings)-1].Title, "device.identity.model_differs"} {
				if !strings.Contains(flat, squash(want)) {
					t.Errorf("identity section lacks %q", want)
				}
			}
			// The firmware agrees: no profile value beside it.
			if strings.Contains(flat, squash(L("in_profile")+": 19.45")) || strings.Contains(flat, "firmware_differs") {
				t.Error("the firmware agrees, yet the sheet says it differs")
			}

			r = withIdentity(lang, &report.DeviceIdentity{URI: "ipp://192.168.10.45/ipp/print", Error: "Get-Printer-Attributes ipp://192.168.10.45/ipp/print: connection refused"})
			path, _ = render(t, r, Options{Lang: lang, Fixed: fixedGenerated})
			flat = squash(strings.Join(pdfText(t, path), "\n"))
			for _, want := range []string{L("says"), L("no_answer"), L("why"), "connectionrefused", "device.identity.unread"} {
				if !strings.Contains(flat, squash(want)) {
					t.Errorf("unanswered: sheet lacks %q", want)
				}
			}

			path, _ = render(t, okReport(lang), Options{Lang: lang, Fixed: fixedGenerated})
			if flat := squash(strings.Join(pdfText(t, path), "\n")); strings.Contains(flat, squash(L("says"))) {
				t.Error("a report without an identity has the identity section")
			}
		})
	}
}
