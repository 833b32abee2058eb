package suggest

import (
	"slices"
	"testing"
)

func TestClosest(t *testing.T) {
	names := []string{"security", "host", "port", "user", "sender", "auth", "connect_to"}
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"securty", []string{"security"}},
		{"Securty", []string{"security"}},
		{"prot", []string{"port"}},
		{"xyzzy", nil},
		{"", nil},
		{"connect", []string{"connect_to"}},
	} {
		if got := Closest(c.in, names); !slices.Equal(got, c.want) {
			t.Errorf("Closest(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if h := Hint("securty", names); h != "did you mean security?" {
		t.Errorf("Hint = %q", h)
	}
	if h := Hint("mailbox-auth", []string{"mailbox-auth-disabled", "tenant-auth-disabled"}); h != "did you mean mailbox-auth-disabled?" {
		t.Errorf("Hint = %q", h)
	}
}
