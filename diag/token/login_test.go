package token

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mfpcheck/mfpcheck/fixtures/sim/entrasim"
)

// TestLoginSavesAndKeepsBackup: the sign-in is saved (0600) over the old
// file, which is kept as .bak; what comes back is what the file holds.
// A failed sign-in writes nothing.
func TestLoginSavesAndKeepsBackup(t *testing.T) {
	e, _, _ := simEndpoint(t, entrasim.Options{Mode: entrasim.ModeSuccess}, false)
	path := filepath.Join(t.TempDir(), "token.json")
	if err := os.WriteFile(path, []byte("old-bare-token"), 0o600); err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return now }
	s, bak, err := Login(context.Background(), e, path, func(DeviceCode) {}, clock)
	if err != nil {
		t.Fatal(err)
	}
	if bak != path+".bak" {
		t.Errorf("backup %q", bak)
	}
	if b, err := os.ReadFile(bak); err != nil || string(b) != "old-bare-token" {
		t.Errorf("backup holds %q, %v", b, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("saved file %v, %v", fi, err)
	}
	if s == nil || s.Access == "" || s.Refresh == "" || s.Source != path {
		t.Errorf("set %+v", s)
	}

	e2, _, _ := simEndpoint(t, entrasim.Options{Mode: entrasim.ModeDeclined}, false)
	other := filepath.Join(t.TempDir(), "token.json")
	_, _, err = Login(context.Background(), e2, other, func(DeviceCode) {}, clock)
	var se *SaveError
	if err == nil || errors.As(err, &se) {
		t.Errorf("declined sign-in: %v", err)
	}
	if _, err := os.Stat(other); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed sign-in wrote %s: %v", other, err)
	}
}
