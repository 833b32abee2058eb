package main

import "context"

// cmdLogin runs "mfpcheck login".
func (a *app) cmdLogin(ctx context.Context, args []string) int {
	a.errorf("%s is not built yet", "login")
	return ExitError
}
