package sheet

import (
	"strings"

	"github.com/mfpcheck/mfpcheck/diag/i18n"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// identitySection shows what the device said about itself when the check
// asked it (the profile gives its address): which protocol answered, make
// and model, firmware, serial number, state, and, beside a value, what the
// profile claims where the diagnosis found the two differ. The findings
// themselves (device.identity.*) are listed with the others; here each
// is named under the table, so the evidence and its reading stay together.
func (d *doc) identitySection(id *report.DeviceIdentity, dev *report.Device, findings []report.Finding) {
	if id == nil {
		return
	}
	L := func(k string) string { return i18n.T(d.lang, "device."+k) }
	d.section(L("says"))
	differs := map[string]bool{}
	var notes []report.Finding
	for _, f := range findings {
		if strings.HasPrefix(f.ID, "device.identity.") {
			differs[f.ID] = true
			notes = append(notes, f)
		}
	}
	source := L("no_answer")
	switch id.Source {
	case "ipp":
		source = "IPP"
	case "snmp":
		source = "SNMP v2c"
	}
	rows := [][2]string{{L("source"), source}, {L("printer"), id.URI}}
	if id.Error != "" {
		rows = append(rows, [2]string{L("why"), id.Error})
	} else {
		model, firmware := d.orNone(id.MakeAndModel), d.orNone(id.Firmware)
		if dev != nil && differs["device.identity.model_differs"] {
			model += "  (" + L("in_profile") + ": " + dev.Model + ")"
		}
		if dev != nil && differs["device.identity.firmware_differs"] {
			firmware += "  (" + L("in_profile") + ": " + dev.Firmware + ")"
		}
		rows = append(rows, [2]string{L("model"), model}, [2]string{L("firmware"), firmware})
		if id.Serial != "" {
			rows = append(rows, [2]string{L("serial"), id.Serial})
		}
		if id.State != "" || len(id.StateReasons) > 0 {
			state := id.State
			if len(id.StateReasons) > 0 {
				state = join(" ", state, "("+strings.Join(id.StateReasons, ", ")+")")
			}
			rows = append(rows, [2]string{L("state"), state})
		}
		for _, kv := range [][2]string{{L("uuid"), id.UUID}, {L("more_info"), id.MoreInfo}, {L("ipp_closed"), id.IPPClosed}} {
			if kv[1] != "" {
				rows = append(rows, kv)
			}
		}
	}
	d.kv(rows, 45, false)
	for _, f := range notes {
		d.para(sevWord(d, f.Severity)+": "+f.Title+"  ["+f.ID+"]", column{style: "B"}, rowStyle{})
	}
	if len(notes) > 0 {
		d.gap(1)
	}
}

// orNone is s, or the words for a value the device did not report.
func (d *doc) orNone(s string) string {
	if s == "" {
		return i18n.T(d.lang, "device.none")
	}
	return s
}

func sevWord(d *doc, s report.Severity) string {
	w, _, _ := d.severity(s)
	return w
}
