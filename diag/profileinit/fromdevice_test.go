package profileinit

import (
	"strings"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/device"
	"github.com/mfpcheck/mfpcheck/diag/profile"
)

// TestFromDevice: the maker word decides the vendor, the model loses the
// maker's name, what the user gave wins, and the profile loads.
func TestFromDevice(t *testing.T) {
	cases := []struct {
		id                  device.Identity
		given               Answers
		vendor, model, note string
	}{
		{device.Identity{MakeAndModel: "EPSON WF-C5790 Series", Firmware: "16.66"}, nil, "epson", "WF-C5790 Series", ""},
		{device.Identity{MakeAndModel: "RICOH MP C3004"}, nil, "ricoh", "MP C3004", ""},
		{device.Identity{MakeAndModel: "NASHUATEC MP C3004 (RICOH)"}, nil, "nashuatec", "MP C3004 (RICOH)", ""},
		{device.Identity{MakeAndModel: "Sharp MX-3071"}, nil, "sharp", "MX-3071", ""},
		// No model, but sysDescr names the maker.
		{device.Identity{Description: "EPSON Built-in 11b/g/n Print Server"}, nil, "epson", "", ""},
		// "sharpness" is not Sharp.
		{device.Identity{MakeAndModel: "HP LaserJet sharpness 500"}, nil, "other", "HP LaserJet sharpness 500", "made by HP"},
		{device.Identity{}, nil, "other", "", "did not say who made it"},
		{device.Identity{MakeAndModel: "EPSON WF-C5790 Series"}, Answers{"device.vendor": "sharp", "device.model": "MX-1"}, "sharp", "MX-1", ""},
	}
	for _, c := range cases {
		a := Answers{}
		for k, v := range c.given {
			a[k] = v
		}
		note := FromDevice(a, &c.id, "192.0.2.7")
		if a["device.vendor"] != c.vendor || a["device.model"] != c.model || a["device.address"] != "192.0.2.7" ||
			a["device.firmware"] != c.id.Firmware || (c.note == "") != (note == "") || !strings.Contains(note, c.note) {
			t.Errorf("%+v: answers %v, note %q", c.id, a, note)
		}
		data, err := Build("p.yaml", a, "en")
		if err != nil {
			t.Fatalf("%+v: %v", c.id, err)
		}
		p, err := profile.Parse("p.yaml", data)
		if err != nil || p.Device.Vendor != c.vendor || p.Device.Model != c.model || p.Device.Firmware != c.id.Firmware {
			t.Errorf("%+v: profile %+v, %v", c.id, p, err)
		}
	}
}
