package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/mfpcheck/mfpcheck/diag/safefile"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/mfpcheck/mfpcheck/diag/device"
	"github.com/mfpcheck/mfpcheck/diag/profile"
	"github.com/mfpcheck/mfpcheck/diag/profileinit"
)

// cmdInit runs "mfpcheck init": ask (on a terminal) or take from flags what
// the device's web page shows, write a commented profile, validate it. With
// --from-device, the device's identity (vendor, model, firmware, address)
// comes from the device itself over IPP or SNMP.
func (a *app) cmdInit(ctx context.Context, args []string) int {
	fset := flag.NewFlagSet("init", flag.ContinueOnError)
	var (
		vendor, out, lang string
		force, noAsk      bool
	)
	fset.StringVar(&vendor, "vendor", "", "the device's maker: "+strings.Join(profileinit.Vendors, " | "))
	fset.StringVar(&out, "o", "profile.yaml", "write the profile to this file (never overwritten without --force)")
	fset.BoolVar(&force, "force", false, "overwrite the output file if it exists")
	fset.StringVar(&lang, "lang", "", "language of the questions and menu names: en | de | fr")
	fset.BoolVar(&noAsk, "no-ask", false, "do not ask, even on a terminal: flags and defaults only")
	fromDevice := fset.String("from-device", "", "HOST[:IPP_PORT] or ipp(s):// URI: read vendor, model, firmware and address from the device (IPP, else SNMP)")
	reach := addLookupFlags(fset)
	answers := profileinit.Answers{}
	for _, f := range profileinit.Fields() {
		key := f.Key
		fset.Func(flagName(key), f.Question("en"), func(v string) error { answers[key] = v; return nil })
	}
	pos, code, ok := a.parseArgs(fset, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return a.usageError("init", "unexpected argument %q", pos[0])
	}
	lang = a.lang(lang)
	if *fromDevice != "" {
		if code := a.initFromDevice(ctx, answers, &vendor, *fromDevice, reach); code != ExitOK {
			return code
		}
	}
	ask := a.stdinTTY && !noAsk
	prompt := a.initPrompter()
	vendor, code, ok = a.initVendor(answers, vendor, ask, prompt)
	if !ok {
		return code
	}
	if ask && !a.initAsk(answers, vendor, lang, prompt) {
		return ExitError
	}
	return a.initWrite(out, answers, lang, force)
}

// initPrompter asks a question on stderr and reads the answer from stdin
// (a line, at most 1 MiB in all).
func (a *app) initPrompter() func(question, def string) (string, error) {
	in := bufio.NewReader(io.LimitReader(a.stdin, 1<<20))
	return func(question, def string) (string, error) {
		if def != "" {
			fmt.Fprintf(a.stderr, "%s [%s]: ", question, def)
		} else {
			fmt.Fprintf(a.stderr, "%s: ", question)
		}
		line, err := in.ReadString('\n')
		if err != nil && line == "" {
			return "", fmt.Errorf("read answer: %w", err)
		}
		return strings.TrimSpace(line), nil
	}
}

// initVendor is the device's maker: --vendor, else asked when init may
// ask; one of profileinit.Vendors (kept as answers' device.vendor), or
// init stops with code.
func (a *app) initVendor(answers profileinit.Answers, vendor string, ask bool, prompt func(q, def string) (string, error)) (v string, code int, ok bool) {
	if vendor == "" && ask {
		v, err := prompt("Vendor / Hersteller / Fabricant ("+strings.Join(profileinit.Vendors, ", ")+")", "")
		if err != nil {
			a.errorf("init: %v", err)
			return "", ExitError, false
		}
		vendor = v
	}
	vendor = strings.ToLower(strings.TrimSpace(vendor))
	if !slices.Contains(profileinit.Vendors, vendor) {
		return "", a.usageError("init", "--vendor %q: use one of %s", vendor, strings.Join(profileinit.Vendors, ", ")), false
	}
	answers["device.vendor"] = vendor
	return vendor, ExitOK, true
}

// initAsk shows the vendor's page and asks each field not given that
// applies, in the vendor's menu names; false (said) when an answer could
// not be read.
func (a *app) initAsk(answers profileinit.Answers, vendor, lang string, prompt func(q, def string) (string, error)) bool {
	if p := profileinit.Page(vendor, lang); p != "" {
		fmt.Fprintf(a.stderr, "\n%s\n\n", p)
	}
	for _, f := range profileinit.Fields() {
		if _, given := answers[f.Key]; given || !f.Applies(orDefaultStr(answers["email.auth_method"], "oauth2")) {
			continue
		}
		q := f.Question(lang)
		if m := f.MenuName(vendor, lang); m != "" {
			q += " (" + m + ")"
		}
		v, err := prompt(q, f.Default)
		if err != nil {
			a.errorf("init: %v", err)
			return false
		}
		answers[f.Key] = v
	}
	return true
}

// initWrite builds the profile, writes it to out (never over a file
// without force), checks that it loads and says what is next.
func (a *app) initWrite(out string, answers profileinit.Answers, lang string, force bool) int {
	data, err := profileinit.Build(out, answers, lang)
	if err != nil {
		return a.inputError("init", err)
	}
	if err := writeNew(out, data, force); err != nil {
		a.errorf("init: %v", err)
		if errors.Is(err, fs.ErrExist) {
			a.hintf("give another -o FILE, or --force to replace it")
		}
		return ExitError
	}
	// What was written loads like any profile (token file relative to it).
	if _, err := profile.Load(out); err != nil {
		return a.inputError("init", err)
	}
	fmt.Fprintf(a.stderr, "mfpcheck: wrote %s\n", out)
	fmt.Fprintf(a.stderr, "mfpcheck: next: mfpcheck login --profile %s, then mfpcheck probe --profile %s\n", out, out)
	return ExitOK
}

// flagName is the flag for a profile field, named like probe's:
// smtp.server → --server, email.auth_method → --auth, pop3.server →
// --pop3-server.
func flagName(key string) string {
	sec, k, _ := strings.Cut(key, ".")
	switch {
	case key == "email.auth_method":
		return "auth"
	case sec == "pop3":
		return "pop3-" + k
	}
	return strings.ReplaceAll(k, "_", "-")
}

func orDefaultStr(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// writeNew writes data to path, mode 0600: never over an existing file
// unless force, and then atomically (a temporary file renamed over it).
func writeNew(path string, data []byte, force bool) error {
	if !force {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			os.Remove(path)
			return err
		}
		return f.Close()
	}
	return safefile.WriteFileAtomic(path, data, 0o600)
}

// initFromDevice fills the profile's identity from what the device at
// target reports; what the user gave with flags wins.
func (a *app) initFromDevice(ctx context.Context, answers profileinit.Answers, vendor *string, target string, reach lookupFlags) int {
	id, code := a.identify(ctx, "init", target, reach)
	if id == nil {
		return code
	}
	if *vendor != "" {
		answers["device.vendor"] = *vendor
	}
	note := profileinit.FromDevice(answers, id, target)
	*vendor = answers["device.vendor"]
	src := "IPP"
	if id.Source == device.SourceSNMP {
		src = "SNMP v2c (IPP did not answer)"
	}
	fmt.Fprintf(a.stderr, "mfpcheck: %s answered at %s: %s\n", src, id.URI, orDefaultStr(id.MakeAndModel, "no make and model"))
	if note != "" {
		fmt.Fprintf(a.stderr, "mfpcheck: note: %s\n", note)
	}
	return ExitOK
}
