package batch

import (
	"context"
	"errors"
	"os"
	"path/filepath"
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
