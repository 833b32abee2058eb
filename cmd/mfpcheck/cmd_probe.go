package main

import "context"

// cmdProbe runs "mfpcheck probe".
func (a *app) cmdProbe(ctx context.Context, args []string) int {
	a.errorf("%s is not built yet", "probe")
	return ExitError
}
