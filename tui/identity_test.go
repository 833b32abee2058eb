package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// TestDeviceScreenIdentity: at 80x24, a report with what the device said
// about itself shows it on one line under the token line (the protocol,
// make and model, firmware, state, and the serial number as far as the
// line goes), in the screen's language, and the mismatch with the profile
// among the findings.
func TestDeviceScreenIdentity(t *testing.T) {
	fe := &fakeEngine{
		identity: &report.DeviceIdentity{Source: "snmp", URI: "snmp://10.0.0.21:161", MakeAndModel: "EPSON WF-C5790",
			Firmware: "LF25I7", Serial: "X3B70", State: "idle"},
		identityFinding: "device.identity.model_differs",
	}
	tm, _ := newTest(t, Options{Devices: twoDevices(), Engine: fe.engine(), Lang: "en", SheetDir: t.TempDir()})
	waitFor(t, tm, "Devices (2)")
	tm.Send(keyEnter)
	waitFor(t, tm, "Verdict: FAIL", "Device says (SNMP): EPSON WF-C5790 · Firmware LF25I7 · idle · Serial number X3B…",
		"The printer at this address is not the model the profile names")
	tm.Send(keys("l"))
	waitFor(t, tm, "Gerät meldet (SNMP): EPSON WF-C5790 · Firmware LF25I7 · idle", "nicht das Modell aus dem Profil")
	tm.Send(keys("q"))
	final(t, tm)
}

// TestDeviceScreenIdentityUnread: a device that did not answer is one
// line that says so; a report without an identity has none.
func TestDeviceScreenIdentityUnread(t *testing.T) {
	fe := &fakeEngine{identity: &report.DeviceIdentity{URI: "ipp://10.0.0.21/ipp/print", Error: "connection refused"}}
	tm, _ := newTest(t, Options{Devices: twoDevices(), Engine: fe.engine(), Lang: "en", SheetDir: t.TempDir()})
	waitFor(t, tm, "Devices (2)")
	tm.Send(keyEnter)
	waitFor(t, tm, "Verdict: FAIL", "Device says: nothing answered (IPP, SNMP)")
	tm.Send(keys("q"))
	final(t, tm)

	tm, _ = newTest(t, Options{Devices: twoDevices(), Engine: (&fakeEngine{}).engine(), Lang: "en", SheetDir: t.TempDir()})
	waitFor(t, tm, "Devices (2)")
	tm.Send(keyEnter)
	out := waitFor(t, tm, "Verdict: FAIL", "1. step-one-en")
	tm.Send(tea.KeyMsg{Type: tea.KeyPgDown})
	tm.Send(keys("q"))
	final(t, tm)
	if strings.Contains(out, "Device says") {
		t.Error("a report without an identity shows the device line")
	}
}
