package batch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestInventoryBadRowsDoNotSwallowOthers: a quote that never closes, a
// line far too long, a bare quote and a record with too few cells are
// each their row's error, naming its line, and every good row around them
// is still a device: the reader resumes on the line after the bad one.
func TestInventoryBadRowsDoNotSwallowOthers(t *testing.T) {
	row := func(name string) string {
		return name + ",epson,m,192.0.2.1," + name + "@x.example,oauth2,smtp.office365.com,587,t.json\n"
	}
	body := csvHead + "\n" +
		row("a") + // 2
		"b,epson,\"unclosed,192.0.2.1,b@x.example,oauth2,smtp.office365.com,587,t.json\n" + // 3
		row("c") + // 4
		"d," + strings.Repeat("x", maxCSVLine+10) + "\n" + // 5
		row("e") + // 6
		"f,epson,m\"q,192.0.2.1,f@x.example,oauth2,smtp.office365.com,587,t.json\n" + // 7
		"g,epson\n" + // 8
		"\"h\nmultiline\",epson,m,192.0.2.1,h@x.example,oauth2,smtp.office365.com,587,t.json\n" + // 9-10: a quoted cell over two lines is fine
		row("i") // 11
	path := filepath.Join(t.TempDir(), "inv.csv")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := OpenFleet(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var good []string
	bad := map[string]string{}
	for d := range f.Devices() {
		if d.Err != nil {
			bad[strings.TrimPrefix(d.Source, path)] = d.Err.Error()
			continue
		}
		good = append(good, d.Name)
	}
	if strings.Join(good, " ") != "a c e h\nmultiline i" {
		t.Errorf("good devices %q", good)
	}
	for line, want := range map[string]string{":3": "not closed", ":5": "longer than", ":7": "quote", ":8": "wrong number of cells"} {
		if !strings.Contains(bad[line], path+line+": ") || !strings.Contains(bad[line], want) {
			t.Errorf("row %s: error %q, want %q", line, bad[line], want)
		}
	}
	if len(bad) != 4 {
		t.Errorf("bad rows %v", bad)
	}
	if f.Len() != 9 {
		t.Errorf("Len %d, want 9 records", f.Len())
	}
}

// BenchmarkReadInventory reads a 20,000-row inventory into devices (each
// row validated as a profile), nothing checked:
//
//	go test ./diag/batch/ -run '^$' -bench ReadInventory -benchtime 2x
func BenchmarkReadInventory(b *testing.B) {
	path := filepath.Join(b.TempDir(), "inv.csv")
	writeInventory(b, path, 20000)
	b.ResetTimer()
	for range b.N {
		f, err := OpenFleet(path)
		if err != nil {
			b.Fatal(err)
		}
		for d := range f.Devices() {
			if d.Err != nil {
				b.Fatal(d.Err)
			}
		}
		f.Close()
	}
}

// TestOpenFleetGivesUpWhenCancelled: counting a large inventory's rows
// stops when the context ends (Ctrl-C before the run starts).
func TestOpenFleetGivesUpWhenCancelled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "inv.csv")
	writeInventory(t, path, 10000)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f, err := OpenFleetContext(ctx, path)
	if err == nil || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), path) {
		t.Fatalf("fleet %v err %v", f, err)
	}
}

