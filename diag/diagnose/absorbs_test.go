package diagnose

import (
	"slices"
	"strings"
	"testing"
)

// TestAbsorbsAndSymptomsAreData checks the rules that were Go tables are
// catalogue fields: each device state is a symptom, and an entry's
// absorbed finding is dropped with its evidence kept.
func TestAbsorbsAndSymptomsAreData(t *testing.T) {
	for _, e := range cat().entries {
		if strings.HasPrefix(e.ID, "device.state.") != e.Symptom {
			t.Errorf("%s: symptom %v", e.ID, e.Symptom)
		}
	}
	hits := absorb([]Hit{
		{ID: "tls.legacy_version", Evidence: []string{"tls.version: TLS 1.0"}},
		{ID: "smtp.tls.legacy_rejected", Evidence: []string{"421 4.7.66 TLS 1.0 and 1.1 are not supported"}},
	})
	if len(hits) != 1 || hits[0].ID != "smtp.tls.legacy_rejected" || !slices.Contains(hits[0].Evidence, "tls.version: TLS 1.0") {
		t.Errorf("absorb: %+v", hits)
	}
	if !isSymptom("device.state.invalid") || isSymptom("token.audience") || isSymptom("no.such.id") {
		t.Error("isSymptom")
	}
}
