package main

import "context"

// cmdExplain runs "mfpcheck explain".
func (a *app) cmdExplain(ctx context.Context, args []string) int {
	a.errorf("%s is not built yet", "explain")
	return ExitError
}
