package sheet

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

func TestSheetDefaultName(t *testing.T) {
	when := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		r    *report.Report
		want string
	}{
		{&report.Report{Device: &report.Device{Name: "Empfang 2. OG / Kopierraum"}}, "mfpcheck-sheet-empfang-2.-og-kopierraum-2026-03-02.pdf"},
		{&report.Report{Target: report.Target{Host: "smtp.office365.com"}}, "mfpcheck-sheet-smtp.office365.com-2026-03-02.pdf"},
		{&report.Report{Device: &report.Device{Name: "../../etc/passwd"}}, "mfpcheck-sheet-etc-passwd-2026-03-02.pdf"},
		{&report.Report{}, "mfpcheck-sheet-device-2026-03-02.pdf"},
	} {
		if got := FileName(c.r, when); got != c.want {
			t.Errorf("FileName = %q, want %q", got, c.want)
		}
	}
}

// TestOutputUniqueAndForce: in a folder, a second sheet of the same day
// gets -2 with Unique and is refused without it; Force replaces.
func TestOutputUniqueAndForce(t *testing.T) {
	dir := t.TempDir()
	when := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	r := &report.Report{Schema: report.Schema, Target: report.Target{Host: "smtp.office365.com"}, Verdict: report.VerdictOK}
	out, err := NewOutput(dir, false)
	if err != nil || !out.Dir || !out.Set() {
		t.Fatalf("NewOutput(folder) = %+v, %v", out, err)
	}
	out.Unique = true
	first, pdf, err := out.Write(context.Background(), r, Options{Lang: "en"}, when)
	if err != nil || filepath.Base(first) != "mfpcheck-sheet-smtp.office365.com-2026-03-02.pdf" || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("first sheet %q, %d bytes, %v", first, len(pdf), err)
	}
	second, _, err := out.Write(context.Background(), r, Options{Lang: "en"}, when)
	if err != nil || filepath.Base(second) != "mfpcheck-sheet-smtp.office365.com-2026-03-02-2.pdf" {
		t.Errorf("second sheet %q, %v", second, err)
	}
	if _, err := NewOutput(first, false); !errors.Is(err, fs.ErrExist) {
		t.Errorf("existing file without force: %v", err)
	}
	forced, err := NewOutput(first, true)
	if err != nil {
		t.Fatal(err)
	}
	if path, _, err := forced.Write(context.Background(), r, Options{Lang: "en"}, when); err != nil || path != first {
		t.Errorf("forced write %q, %v", path, err)
	}
}
