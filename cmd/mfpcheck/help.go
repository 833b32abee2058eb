package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strings"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/token"
)

// command is one mfpcheck command as help shows it. The README's commands
// table says the same; testdata/script/help.txtar holds both to it.
type command struct {
	name string
	// usage is the synopsis after "mfpcheck ".
	usage string
	// summary is the one-line description.
	summary string
	// details, if any, follows the summary in the command's own help.
	details string
}

// commands in the order "mfpcheck help" lists them.
var commands = []command{
	{name: "demo",
		usage:   "demo [--scenario NAME] [--list] [--serve] [--login] [--refresh] [--sheet FILE] [--tui] [--batch [--format F]] [--exporter [--listen ADDR]]",
		summary: "Runs everything below against the built-in Exchange Online simulator on loopback: no account, no network.",
	},
	{name: "probe",
		usage:   "probe [--profile FILE | HOST[:PORT] | smtp[s]://HOST | pop3[s]://HOST | --pop3 HOST[:PORT]] [flags]",
		summary: "Probes a device's mail server phase by phase, the way the device would.",
		details: `Phases: dns, connect, banner, ehlo, starttls, tls, ehlo_tls, auth, mail_from,
rcpt_to, (data), quit; with a POP3 server in the profile also its pop3_ phases.
--pop3 HOST[:PORT] or pop3s://HOST (995, TLS) / pop3://HOST (110, STLS)
checks a POP3 server alone. IPv6 literals go in brackets: [2001:db8::1]:587.
Every profile field can be given as a flag; flags override the profile. No
mail is sent unless --send-to is given.`,
	},
	{name: "init",
		usage:   "init [--vendor epson|ricoh|nashuatec|sharp|other] [--from-device HOST[:IPP_PORT]] [-o FILE] [--force]",
		summary: "Writes a commented device profile from what the device's web page shows: asks on a terminal (in the maker's own menu names), or takes flags; validates it at once.",
		details: `--from-device asks the device what it is (IPP, else SNMP v2c, as "device"
does) and fills device.vendor, model, firmware, address and name; flags
given win over what the device says.`,
	},
	{name: "explain",
		usage:   `explain CODE | "REPLY TEXT" | AADSTSnnnnn | FINDING-ID | - [flags]`,
		summary: "Decodes a reply, a reply or device job code, a device token state, an AADSTS code, an OAuth error or a finding id (from a report, a metric or an alert) into the cause and the steps to fix it.",
		details: `"-" reads a whole transcript or device log from standard input and
explains every failure in it.`,
	},
	{name: "token",
		usage:   "token [--profile FILE | --token-file FILE [--user ADDR] | --token-env NAME] [--refresh] [--json]",
		summary: "Reads an OAuth token (claims are read, the signature is not verified) and says whether the device can use it.",
	},
	{name: "login",
		usage:   "login [--profile FILE] [--tenant T --client-id ID --user ADDR] [--token-file FILE] [--pop]",
		summary: "Signs in with a device code (https://microsoft.com/devicelogin), saves the tokens (mode 0600) and checks them.",
	},
	{name: "sheet",
		usage:   "sheet [--profile FILE [--tenant-check --admin-tokens DIR] | --from REPORT.json] [-o FILE.pdf] [--force] [--print ipp[s]://HOST[:PORT]/PATH | --print-to] [--timeout D]",
		summary: "Prints the PDF network status sheet of a saved report or of a fresh check of a device.",
		details: `An existing file is never overwritten without --force. --print also sends
the sheet to a printer over IPP (--print-to: the device's own device.address),
only after the printer said it takes application/pdf; exit 2 when it was not
printed. Nothing is printed without --print or --print-to.`,
	},
	{name: "device",
		usage:   "device [HOST[:IPP_PORT] | ipp[s]://HOST[:PORT]/PATH] [--profile FILE] [--json] [--timeout D] [--snmp-port N] [--community C]",
		summary: "Asks the printer over IPP what it is (make and model, firmware, UUID, state, document formats) and, with a profile, says where it differs from what the profile claims.",
		details: `Sends IPP Get-Printer-Attributes (RFC 8011) and nothing else: nothing is
printed or changed. Where IPP is closed (refused, or no answer in half of
--timeout), reads SNMP v2c instead (sysDescr, hrDeviceDescr, Printer MIB,
entPhysicalFirmwareRev), read-only; the output says which answered. The
community (--community, else $MFPCHECK_SNMP_COMMUNITY, else public) is never
printed. Without HOST the profile's device.address is asked.`,
	},
	{name: "discover",
		usage:   "discover [--timeout D] [--json] [--lang en|de|fr]",
		summary: "Lists the printers and MFPs that answer DNS-SD (Bonjour) on the local link, with address, services, make and model, web page, and the command that starts a profile for each.",
		details: `Asks for _ipp._tcp, _ipps._tcp, _printer._tcp and _pdl-datastream._tcp by
multicast DNS on each interface that is up (the local link only: mDNS does
not cross routers), for --timeout (3s), and connects to nothing. Exit 0 when
a device answered, 2 when none did.`,
	},
	{name: "batch",
		usage:   "batch FLEET [--concurrency N] [--format text|json|jsonl|csv|openmetrics|nagios] [--sheets DIR [--force]] [--only-problems] [--timeout D] [--lang en|de|fr] [--tenant-check --admin-tokens DIR]",
		summary: "Checks every device of a fleet, concurrently, and prints one line per device (worst first) or a machine-readable document.",
		details: batchDetails,
	},
	{name: "tenant",
		usage:   "tenant [--profile FILE | --tenant T --user ADDR] [--admin-tokens DIR | --save DIR] [--json] [--lang L]",
		summary: "Reads what Microsoft 365 decides for the scan mailbox (SMTP AUTH, policies, security defaults, Conditional Access, sign-ins), with an administrator's sign-in; read-only.",
		details: tenantDetails,
	},
	{name: "serve",
		usage:   "serve --fleet FILE [--listen ADDR] [--min-interval D] [--timeout D] [--module NAME=PROFILE ...] [--tenant-check --admin-tokens DIR]",
		summary: "Serves the fleet's checks to Prometheus like blackbox_exporter (/probe?target=NAME, /targets for service discovery, /metrics).",
		details: serveDetails,
	},
	{name: "tui",
		usage:   "tui [--profile FILE | --fleet FILE | DIR] [--lang en|de|fr] [--sheet-dir DIR] [--ca FILE] [--tenant-check --admin-tokens DIR]",
		summary: "Interactive terminal UI: live probe phases, findings, token and device-code sign-in, transcript, explain. \"mfpcheck\" alone on a terminal opens it too.",
	},
	{name: "version",
		usage:   "version",
		summary: "Prints mfpcheck's version.",
	},
	{name: "help",
		usage:   "help [COMMAND]",
		summary: "Lists the commands, or shows one command's help.",
	},
}

