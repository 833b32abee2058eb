package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/check"
	"github.com/mfpcheck/mfpcheck/diag/device"
	"github.com/mfpcheck/mfpcheck/diag/diagnose"
	"github.com/mfpcheck/mfpcheck/diag/probe"
	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/render"
	"github.com/mfpcheck/mfpcheck/diag/report"
	"github.com/mfpcheck/mfpcheck/diag/safefile"
	"github.com/mfpcheck/mfpcheck/tui"
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
	if !a.langFlagOK("device", *lang) {
		return ExitError
	}
	want, ok := a.deviceWanted(*profileFile, pos)
	if !ok {
		return ExitError
	}
	id, code := a.identify(ctx, "device", want.target, reach)
	if id == nil {
		return code
	}
	l := a.lang(*lang)
	res := deviceResult{Device: id}
	res.Findings, res.Verdict = device.Check(id, want.model, want.firmware, diagnose.Options{Lang: l, Vendor: want.vendor})
	if *asJSON {
		if code := a.emitJSON("device", res); code != ExitOK {
			return code
		}
	} else {
		writeIdentity(a, l, id)
		if len(res.Findings) > 0 {
			fmt.Fprintln(a.stdout)
			render.Findings(a.stdout, res.Findings, render.FindingOptions{Lang: l, Vendor: want.vendor, Color: a.color()})
		}
	}
	return verdictExit(res.Verdict)
}

// deviceWant is the printer "mfpcheck device" asks and what its profile
// says it is.
type deviceWant struct{ model, firmware, vendor, target string }

// deviceWanted reads --profile (when given) and the HOST argument (which
// wins over the profile's device.address), saying what is wrong when no
// address is left.
func (a *app) deviceWanted(profileFile string, pos []string) (deviceWant, bool) {
	var w deviceWant
	if profileFile != "" {
		p, err := profile.Load(profileFile)
		if err != nil {
			a.errorf("device: %v", err)
			a.hintf("\"mfpcheck init\" writes a profile")
			return w, false
		}
		w = deviceWant{p.Device.Model, p.Device.Firmware, p.Device.Vendor, p.Device.Address}
	}
	if len(pos) == 1 {
		w.target = pos[0]
	}
	if w.target == "" {
		a.errorf("device: no printer address")
		a.hintf("give HOST[:IPP_PORT], or a --profile with device.address")
		return w, false
	}
	return w, true
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
				return nil, &caFileError{err}
			}
			cfg.RootCAs = pool
		}
		c.TLS = cfg
	}
	return c, nil
}

// caFileError is a CA file for an ipps:// printer that could not be read.
type caFileError struct{ error }

func (e *caFileError) Unwrap() error { return e.error }

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

// printFlags are the flags that print the status sheet on a printer
// (sheet, probe --sheet). Nothing is printed without --print or --print-to.
type printFlags struct {
	uri      string // --print
	own      bool   // --print-to: the device's own address
	caFile   string // --print-ca
	insecure bool   // --print-insecure
}

func (p *printFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&p.uri, "print", "", "also print the sheet on this printer over IPP: ipp://HOST[:PORT]/ipp/print, ipps://… or HOST[:PORT] (only if it takes PDF)")
	fs.BoolVar(&p.own, "print-to", false, "also print the sheet on the device itself, at its device.address (profile or report)")
	fs.StringVar(&p.caFile, "print-ca", "", "ipps:// printer: trust the CA certificates in this PEM file")
	fs.BoolVar(&p.insecure, "print-insecure", false, "ipps:// printer: do not check the printer's certificate")
}

// set reports whether printing was asked for.
func (p *printFlags) set() bool { return p.uri != "" || p.own }

// validate checks the flags against each other.
func (p *printFlags) validate() error {
	switch {
	case p.uri != "" && p.own:
		return errors.New("give either --print URI or --print-to, not both")
	case !p.set() && (p.caFile != "" || p.insecure):
		return errors.New("--print-ca and --print-insecure are for printing: add --print URI or --print-to")
	}
	return nil
}

// printer is the IPP client for the printer the flags name; address is the
// device's address from the profile or report (for --print-to). The error
// is mfpcheck's input (exit 3) and carries its hint.
func (a *app) printer(p printFlags, address string, timeout time.Duration) (*device.Client, error) {
	target := p.uri
	if p.own {
		if strings.TrimSpace(address) == "" {
			return nil, &check.HintError{
				Err:  errors.New("--print-to: the device has no address (device.address)"),
				Hint: "add device.address (the printer's IP address, or ipp://HOST/ipp/print) to the profile, or give --print ipp://HOST/ipp/print",
			}
		}
		target = address
	}
	c, err := a.printerClient(target, p.caFile, p.insecure, timeout)
	var caErr *caFileError
	if errors.As(err, &caErr) {
		return nil, &check.HintError{Err: fmt.Errorf("--print-ca: %w", err), Hint: "give --print-ca a PEM file with the printer's CA certificate (a regular file)"}
	}
	if err != nil {
		return nil, &check.HintError{Err: fmt.Errorf("print: %w", err), Hint: "give the printer as ipp://HOST[:PORT]/ipp/print, ipps://… or HOST[:PORT]"}
	}
	return c, nil
}

