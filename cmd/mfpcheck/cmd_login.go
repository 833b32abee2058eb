package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mfpcheck/mfpcheck/diag/diagnose"
	"github.com/mfpcheck/mfpcheck/diag/token"
)

// cmdLogin runs "mfpcheck login": the device-code sign-in, then the same
// check as "token".
func (a *app) cmdLogin(ctx context.Context, args []string) int {
	f, ts, code, ok := a.tokenArgs("login", args)
	if !ok {
		return code
	}
	if ts.ep.ClientID == "" {
		a.errorf("login: no client ID")
		a.hintf("give --client-id (the app registration's Application ID) and --tenant, or a --profile with oauth.client_id")
		return ExitError
	}
	if ts.file == "" {
		a.errorf("login: no token file to save the sign-in to")
		a.hintf("give --token-file FILE, or a --profile with oauth.token_file")
		return ExitError
	}
	ts.ep.Wait = a.wait
	show := func(dc token.DeviceCode) { a.showDeviceCode(dc, ts.want.User, f.jsonOut) }
	saved, bak, err := token.Login(ctx, ts.ep, ts.file, show, a.now)
	ts.addSet(saved)
	var se *token.SaveError
	switch {
	case errors.As(err, &se):
		a.errorf("%v", err)
		if se.Backup {
			a.hintf("the previous token file was left as it was; the new tokens were not saved")
		}
		return ExitError
	case err != nil:
		return a.loginFailed(ts, f, err)
	}
	fmt.Fprintf(a.stderr, "mfpcheck: signed in; tokens saved to %s (mode 0600)\n", ts.file)
	if bak != "" {
		fmt.Fprintf(a.stderr, "mfpcheck: the previous token file was kept as %s\n", bak)
	}
	if !f.jsonOut {
		fmt.Fprintln(a.stdout)
	}
	return a.tokenReport(ts, token.Inspect(saved, ts.want, a.now()), f, nil)
}

// showDeviceCode prints the sign-in code. It goes to stdout, large and
// plain, so it can be read from across the room or copied; with --json
// stdout is the report, so the code goes to stderr.
func (a *app) showDeviceCode(dc token.DeviceCode, user string, jsonOut bool) {
	w := a.stdout
	if jsonOut {
		w = a.stderr
	}
	line := strings.Repeat("=", 60)
	fmt.Fprintln(w, line)
	fmt.Fprintf(w, "  1. Open:        %s\n", dc.VerificationURI)
	fmt.Fprintf(w, "  2. Enter code:  %s\n", dc.UserCode)
	if user != "" {
		fmt.Fprintf(w, "  3. Sign in as:  %s\n", user)
	}
	fmt.Fprintln(w, line)
	if dc.Message != "" {
		fmt.Fprintf(w, "Entra ID: %s\n", dc.Message)
	}
	fmt.Fprintf(w, "The code is valid for %d minutes. Waiting for the sign-in (Ctrl-C stops)…\n", int(dc.ExpiresIn.Minutes()))
}

// loginFailed explains a failed sign-in. Entra's answer (an AADSTS code or
// an OAuth error) is looked up in the catalogue; nothing is saved.
func (a *app) loginFailed(ts *tokenSetup, f tokenFlags, err error) int {
	if errors.Is(err, context.Canceled) {
		a.errorf("login: stopped before the sign-in was finished; nothing was saved")
		return ExitError
	}
	a.errorf("login: %v", err)
	var ee *token.EntraError
	key := ""
	switch {
	case errors.As(err, &ee):
		key = firstNonEmpty(ee.AADSTSCode(), ee.Code)
	case errors.Is(err, token.ErrCodeExpired):
		key = token.ErrExpiredToken
	default:
		// No answer from Entra ID at all: login could not run.
		a.unreachableHint()
		return ExitError
	}
	lang := a.lang(f.lang)
	vendor := ""
	if ts.profile != nil {
		vendor = ts.profile.Device.Vendor
	}
	found := diagnose.Explain(key, diagnose.Options{Lang: lang, Vendor: vendor})
	if len(found) == 0 && ee != nil && ee.Code != "" && key != ee.Code {
		found = diagnose.Explain(ee.Code, diagnose.Options{Lang: lang, Vendor: vendor})
	}
	info := token.Waiting(ts.file)
	info.State = token.StateNotObtained
	code := a.tokenReport(ts, info, f, found)
	if code < ExitFail {
		code = ExitFail
	}
	return code
}

// unreachableHint follows an error where the sign-in endpoint gave no
// answer (offline, DNS, a proxy in the way): nothing was decided about the
// token, so the command could not run.
func (a *app) unreachableHint() {
	a.hintf("the sign-in endpoint did not answer: check this computer's connection; behind a proxy use --proxy URL or HTTPS_PROXY; then run \"mfpcheck login\" again")
}
