package diagnose

import "testing"

func TestExplainTextPrefersCatalogueID(t *testing.T) {
	var id string
	for k := range cat().byID {
		id = k
		break
	}
	if id == "" {
		t.Fatal("empty catalogue")
	}
	got := ExplainText("  "+id+"\n", Options{Lang: "en"})
	if len(got) != 1 || got[0].ID != id {
		t.Fatalf("ExplainText(%q) = %+v, want the one finding %s", id, got, id)
	}
	if got := ExplainText("535 5.7.139 Authentication unsuccessful", Options{Lang: "en"}); len(got) == 0 {
		t.Fatal("ExplainText did not read a 535 reply")
	}
	if got := ExplainText("   ", Options{Lang: "en"}); len(got) != 0 {
		t.Fatalf("ExplainText(blank) = %+v, want nothing", got)
	}
}

func TestKnownVendor(t *testing.T) {
	for v, want := range map[string]bool{"": true, "Epson": true, "nashuatec": true, "OTHER": true, "canon": false, "x": false} {
		if got := KnownVendor(v); got != want {
			t.Errorf("KnownVendor(%q) = %v, want %v", v, got, want)
		}
	}
}
