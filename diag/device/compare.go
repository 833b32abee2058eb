package device

import (
	"strings"
	"unicode"

	"github.com/mfpcheck/mfpcheck/diag/diagnose"
)

// Compare holds what the printer reports against what a profile claims
// (device.model, device.firmware) and returns a hit for each that differs
// (catalogue devicecheck.yaml). A field the profile leaves empty, or the
// printer does not report, is not compared: nothing is known to differ.
//
// Printers decorate their names ("EPSON WF-C5790 Series", firmware
// "LF25I7,16.66" for a profile's "16.66"), so a claim matches when, case,
// spaces and punctuation aside, one contains the other.
func Compare(id *Identity, model, firmware string) []diagnose.Hit {
	var hits []diagnose.Hit
	if model != "" && id.MakeAndModel != "" && !sameIdentity(model, id.MakeAndModel) {
		hits = append(hits, diagnose.Hit{
			ID:       "device.identity.model_differs",
			Evidence: []string{"profile device.model: " + model, orDefault(id.ModelFrom, "printer-make-and-model") + ": " + id.MakeAndModel},
			Params:   map[string]string{"uri": id.URI, "profile_model": model, "device_model": id.MakeAndModel},
		})
	}
	if firmware != "" && id.Firmware != "" && !sameIdentity(firmware, id.Firmware) {
		hits = append(hits, diagnose.Hit{
			ID:       "device.identity.firmware_differs",
			Evidence: []string{"profile device.firmware: " + firmware, orDefault(id.FirmwareFrom, "printer-firmware-string-version") + ": " + id.Firmware},
			Params:   map[string]string{"uri": id.URI, "profile_firmware": firmware, "device_firmware": id.Firmware},
		})
	}
	return hits
}

// sameIdentity says whether a and b name the same thing: one contains the
// other once both are reduced to lower-case letters and digits.
func sameIdentity(a, b string) bool {
	a, b = squash(a), squash(b)
	if a == "" || b == "" {
		return a == b
	}
	return strings.Contains(a, b) || strings.Contains(b, a)
}

func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
