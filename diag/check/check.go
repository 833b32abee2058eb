// Package check runs everything mfpcheck knows how to check for one device
// (SMTP probe, POP3 probe, token check, network facts) and then the
// diagnosis, and returns one report. The CLI, the TUI and batch mode all go
// through Run, so a device is checked the same way everywhere.
package check

import (
	"context"
	"time"

	"github.com/mfpcheck/mfpcheck/diag"
)

// Config is one device's check.
type Config struct {
	// Profile is the device; nil when the probe was configured by flags.
	Profile *diag.Profile
	Probe   diag.ProbeConfig
	// POP3 is nil when the device has no POP3 server configured.
	POP3 *diag.POP3Config
	// TokenFile / TokenEnv: where the OAuth token lives (for the token check).
	TokenFile string
	TokenEnv  string
	// Refresh asks for a refresh-token exchange (token --refresh).
	Refresh bool
	// Authority overrides https://login.microsoftonline.com.
	Authority string
	// Network collects this host's interfaces, gateway and DNS servers and
	// checks the SMTP, POP3 and sign-in hosts (for the status sheet).
	Network bool
	Lang    string
	Now     func() time.Time
}

// Run checks one device. It never returns nil.
func Run(ctx context.Context, cfg Config) *diag.Report {
	panic("check: not built yet")
}
