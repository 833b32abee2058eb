package sheet

import (
	"os"
	"testing"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

func TestLookDump(t *testing.T) {
	dir := os.Getenv("SHEET_DUMP")
	if dir == "" {
		t.Skip("set SHEET_DUMP=DIR to write sample sheets for viewing")
	}
	for _, lang := range []string{"en", "de", "fr"} {
		for name, r := range map[string]func(string) *report.Report{"ok": okReport, "fail": authFailReport, "long": longReport} {
			f, err := os.Create(dir + "/" + name + "-" + lang + ".pdf")
			if err != nil {
				t.Fatal(err)
			}
			if err := Render(f, r(lang), Options{Lang: lang, Fixed: fixedGenerated}); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
	}
}

func TestLookDumpFleet(t *testing.T) {
	dir := os.Getenv("SHEET_DUMP")
	if dir == "" {
		t.Skip("set SHEET_DUMP=DIR to write sample sheets for viewing")
	}
	ok, fail := okReport("en"), authFailReport("en")
	ok.Device.Name = "Lager Halle 3"
	f, err := os.Create(dir + "/fleet-en.pdf")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := RenderFleet(f, []*report.Report{ok, fail, {Verdict: report.VerdictError, Error: "token file missing"}}, Options{Fixed: fixedGenerated}); err != nil {
		t.Fatal(err)
	}
}
