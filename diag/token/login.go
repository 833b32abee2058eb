package token

import (
	"context"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/report"
)

// SaveError is a sign-in that worked but whose tokens could not be kept:
// Backup set when the previous file could not be backed up (it was left as
// it was, the new tokens were not written).
type SaveError struct {
	Backup bool
	Err    error
}

func (e *SaveError) Error() string { return e.Err.Error() }
func (e *SaveError) Unwrap() error { return e.Err }

// Login signs in with a device code (DeviceLogin, show gets the code) and
// saves the tokens to path: the previous file is kept as path+".bak"
// first, the new set is written atomically (0600) and read back, so the
// set returned is what the file now holds, and backup names the kept
// file ("" when there was none). A failed sign-in returns DeviceLogin's
// error and writes nothing; a sign-in that could not be saved returns a
// *SaveError with the new set (whose secrets the caller still redacts).
// "mfpcheck login", the TUI and the demo all sign in through it.
func Login(ctx context.Context, e Endpoint, path string, show func(DeviceCode), now func() time.Time) (set *Set, backup string, err error) {
	set, err = DeviceLogin(ctx, e, show, now)
	if err != nil {
		return set, "", err
	}
	if backup, err = Backup(path); err != nil {
		return set, "", &SaveError{Backup: true, Err: err}
	}
	if err := Save(path, set); err != nil {
		return set, "", &SaveError{Err: err}
	}
	saved, err := Load(path)
	if err != nil {
		return set, backup, &SaveError{Err: err}
	}
	return saved, backup, nil
}

// Renewal is what Renew found: the new set (nil when the refresh failed)
// and the token facts a check reports.
type Renewal struct {
	Set *Set
	// Info describes the new set (Refreshed), or the old one with the
	// refresh's error recorded when no new set came.
	Info *report.TokenInfo
	// Err is the refresh's error; with Set not nil, the new tokens could
	// not be saved over the file they came from.
	Err error
}

// Renew exchanges s's refresh token for new tokens (Refresh, which saves
// them over s's file) and inspects the result against w at now: one
// sequence for "mfpcheck token --refresh" and "probe --refresh".
func Renew(ctx context.Context, e Endpoint, s *Set, w Want, now time.Time) Renewal {
	fresh, err := Refresh(ctx, e, s, now)
	rn := Renewal{Set: fresh, Err: err}
	if fresh != nil {
		rn.Info = Inspect(fresh, w, now)
		rn.Info.Refreshed = true
		return rn
	}
	rn.Info = Inspect(s, w, now)
	RecordRefreshError(rn.Info, err)
	return rn
}
