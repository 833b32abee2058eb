package diagnose

import "testing"

func TestEntryIDsOfTheReader(t *testing.T) {
	if cat().byID[entraUnknownID] == nil {
		t.Fatalf("%s is not a catalogue entry", entraUnknownID)
	}
}
