package main

import "context"

// cmdSheet runs "mfpcheck sheet".
func (a *app) cmdSheet(ctx context.Context, args []string) int {
	a.errorf("%s is not built yet", "sheet")
	return ExitError
}
