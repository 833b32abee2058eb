package diagnose

import (
	"cmp"
	"strings"
	"unicode"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// Device identity rule ids (catalogue/devicecheck.yaml).
const (
	idIdentityModel    = "device.identity.model_differs"
	idIdentityFirmware = "device.identity.firmware_differs"
	idIdentityUnread   = "device.identity.unread"
)

// identityHits raises the findings of what the device said about itself
// (r.DeviceIdentity, read beside the probes when the profile gives the
// device's address), held against the profile (r.Device). A device that
// did not answer is a note, never a failure of the mail check.
func identityHits(r *report.Report) []Hit {
	id := r.DeviceIdentity
	if id == nil {
		return nil
	}
	if id.Error != "" {
		return []Hit{{ID: idIdentityUnread, Evidence: []string{id.URI + ": " + id.Error}, Params: map[string]string{"uri": id.URI}}}
	}
	if r.Device == nil {
		return nil
	}
	return IdentityHits(id, r.Device.Model, r.Device.Firmware)
}

// IdentityHits holds what the printer reports against what a profile
// claims (device.model, device.firmware) and returns a hit for each that
// differs. A field the profile leaves empty, or the printer does not
// report, is not compared: nothing is known to differ.
//
// Printers decorate their names ("EPSON WF-C5790 Series", firmware
// "LF25I7,16.66" for a profile's "16.66"), so a claim matches when, case,
// spaces and punctuation aside, one contains the other.
func IdentityHits(id *report.DeviceIdentity, model, firmware string) []Hit {
	var hits []Hit
	if model != "" && id.MakeAndModel != "" && !sameIdentity(model, id.MakeAndModel) {
		hits = append(hits, Hit{
			ID:       idIdentityModel,
			Evidence: []string{"profile device.model: " + model, cmp.Or(id.ModelFrom, "printer-make-and-model") + ": " + id.MakeAndModel},
			Params:   map[string]string{"uri": id.URI, "profile_model": model, "device_model": id.MakeAndModel},
		})
	}
	if firmware != "" && id.Firmware != "" && !sameIdentity(firmware, id.Firmware) {
		hits = append(hits, Hit{
			ID:       idIdentityFirmware,
			Evidence: []string{"profile device.firmware: " + firmware, cmp.Or(id.FirmwareFrom, "printer-firmware-string-version") + ": " + id.Firmware},
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
