package tui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
)

// TestPrintKey: on the device screen "p" before "s" says to write the
// sheet first; after "s" it prints the file "s" wrote on the device's own
// address and shows what the printer did; a device without an address, or
// a printer that refuses, is said on the message line.
func TestPrintKey(t *testing.T) {
	fe := &fakeEngine{}
	var mu sync.Mutex
	type call struct{ addr, path string }
	var calls []call
	eng := fe.engine()
	eng.Print = func(ctx context.Context, d Device, path string) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, call{d.Address, path})
		if d.Address == "10.0.0.22" {
			return "", errors.New("ipp://10.0.0.22/ipp/print does not take application/pdf; nothing was sent")
		}
		return "job 7 (processing) on ipp://" + d.Address + "/ipp/print (EPSON WF-C579R)", nil
	}
	devs := twoDevices()
	devs = append(devs, Device{Name: "No Address", Vendor: "sharp"})
	tm, _ := newTest(t, Options{Devices: devs, Engine: eng, Lang: "en", SheetDir: t.TempDir()})
	waitFor(t, tm, "Devices (3)")

	tm.Send(keyEnter)
	waitFor(t, tm, "Verdict: FAIL")
	tm.Send(keys("p"))
	waitFor(t, tm, "No sheet to print yet: press s first.")
	tm.Send(keys("s"))
	waitFor(t, tm, "Sheet written: ")
	tm.Send(keys("p"))
	waitFor(t, tm, "Sheet sent: job 7 (processing)")

	// The next device's printer takes no PDF; the third has no address
	// (nothing is sent).
	for _, d := range []struct{ name, want string }{
		{"Office Ricoh", "Not printed: "},
		{"No Address", "Cannot print: the profile has no device.address."},
	} {
		tm.Send(keyEsc)
		// The list is drawn before the next device: the renderer repaints
		// only the lines that changed, and the previous device's screen
		// had the same verdict line in the same place.
		waitFor(t, tm, "Devices (3)")
		tm.Send(keyDown)
		tm.Send(keyEnter)
		waitFor(t, tm, d.name, "Verdict: FAIL")
		tm.Send(keys("s"))
		waitFor(t, tm, "Sheet written: ")
		tm.Send(keys("p"))
		waitFor(t, tm, d.want)
	}

	tm.Send(keys("q"))
	final(t, tm)
	mu.Lock()
	defer mu.Unlock()
	if len(calls) != 2 || calls[0].addr != "10.0.0.21" || calls[1].addr != "10.0.0.22" {
		t.Fatalf("Print calls = %+v, want one for each device with an address", calls)
	}
	if len(fe.sheets) != 3 || calls[0].path != fe.sheets[0] || calls[1].path != fe.sheets[1] {
		t.Errorf("printed %+v, want the sheets s wrote: %v", calls, fe.sheets)
	}
	for _, c := range calls {
		if !strings.HasSuffix(c.path, ".pdf") {
			t.Errorf("printed %q", c.path)
		}
	}
}