// lookupCommand finds a command by name.
func lookupCommand(name string) (command, bool) {
	for _, list := range [][]command{commands, subcommands} {
		for _, c := range list {
			if c.name == name {
				return c, true
			}
		}
	}
	return command{}, false
}

// subcommands have their own help but no line in "mfpcheck help": their
// command's help names them.
var subcommands = []command{
	{name: "tenant register-app",
		usage:   "tenant register-app [--profile FILE | --tenant T] [--admin-tokens DIR] [--pop] [--yes]",
		summary: "Registers the app a device signs in with: shows what it will create, asks, then creates a public client with the delegated permission SMTP.Send (POP.AccessAsUser.All with --pop) and admin consent, with a Graph administrator's sign-in; prints the client id or writes it into the profile. Changes nothing else; a second run finds the app it made.",
	},
}

// writeUsage writes "mfpcheck help": every command's usage line and
// summary.
func writeUsage(w io.Writer) {
	fmt.Fprintln(w, "mfpcheck: why can't this printer send scan-to-email through Exchange Online?")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage:")
	for _, c := range commands {
		fmt.Fprintf(w, "  mfpcheck %s\n", c.usage)
		fmt.Fprintf(w, "      %s\n", c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "mfpcheck help COMMAND" (or "mfpcheck COMMAND --help") for a command's flags.`)
	fmt.Fprintln(w, "Languages: --lang en|de|fr, default from LC_ALL, LC_MESSAGES, LANG.")
	fmt.Fprintln(w, "Exit codes: 0 ok, 1 warnings, 2 failure found, 3 could not run.")
}

// writeCommandHelp writes a command's help: usage line, summary, details
// and its flags (fs may be nil for a command without flags).
func writeCommandHelp(w io.Writer, c command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: mfpcheck %s\n\n%s\n", c.usage, c.summary)
	if c.details != "" {
		fmt.Fprintf(w, "\n%s\n", strings.Trim(c.details, "\n"))
	}
	if fs != nil {
		fmt.Fprintln(w, "\nFlags:")
		writeFlags(w, fs)
	}
}

// writeFlags lists a command's flags the way they are typed: --name (-o
// for one letter), a value placeholder, the description and a non-empty
// default. Deprecated aliases are left out.
func writeFlags(w io.Writer, fs *flag.FlagSet) {
	type row struct{ left, usage string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *flag.Flag) {
		if _, old := deprecatedFor(f); old {
			return
		}
		value, usage := flag.UnquoteUsage(f)
		left := "--" + f.Name
		if len(f.Name) == 1 {
			left = "-" + f.Name
		}
		if value != "" {
			left += " " + value
		}
		switch f.DefValue {
		case "", "0", "false", "0s":
		default:
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		rows = append(rows, row{left, usage})
		width = max(width, len(left))
	})
	width = min(width, 26)
	for _, r := range rows {
		if len(r.left) > width {
			fmt.Fprintf(w, "  %s\n  %*s  %s\n", r.left, width, "", r.usage)
			continue
		}
		fmt.Fprintf(w, "  %-*s  %s\n", width, r.left, r.usage)
	}
}

// deprecatedPrefix starts the usage of a flag kept only as an old name for
// another: help leaves it out, and using it prints a hint.
const deprecatedPrefix = "deprecated: use --"

// deprecatedUsage is the usage of a flag that is an old name for --name.
func deprecatedUsage(name string) string { return deprecatedPrefix + name }

// deprecatedFor reports the flag's new name if it is an old alias.
func deprecatedFor(f *flag.Flag) (string, bool) {
	return strings.CutPrefix(f.Usage, deprecatedPrefix)
}

// parseArgs parses a command's flags, which may come before or after its
// positional arguments. ok is false when the command must return code at
// once: after --help, printed on stdout (0), or a flag error, printed as
// error and hint (3). Old flag names that were given get a hint naming the
// new one.
func (a *app) parseArgs(fs *flag.FlagSet, args []string) (positional []string, code int, ok bool) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				a.commandHelp(fs.Name(), fs)
				return nil, ExitOK, false
			}
			a.errorf("%s: %s", fs.Name(), flagError(err))
			a.hintf("run \"mfpcheck %s --help\" for its flags", fs.Name())
			return nil, ExitError, false
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
	fs.Visit(func(f *flag.Flag) {
		if name, old := deprecatedFor(f); old {
			a.hintf("--%s is an old name; use --%s", f.Name, name)
		}
	})
	return positional, 0, true
}