// sheetJobName is the job-name the printer shows in its job list.
func sheetJobName(r *report.Report) string {
	name := r.Target.Host
	if r.Device != nil && r.Device.Name != "" {
		name = r.Device.Name
	}
	return strings.TrimSpace("mfpcheck status sheet " + name)
}

// sendSheet prints pdf, the sheet of r, on c within timeout and says what
// the printer did. Exit code: ExitOK when the printer took the job,
// ExitFail when it did not (it does not take PDF, does not answer, refuses
// the job or its certificate), ExitError when interrupted.
func (a *app) sendSheet(ctx context.Context, c *device.Client, r *report.Report, pdf []byte, lang string, timeout time.Duration) int {
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res, err := c.PrintPDF(pctx, sheetJobName(r), pdf)
	if err == nil {
		fmt.Fprintf(a.stderr, "mfpcheck: status sheet sent: %s\n", res)
		return ExitOK
	}
	var noPDF *device.NoPDFError
	switch {
	case errors.As(err, &noPDF):
		a.noPDFFinding(noPDF, err, r, lang)
		return ExitFail
	case ctx.Err() != nil:
		a.errorf("print: interrupted: %v", err)
		return ExitError
	case isCertError(err):
		a.errorf("print: %v", err)
		a.hintf("the printer's certificate is not trusted here: give its CA certificate with --print-ca FILE, or --print-insecure if you know this is the printer")
	case device.IsBusy(err):
		a.errorf("print: %v", err)
		a.hintf("the printer stayed busy with other jobs for %s: print again when it is idle, or give a longer --timeout", timeout)
	case errors.Is(err, context.DeadlineExceeded):
		a.errorf("print: %v", err)
		a.hintf("the printer did not answer within %s: is it switched on, is %s its address, and is IPP (port 631) turned on in its network settings?", timeout, c.URI)
	default:
		a.errorf("print: %v", err)
		a.hintf("is IPP (port 631) turned on in the printer's network settings, and is %s its address?", c.URI)
	}
	return ExitFail
}

// noPDFFinding says, as the catalogue's finding for the device's maker,
// that the printer does not take PDF (err).
func (a *app) noPDFFinding(noPDF *device.NoPDFError, err error, r *report.Report, lang string) {
	vendor := ""
	if r.Device != nil {
		vendor = r.Device.Vendor
	}
	f := diagnose.FindingFor(noPDF.Hit(), diagnose.Options{Lang: lang, Vendor: vendor})
	a.errorf("print: %s [%s]", f.Title, f.ID)
	a.errorf("print: %v", err)
	for _, s := range f.Steps {
		a.hintf("%s", s.Text)
	}
}

// isCertError reports whether err is the printer's certificate failing
// verification (unknown CA, bad certificate, wrong host name).
func isCertError(err error) bool {
	var unknownCA x509.UnknownAuthorityError
	var badCert *tls.CertificateVerificationError
	var hostErr x509.HostnameError
	return errors.As(err, &unknownCA) || errors.As(err, &badCert) || errors.As(err, &hostErr)
}

// worseExit is the more serious of two exit codes (0 < 1 < 2 < 3).
func worseExit(a, b int) int { return max(a, b) }

// probePrint wires "probe --sheet FILE --print URI" (or --print-to): the
// printer is checked as input before the probe runs, and out prints the
// sheet once it is written. ok is false when the command must end with
// code.
func (a *app) probePrint(out *sheetOutput, f probeFlags, cfg check.Config) (code int, ok bool) {
	if err := f.print.validate(); err != nil {
		return a.usageError("probe", "%v", err), false
	}
	if !f.print.set() {
		return ExitOK, true
	}
	if !out.Set() {
		return a.usageError("probe", "--print and --print-to print the status sheet: add --sheet FILE"), false
	}
	address := ""
	if cfg.Profile != nil {
		address = cfg.Profile.Device.Address
	}
	printer, err := a.printer(f.print, address, f.Timeout)
	if err != nil {
		return a.inputError("probe", err), false
	}
	out.send = func(ctx context.Context, r *report.Report, pdf []byte) int {
		return a.sendSheet(ctx, printer, r, pdf, r.Lang, f.Timeout)
	}
	return ExitOK, true
}

// maxSheetFile bounds the sheet file the TUI's "p" reads back to print: a
// sheet is a few pages, some 10-100 KiB.
const maxSheetFile = 16 << 20

// tuiPrint is the TUI's "p": the sheet file "s" wrote, printed on the
// device's own address (ipp://ADDRESS/ipp/print unless the address is a
// URI; certificates checked against the system roots), within
// probe.DefaultTimeout or until ctx ends.
func (a *app) tuiPrint(ctx context.Context, d tui.Device, path string) (string, error) {
	pdf, _, err := safefile.ReadFile(path, maxSheetFile)
	if err != nil {
		return "", err
	}
	c, err := a.printerClient(d.Address, "", false, probe.DefaultTimeout)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, probe.DefaultTimeout)
	defer cancel()
	res, err := c.PrintPDF(ctx, "mfpcheck status sheet "+d.Name, pdf)
	if err != nil {
		return "", err
	}
	return res.String(), nil
}
