package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/mfpcheck/mfpcheck/diag/diagnose"
	"github.com/mfpcheck/mfpcheck/diag/discover"
)

// cmdDiscover runs "mfpcheck discover": the printers and MFPs that answer
// DNS-SD on the local link. Exit codes: ExitOK when at least one device
// answered, ExitFail when none did within --timeout, ExitError on bad
// input, when no query could be sent, or when interrupted (what was found
// until then is still printed).
func (a *app) cmdDiscover(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("discover", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the devices as JSON")
	timeout := fs.Duration("timeout", discover.DefaultTimeout, "how long to listen for answers")
	lang := fs.String("lang", "", "language: en | de | fr (default from LC_ALL/LC_MESSAGES/LANG)")
	pos, code, ok := a.parseArgs(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		a.errorf("discover: no arguments expected, got %q", strings.Join(pos, " "))
		a.hintf("mfpcheck discover [--timeout 3s] [--json]")
		return ExitError
	}
	if !a.langFlagOK("discover", *lang) {
		return ExitError
	}
	if *timeout <= 0 {
		a.errorf("discover: --timeout must be positive")
		a.hintf("e.g. --timeout 3s")
		return ExitError
	}
	res, err := discover.Browse(ctx, discover.Options{Timeout: *timeout})
	if err != nil {
		a.errorf("discover: %v", err)
		a.hintf("mDNS needs a network interface with multicast (UDP port 5353)")
		return ExitError
	}
	return a.discoverResult(ctx, a.lang(*lang), res, *asJSON)
}

// discoverResult prints what Browse found and maps it to the exit code.
func (a *app) discoverResult(ctx context.Context, l string, res *discover.Result, asJSON bool) int {
	if asJSON {
		if code := a.emitJSON("discover", res); code != ExitOK {
			return code
		}
	} else {
		writeDevices(a, l, res.Devices)
	}
	for _, e := range res.Errors {
		a.hintf("discover: %s", e)
	}
	switch {
	case ctx.Err() != nil:
		a.errorf("discover: interrupted")
		return ExitError
	case len(res.Devices) == 0:
		a.errorf("discover: %s", strings.ReplaceAll(diagnose.Label(l, "discover.none"), "{timeout}", res.Timeout.D().String()))
		a.hintf("%s", diagnose.Label(l, "discover.none_hint"))
		return ExitFail
	}
	return ExitOK
}

// writeDevices prints one block per device, with the command that starts
// its profile.
func writeDevices(a *app, lang string, devices []discover.Device) {
	for i, d := range devices {
		if i > 0 {
			fmt.Fprintln(a.stdout)
		}
		fmt.Fprintln(a.stdout, d.Name)
		tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
		row := func(key, v string) {
			if v == "" {
				v = diagnose.Label(lang, "device.none")
			}
			fmt.Fprintf(tw, "  %s\t%s\n", diagnose.Colon(lang, diagnose.Label(lang, key)), v)
		}
		row("discover.host", strings.TrimSuffix(d.Host, "."))
		row("discover.addresses", strings.Join(d.Addresses, ", "))
		row("discover.services", d.ServiceList())
		row("device.model", d.MakeAndModel)
		row("device.more_info", d.AdminURL)
		row("discover.profile", profileCommand(d))
		tw.Flush()
	}
}

// profileCommand is the command line that starts a profile for d.
func profileCommand(d discover.Device) string {
	if t := d.Target(); t != "" {
		return "mfpcheck init --from-device " + t
	}
	return ""
}
