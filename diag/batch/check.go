package batch

import (
	"context"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// CheckWith returns the CheckFunc that runs check.Run, the same full check
// as "mfpcheck probe", with the config configure builds for each device
// (typically check.FromProfile of the device's profile, plus the run's
// language and clock).
func CheckWith(configure func(Device) check.Config) CheckFunc {
	return func(ctx context.Context, d Device) *report.Report {
		return check.Run(ctx, configure(d))
	}
}