// writeYAMLFleet writes a YAML fleet of n devices, each its own mailbox.
func writeYAMLFleet(t testing.TB, path string, n int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("# a fleet\ndefaults:\n  email: {auth_method: oauth2, service: exchange-online}\n  smtp: {server: smtp.office365.com}\n\ndevices:\n")
	for i := range n {
		fmt.Fprintf(&b, "  # device %d\n  - device: {name: mfp-%06d, vendor: epson, model: WF-C579R}\n    smtp:\n      user: scan-%06d@contoso.example\n", i, i, i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestYAMLFleetStreams: a YAML fleet's entries are parsed one at a time
// from the text (its whole tree would cost about 60 times the file): the
// heap of a run over 5,000 entries is that of a run over 500, plus the
// file itself.
func TestYAMLFleetStreams(t *testing.T) {
	small, large := 500, 5000
	if testing.Short() || race {
		small, large = 200, 2000
	}
	dir := t.TempDir()
	run := func(n int) uint64 {
		path := filepath.Join(dir, fmt.Sprintf("fleet-%d.yaml", n))
		writeYAMLFleet(t, path, n)
		f, err := OpenFleet(path)
		if err != nil {
			t.Fatal(err)
		}
		if f.Len() != n {
			t.Fatalf("Len %d, want %d", f.Len(), n)
		}
		return peakHeap(t, f, Options{Check: transcriptCheck(10), Format: FormatJSONL, Concurrency: 32})
	}
	a, b := run(small), run(large)
	t.Logf("peak heap above the start %d KiB at %d entries, %d KiB at %d", a>>10, small, b>>10, large)
	if b > a+4<<20 {
		t.Errorf("peak heap grew from %d KiB to %d KiB with the fleet", a>>10, b>>10)
	}
}

// TestYAMLBadEntryDoesNotStopOthers: an entry with an unknown vendor, one
// with a bad port and one that is not a profile are each that entry's
// error with its line; the entries around them are devices; the lines are
// the file's. (A YAML syntax error stops the fleet file, naming its line.)
func TestYAMLBadEntryDoesNotStopOthers(t *testing.T) {
	body := "defaults:\n  email: {auth_method: oauth2, service: exchange-online}\n  smtp: {server: smtp.office365.com}\ndevices:\n" +
		"  - device: {name: a, vendor: epson}\n" + // 5
		"  - just-a-name\n" + // 6
		"  - device: {name: c, vendor: canon}\n" + // 7
		"  - device: {name: d, vendor: epson}\n    smtp:\n      port: 99999\n" + // 8, port on 10
		"  - device:\n      name: e\n      vendor: ricoh\n" // 11
	path := filepath.Join(t.TempDir(), "f.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := OpenFleet(path)
	if err != nil {
		t.Fatal(err)
	}
	var good []string
	var bad []string
	for d := range f.Devices() {
		if d.Err != nil {
			bad = append(bad, strings.ReplaceAll(d.Err.Error(), path, "f.yaml"))
			continue
		}
		good = append(good, d.Name)
	}
	if strings.Join(good, " ") != "a e" {
		t.Errorf("good %q", good)
	}
	want := []string{"f.yaml:6: devices[1]: must be a profile", `f.yaml:7: device.vendor: "canon"`, "f.yaml:10: smtp.port:"}
	if len(bad) != len(want) {
		t.Fatalf("bad %q", bad)
	}
	for i, w := range want {
		if !strings.HasPrefix(bad[i], w) {
			t.Errorf("error %q, want %q…", bad[i], w)
		}
	}
}

// FuzzYAMLItemByItem: wherever the whole-tree parse reads a fleet, reading
// it item by item from the text gives the same devices (names, profiles,
// errors).
func FuzzYAMLItemByItem(f *testing.F) {
	seed, _ := os.ReadFile(filepath.Join("..", "..", "fixtures", "fleets", "office.yaml"))
	f.Add(seed)
	f.Add([]byte("defaults:\n  email: {auth_method: oauth2, service: exchange-online}\n  smtp: {server: s}\ndevices:\n- device: {name: a, vendor: epson}\n  smtp: {port: 25}\n# c\n- device:\n    name: b\n    vendor: ricoh\n"))
	f.Add([]byte("devices:\n  - device: {name: a, vendor: epson, model: \"x\n      y\"}\n    email: {auth_method: none, service: other}\n    smtp: {server: s}\ndefaults: {}\n"))
	read := func(string) ([]byte, error) { return nil, os.ErrNotExist }
	f.Fuzz(func(t *testing.T, data []byte) {
		whole, err := yamlFleetAs("fleet.yaml", data, read, false)
		if err != nil {
			return
		}
		split, err := yamlFleetAs("fleet.yaml", data, read, true)
		if err != nil {
			t.Fatalf("whole tree reads it, item by item not: %v", err)
		}
		var a, b []Device
		for d := range whole.Devices() {
			a = append(a, d)
		}
		for d := range split.Devices() {
			b = append(b, d)
		}
		if whole.Len() != split.Len() || len(a) != len(b) {
			t.Fatalf("%d devices (Len %d) whole, %d (Len %d) item by item", len(a), whole.Len(), len(b), split.Len())
		}
		for i := range a {
			if (a[i].Err == nil) != (b[i].Err == nil) || !reflect.DeepEqual(a[i].Profile, b[i].Profile) {
				t.Fatalf("device %d: whole %+v %v\nitem by item %+v %v", i, a[i].Profile, a[i].Err, b[i].Profile, b[i].Err)
			}
			if a[i].Err != nil && a[i].Err.Error() != b[i].Err.Error() {
				t.Fatalf("device %d: whole %v\nitem by item %v", i, a[i].Err, b[i].Err)
			}
		}
	})
}
