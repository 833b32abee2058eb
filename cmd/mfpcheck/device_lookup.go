package main

import (
	"context"
	"flag"
	"strconv"
	"time"

	"github.com/mfpcheck/mfpcheck/diag/device"
)

// envCommunity holds the SNMP read community when --community is not
// given, so it need not appear in the process list.
const envCommunity = device.EnvCommunity

// lookupFlags are the options of "device" and "init --from-device" that say
// how to reach the device: IPP's certificate checks, SNMP's port and
// community, and the time allowed for both.
type lookupFlags struct {
	timeout   *time.Duration
	ca        *string
	insecure  *bool
	snmpPort  *int
	community *string
}

func addLookupFlags(fs *flag.FlagSet) lookupFlags {
	return lookupFlags{
		timeout:   fs.Duration("timeout", device.DefaultTimeout, "time allowed for the printer's answer (IPP and SNMP together)"),
		ca:        fs.String("ca", "", "PEM file of CA certificates to trust for ipps://"),
		insecure:  fs.Bool("insecure", false, "ipps://: do not check the printer's certificate"),
		snmpPort:  fs.Int("snmp-port", device.DefaultSNMPPort, "SNMP v2c port asked where IPP is closed; 0: IPP only"),
		community: fs.String("community", "", "SNMP read community (default $"+envCommunity+", else "+strconv.Quote(device.DefaultCommunity)+"); never printed"),
	}
}

// identify asks the device at target for its identity: IPP, and SNMP
// where IPP is closed, all within --timeout. On failure it has written the
// error and hint and returns the exit code.
func (a *app) identify(ctx context.Context, cmd, target string, f lookupFlags) (*device.Identity, int) {
	if *f.timeout <= 0 {
		a.errorf("%s: --timeout must be positive", cmd)
		a.hintf("e.g. --timeout 10s")
		return nil, ExitError
	}
	c, err := a.printerClient(target, *f.ca, *f.insecure, *f.timeout)
	if err != nil {
		a.errorf("%s: %v", cmd, err)
		a.hintf("e.g. mfpcheck %s 192.0.2.7 or mfpcheck %s ipps://printer.example/ipp/print", cmd, cmd)
		return nil, ExitError
	}
	var snmp *device.SNMPClient
	if *f.snmpPort != 0 {
		community := *f.community
		if community == "" {
			community = a.getenv(envCommunity)
		}
		if snmp, err = device.SNMPFor(c.URI, *f.snmpPort, community); err != nil {
			a.errorf("%s: %v", cmd, err)
			a.hintf("--snmp-port N (1-65535), or 0 to ask IPP only")
			return nil, ExitError
		}
	}
	lctx, cancel := context.WithTimeout(ctx, *f.timeout)
	defer cancel()
	id, err := device.Identify(lctx, c, snmp)
	if err != nil && ctx.Err() != nil {
		// Ctrl-C or SIGTERM: nothing is known about the printer.
		a.errorf("%s: interrupted: %v", cmd, err)
		return nil, ExitError
	}
	if err != nil {
		a.errorf("%s: %v", cmd, err)
		a.hintf("is IPP (port 631) or SNMP turned on in the printer's network settings, and is %s its address?", target)
		return nil, ExitFail
	}
	return id, ExitOK
}
