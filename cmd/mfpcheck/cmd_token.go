package main

import "context"

// cmdToken runs "mfpcheck token".
func (a *app) cmdToken(ctx context.Context, args []string) int {
	a.errorf("%s is not built yet", "token")
	return ExitError
}
