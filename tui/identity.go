package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/mfpcheck/mfpcheck/diag/i18n"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// identitySummary is what the device said about itself, on one line cut
// to w: the protocol that answered, make and model, firmware, state and
// serial number ("Device says (IPP): EPSON WF-C5790 Series · Firmware
// 19.45 · idle"). A value the diagnosis found to differ from the profile is
// drawn as a warning; the finding itself is listed with the others.
func (m *Model) identitySummary(id *report.DeviceIdentity, findings []report.Finding, w int) string {
	L := func(k string) string { return i18n.T(m.lang, "device."+k) }
	head := tr(m.lang, "device_says") + i18n.T(m.lang, "colon") + " "
	if id.Error != "" {
		return ansi.Truncate(head+m.st.Warn.Render(L("no_answer")), w, "…")
	}
	differs := map[string]bool{}
	for _, f := range findings {
		differs[f.ID] = true
	}
	mark := func(s, id string) string {
		if differs[id] {
			return m.st.Warn.Render(s)
		}
		return m.st.Bold.Render(s)
	}
	source := "IPP"
	if id.Source == "snmp" {
		source = "SNMP"
	}
	head = tr(m.lang, "device_says") + " (" + source + ")" + i18n.T(m.lang, "colon") + " "
	var parts []string
	if id.MakeAndModel != "" {
		parts = append(parts, mark(id.MakeAndModel, "device.identity.model_differs"))
	}
	if id.Firmware != "" {
		parts = append(parts, L("firmware")+" "+mark(id.Firmware, "device.identity.firmware_differs"))
	}
	if id.State != "" {
		parts = append(parts, id.State)
	}
	// The serial number last: on a narrow screen it is the first cut.
	if id.Serial != "" {
		parts = append(parts, L("serial")+" "+id.Serial)
	}
	return ansi.Truncate(head+strings.Join(parts, m.st.Dim.Render(" · ")), w, "…")
}
