package main

import "context"

// cmdTUI runs "mfpcheck tui".
func (a *app) cmdTUI(ctx context.Context, args []string) int {
	a.errorf("%s is not built yet", "tui")
	return ExitError
}
