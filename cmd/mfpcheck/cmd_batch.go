package main

import "context"

// cmdBatch runs "mfpcheck batch".
func (a *app) cmdBatch(ctx context.Context, args []string) int {
	a.errorf("%s is not built yet", "batch")
	return ExitError
}
