package main

import "context"

// cmdDemo runs "mfpcheck demo".
func (a *app) cmdDemo(ctx context.Context, args []string) int {
	a.errorf("%s is not built yet", "demo")
	return ExitError
}
