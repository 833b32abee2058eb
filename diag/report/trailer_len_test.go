package report

import (
	"strings"
	"testing"
)

// TestTrailerLengthBound: a bracketed group of up to maxTrailer bytes is
// read as a trailer, a longer one is left in the text (the bound is
// checked in code, not in the regexp).
func TestTrailerLengthBound(t *testing.T) {
	host := "AM0PR01MB1234.eurprd01.prod.exchangelabs.com"
	for _, tc := range []struct {
		pad  int
		want bool
	}{{maxTrailer - len(host) - 1, true}, {maxTrailer - len(host), false}} {
		inner := host + " " + strings.Repeat("x", tc.pad)
		text, tr := SplitTrailer("Authentication unsuccessful [" + inner + "]")
		if got := tr != nil; got != tc.want {
			t.Errorf("%d bytes in brackets: trailer %v, want %v", len(inner), got, tc.want)
		}
		if tc.want && (text != "Authentication unsuccessful" || tr.Host != host) {
			t.Errorf("%d bytes: text %q, host %q", len(inner), text, tr.Host)
		}
	}
}
