package profileinit

import "testing"

// TestFieldsLoad: fields.yaml (read at first use, not at program start)
// parses, and every question has its field and an English wording.
func TestFieldsLoad(t *testing.T) {
	fields := Fields()
	if len(fields) == 0 {
		t.Fatal("fields.yaml has no questions")
	}
	for i, f := range fields {
		if f.Key == "" || f.Ask["en"] == "" {
			t.Errorf("question %d: key %q, English wording %q", i+1, f.Key, f.Ask["en"])
		}
	}
}