// commandHelp prints the help of the command name on stdout.
func (a *app) commandHelp(name string, fs *flag.FlagSet) {
	c, ok := lookupCommand(name)
	if !ok {
		c = command{name: name, usage: name + " [flags]"}
	}
	writeCommandHelp(a.stdout, c, fs)
}

// flagRE finds a flag as the flag package writes it in errors (-name).
var flagRE = regexp.MustCompile(`(^|[\s:])-([A-Za-z][A-Za-z0-9-]+)`)

// flagError is the flag package's error with flags written as they are
// typed (--name).
func flagError(err error) string {
	msg := strings.Replace(err.Error(), "flag provided but not defined", "unknown flag", 1)
	return flagRE.ReplaceAllString(msg, "$1--$2")
}

// cmdHelp runs "mfpcheck help [COMMAND]".
func (a *app) cmdHelp(ctx context.Context, args []string) int {
	switch {
	case len(args) == 0:
		writeUsage(a.stdout)
		return ExitOK
	case len(args) > 1:
		a.errorf("help: one command at a time, got %s", strings.Join(args, " "))
		a.hintf("run \"mfpcheck help\" for the list of commands")
		return ExitError
	}
	c, ok := lookupCommand(args[0])
	if !ok {
		return a.unknownCommand(args[0])
	}
	switch c.name {
	case "help", "version":
		writeCommandHelp(a.stdout, c, nil)
		return ExitOK
	}
	return a.run(ctx, []string{c.name, "--help"})
}

// cmdVersion runs "mfpcheck version".
func (a *app) cmdVersion(args []string) int {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "--help" {
			c, _ := lookupCommand("version")
			writeCommandHelp(a.stdout, c, nil)
			return ExitOK
		}
		return a.usageError("version", "unexpected argument %q", args[0])
	}
	fmt.Fprintf(a.stdout, "mfpcheck %s\n", version)
	return ExitOK
}

// usageError reports a command line the command cannot take: the error,
// and a hint to the command's help.
func (a *app) usageError(cmd, format string, args ...any) int {
	a.errorf(cmd+": "+format, args...)
	a.hintf("run \"mfpcheck %s --help\" for its usage", cmd)
	return ExitError
}

// inputError reports input the command could not use (a profile, a token
// file, a report, a flag's value): each line of err as an error line, then
// one hint that fits its kind.
func (a *app) inputError(cmd string, err error) int {
	a.errorLines(err)
	var pe *profile.ProfileError
	var te *token.FileError
	var he *check.HintError
	switch {
	case errors.As(err, &he):
		a.hintf("%s", he.Hint)
	case errors.As(err, &pe):
		a.hintf("fix the profile at the line named; README \"Device profile\" lists every field")
	case errors.As(err, &te):
		a.hintf("a token file holds oauth2 token JSON, a token-endpoint response or the bare token; \"mfpcheck login\" writes one")
	case errors.Is(err, fs.ErrNotExist):
		a.hintf("check the file name: relative names start in the current folder")
	default:
		a.hintf("run \"mfpcheck %s --help\" for its usage", cmd)
	}
	return ExitError
}

// unknownCommand reports a command name that is not one.
func (a *app) unknownCommand(name string) int {
	a.errorf("unknown command %q", name)
	a.hintf("run \"mfpcheck help\" for the list of commands")
	return ExitError
}
