package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/device"
	"github.com/mfpcheck/mfpcheck/diag/diagnose"
	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/render"
	"github.com/mfpcheck/mfpcheck/diag/report"
)

// deviceResult is what "mfpcheck device --json" prints.
type deviceResult struct {
	Device   *device.Identity `json:"device"`
	Findings []report.Finding `json:"findings"`
	Verdict  report.Verdict   `json:"verdict"`
}

// cmdDevice runs "mfpcheck device": the printer's identity over IPP (SNMP
// v2c where IPP's port is closed), held against the profile when one is
// given. Exit codes: ExitOK, ExitWarning when the printer is not what the
// profile says, ExitFail when it answers neither, ExitError on bad input.
func (a *app) cmdDevice(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("device", flag.ContinueOnError)
	profileFile := fs.String("profile", "", "device profile: its device.address is asked when no HOST is given, its device.model and device.firmware are compared")
	asJSON := fs.Bool("json", false, "print the identity and findings as JSON")
	lang := fs.String("lang", "", "language: en | de | fr (default from LC_ALL/LC_MESSAGES/LANG)")
	reach := addLookupFlags(fs)
	pos, code, ok := a.parseArgs(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 1 {
		a.errorf("device: one printer at a time, got %d", len(pos))
		a.hintf("mfpcheck device HOST[:IPP_PORT]")
		return ExitError
	}
	if *lang != "" && !knownLang(*lang) {
		a.errorf("device: unknown language %q", *lang)
		a.hintf("use en, de or fr")
		return ExitError
	}
	var model, firmware, vendor, target string
	if *profileFile != "" {
		p, err := profile.Load(*profileFile)
		if err != nil {
			a.errorf("device: %v", err)
			a.hintf("\"mfpcheck init\" writes a profile")
			return ExitError
		}
		model, firmware, vendor, target = p.Device.Model, p.Device.Firmware, p.Device.Vendor, p.Device.Address
	}
	if len(pos) == 1 {
		target = pos[0]
	}
	if target == "" {
		a.errorf("device: no printer address")
		a.hintf("give HOST[:IPP_PORT], or a --profile with device.address")
		return ExitError
	}
	id, code := a.identify(ctx, "device", target, reach)
	if id == nil {
		return code
	}
	l := a.lang(*lang)
	res := deviceResult{Device: id, Findings: []report.Finding{}}
	for _, h := range device.Compare(id, model, firmware) {
		res.Findings = append(res.Findings, diagnose.FindingFor(h, diagnose.Options{Lang: l, Vendor: vendor}))
	}
	res.Verdict = diagnose.Verdict(&report.Report{Findings: res.Findings})
	if *asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			a.errorf("device: %v", err)
			return ExitError
		}
	} else {
		writeIdentity(a, l, id)
		if len(res.Findings) > 0 {
			fmt.Fprintln(a.stdout)
			render.Findings(a.stdout, res.Findings, render.FindingOptions{Lang: l, Vendor: vendor, Color: a.color()})
		}
	}
	return verdictExit(res.Verdict)
}

// printerClient makes the IPP client for what the user typed, with
// certificate checks on unless --insecure.
func (a *app) printerClient(target, caFile string, insecure bool, timeout time.Duration) (*device.Client, error) {
	uri, err := device.PrinterURI(target)
	if err != nil {
		return nil, err
	}
	c := &device.Client{URI: uri, Timeout: timeout}
	if strings.HasPrefix(uri, "ipps:") {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: insecure} //nolint:gosec // only with --insecure
		if caFile != "" {
			pool, err := probe.LoadCAFile(caFile)
			if err != nil {
				return nil, err
			}
			cfg.RootCAs = pool
		}
		c.TLS = cfg
	}
	return c, nil
}

// writeIdentity prints the printer's identity as aligned label lines.
func writeIdentity(a *app, lang string, id *device.Identity) {
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	row := func(key, v string) {
		if v == "" {
			v = diagnose.Label(lang, "device.none")
		}
		fmt.Fprintf(tw, "%s\t%s\n", diagnose.Colon(lang, diagnose.Label(lang, key)), v)
	}
	row("device.printer", id.URI)
	if id.Source == device.SourceSNMP {
		// SNMP answers what the Printer MIB holds; IPP's rows would only
		// say "not reported".
		row("device.source", "SNMP v2c")
		row("device.ipp_closed", id.IPPClosed)
		row("device.model", id.MakeAndModel)
		row("device.firmware", id.Firmware)
		row("device.name", id.Name)
		row("device.serial", id.Serial)
		row("device.description", id.Description)
		tw.Flush()
		return
	}
	row("device.source", "IPP")
	row("device.model", id.MakeAndModel)
	row("device.firmware", id.Firmware)
	row("device.uuid", id.UUID)
	state := id.State
	if len(id.StateReasons) > 0 {
		state += " (" + strings.Join(id.StateReasons, ", ") + ")"
	}
	row("device.state", state)
	row("device.more_info", id.MoreInfo)
	row("device.formats", strings.Join(id.DocumentFormats, ", "))
	tw.Flush()
}
