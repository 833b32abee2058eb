package profileinit

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/mfpcheck/mfpcheck/diag/device"
)

// FromDevice fills the identity part of a profile (device.vendor,
// device.model, device.firmware, device.address, and device.name when the
// device has one) from what the device reported, into a; a field already
// in a is kept (what the user typed wins). address is what the user gave
// to reach the device.
//
// The vendor is the maker word in the make and model (else in sysDescr)
// mapped to the makers a profile knows; a maker mfpcheck has no advice for,
// or none at all, is "other", and note says so. For a known maker the
// model is the make and model without the maker's name ("EPSON WF-C5790
// Series" is model "WF-C5790 Series"), as the makers write it.
func FromDevice(a Answers, id *device.Identity, address string) (note string) {
	vendor, maker := VendorOf(id)
	model := id.MakeAndModel
	if vendor != "other" {
		model = stripMaker(model, maker)
	}
	set := func(key, v string) {
		if strings.TrimSpace(a[key]) == "" && v != "" {
			a[key] = v
		}
	}
	set("device.vendor", vendor)
	set("device.model", model)
	set("device.firmware", id.Firmware)
	set("device.address", address)
	set("device.name", id.Name)
	switch {
	case vendor != "other":
		return ""
	case maker != "":
		return fmt.Sprintf("the device says it is made by %s, for which mfpcheck has no maker's menu names: device.vendor is other", maker)
	default:
		return "the device did not say who made it: device.vendor is other"
	}
}

// VendorOf maps the maker the device names (in its make and model, else in
// its system description) to a profile's vendor, and returns the maker's
// word as the device wrote it ("" when there is none).
func VendorOf(id *device.Identity) (vendor, maker string) {
	text := id.MakeAndModel
	if text == "" {
		text = id.Description
	}
	words := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	// Nashuatec devices are built by Ricoh and may name both: the brand on
	// the device decides.
	for _, v := range []string{"nashuatec", "epson", "ricoh", "sharp"} {
		for _, w := range words {
			if strings.EqualFold(w, v) {
				return v, w
			}
		}
	}
	if len(words) > 0 && id.MakeAndModel != "" {
		return "other", words[0]
	}
	return "other", ""
}

// stripMaker removes the maker's word (and what separates it) from the
// start of a make and model.
func stripMaker(model, maker string) string {
	rest, ok := cutPrefixFold(strings.TrimSpace(model), maker)
	if !ok {
		return model
	}
	rest = strings.TrimLeftFunc(rest, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if rest == "" {
		return model
	}
	return rest
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}
