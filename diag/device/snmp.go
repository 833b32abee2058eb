package device

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/mfpcheck/mfpcheck/diag/redact"
)

// SNMP is the fallback where a printer's IPP port is closed: SNMP v2c,
// read-only, over UDP with github.com/gosnmp/gosnmp (the maintained pure-Go
// SNMP library; no net-snmp, no cgo). It asks the standard MIBs every
// networked printer has, never a maker's private one:
//
//   - SNMPv2-MIB (RFC 3418): sysDescr, sysObjectID, sysName
//   - HOST-RESOURCES-MIB (RFC 2790): hrDeviceType, to find the row that is
//     the printer (hrDevicePrinter), and that row's hrDeviceDescr, which
//     printers fill with their make and model
//   - Printer-MIB (RFC 3805): prtGeneralPrinterName and
//     prtGeneralSerialNumber of the printer's row (the table is indexed by
//     hrDeviceIndex)
//   - ENTITY-MIB (RFC 6933): entPhysicalFirmwareRev, where the printer
//     reports its firmware
//
// sysDescr is kept as a description only: many print servers put their
// network card there ("EPSON Built-in 11b/g/n Print Server"), so it is
// never taken for the model.
const (
	oidSysDescr       = ".1.3.6.1.2.1.1.1.0"
	oidSysObjectID    = ".1.3.6.1.2.1.1.2.0"
	oidSysName        = ".1.3.6.1.2.1.1.5.0"
	oidHrDeviceType   = ".1.3.6.1.2.1.25.3.2.1.2"
	oidHrDeviceDescr  = ".1.3.6.1.2.1.25.3.2.1.3"
	oidHrPrinter      = ".1.3.6.1.2.1.25.3.1.5"
	oidPrtPrinterName = ".1.3.6.1.2.1.43.5.1.1.16"
	oidPrtSerial      = ".1.3.6.1.2.1.43.5.1.1.17"
	oidEntFirmware    = ".1.3.6.1.2.1.47.1.1.1.1.9"
)

// DefaultSNMPPort is SNMP's registered port (RFC 3417).
const DefaultSNMPPort = 161

// DefaultCommunity is the read community printers ship with.
const DefaultCommunity = "public"

// EnvCommunity names the environment variable that holds the SNMP read
// community when no option gives it, so it need not appear in the
// process list.
const EnvCommunity = "MFPCHECK_SNMP_COMMUNITY"

// DefaultSNMPTimeout bounds one SNMP request when the caller gives none:
// a printer answers a handful of OIDs in milliseconds; 2 s leaves room for
// one that wakes from sleep.
const DefaultSNMPTimeout = 2 * time.Second

// maxRows caps how many rows of a table are read while looking for the
// printer (hrDeviceTable) or its firmware (entPhysicalTable).
const maxRows = 16

// SNMPClient asks one device over SNMP v2c.
type SNMPClient struct {
	// Host is the device's name or address, Port its SNMP port (0: 161).
	Host string
	Port int
	// Community is the read community ("": public). It is a password of
	// sorts: it is never part of an error, the identity or any output.
	Community string
	// Timeout bounds each request; 0 means DefaultSNMPTimeout. The
	// caller's context bounds them all.
	Timeout time.Duration
}

func (c *SNMPClient) port() int {
	if c.Port > 0 {
		return c.Port
	}
	return DefaultSNMPPort
}

// URI names where the answer came from, without the community.
func (c *SNMPClient) URI() string {
	return "snmp://" + net.JoinHostPort(c.Host, strconv.Itoa(c.port()))
}

// Identify reads the device's identity over SNMP v2c: four requests (the
// system group, the device table, the printer's row, the firmware), each
// bounded by the client's timeout and all by ctx. Cancelling ctx closes the
// socket at once.
func (c *SNMPClient) Identify(ctx context.Context) (*Identity, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("SNMP %s: %w", c.URI(), err)
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultSNMPTimeout
	}
	community := c.Community
	if community == "" {
		community = DefaultCommunity
	}
	g := &gosnmp.GoSNMP{
		Target:    c.Host,
		Port:      uint16(c.port()),
		Transport: "udp",
		Community: community,
		Version:   gosnmp.Version2c,
		Timeout:   timeout,
		Retries:   1,
		MaxOids:   gosnmp.MaxOids,
		Context:   ctx,
	}
	fail := func(step string, err error) error {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return fmt.Errorf("SNMP %s: %s: %w", c.URI(), step, scrubErr(err, community))
	}
	if err := g.Connect(); err != nil {
		return nil, fail("connect", err)
	}
	defer g.Conn.Close()
	stop := context.AfterFunc(ctx, func() { g.Conn.Close() })
	defer stop()

	var vars []gosnmp.SnmpPDU
	r, err := g.Get([]string{oidSysDescr, oidSysObjectID, oidSysName})
	if err != nil {
		return nil, fail("system group", err)
	}
	vars = append(vars, r.Variables...)
	// Agents without HOST-RESOURCES or ENTITY-MIB answer with an error
	// status or end-of-MIB; that is no failure, only less to report.
	if r, err = g.GetBulk([]string{oidHrDeviceType}, 0, maxRows); err == nil {
		vars = append(vars, r.Variables...)
	} else if ctx.Err() != nil {
		return nil, fail("hrDeviceTable", err)
	}
	if idx := printerIndex(vars); idx != "" {
		r, err = g.Get([]string{oidHrDeviceDescr + "." + idx, oidPrtPrinterName + "." + idx, oidPrtSerial + "." + idx})
	} else {
		// No row says it is the printer: the Printer MIB's first row.
		r, err = g.GetNext([]string{oidPrtPrinterName, oidPrtSerial})
	}
	if err == nil {
		vars = append(vars, r.Variables...)
	} else if ctx.Err() != nil {
		return nil, fail("Printer MIB", err)
	}
	if r, err = g.GetBulk([]string{oidEntFirmware}, 0, maxRows); err == nil {
		vars = append(vars, r.Variables...)
	} else if ctx.Err() != nil {
		return nil, fail("entPhysicalTable", err)
	}
	id := IdentityFromSNMP(vars, community)
	id.URI = c.URI()
	return id, nil
}

// scrubErr removes the community from an error's text (no gosnmp error
// carries it today; this keeps it so).
func scrubErr(err error, community string) error {
	if err == nil || community == DefaultCommunity || !strings.Contains(err.Error(), community) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), community, "<community>"))
}

// printerIndex is the hrDeviceIndex of the first hrDeviceTable row whose
// hrDeviceType is hrDevicePrinter, or "".
func printerIndex(vars []gosnmp.SnmpPDU) string {
	for _, v := range vars {
		idx, ok := column(v.Name, oidHrDeviceType)
		if ok && v.Type == gosnmp.ObjectIdentifier && oidValue(v) == oidHrPrinter {
			return idx
		}
	}
	return ""
}

// IdentityFromSNMP turns the variables an agent returned into an identity:
// the printer's hrDeviceDescr as make and model, the first non-empty
// entPhysicalFirmwareRev as firmware, the Printer MIB's name and serial
// number, sysDescr as description. Everything is sanitized; a value that
// holds the community is redacted. Values of the wrong type, error
// markers (noSuchObject, endOfMibView) and OIDs outside the columns asked
// for are ignored.
func IdentityFromSNMP(vars []gosnmp.SnmpPDU, community string) *Identity {
	id := &Identity{Source: SourceSNMP}
	var red *redact.Redactor
	if community != "" && community != DefaultCommunity {
		red = &redact.Redactor{}
		red.Add(community)
	}
	text := func(v gosnmp.SnmpPDU) string {
		b, ok := v.Value.([]byte)
		if v.Type != gosnmp.OctetString || !ok {
			return ""
		}
		s := clean(string(b))
		if red != nil {
			s = red.Redact(s)
			if strings.Contains(s, community) {
				s = strings.ReplaceAll(s, community, "<community>")
			}
		}
		return s
	}
	printer := printerIndex(vars)
	var sysName, prtName string
	for _, v := range vars {
		v.Name = "." + strings.TrimPrefix(v.Name, ".")
		switch {
		case v.Name == oidSysDescr:
			id.Description = text(v)
		case v.Name == oidSysName:
			sysName = text(v)
		case v.Name == oidSysObjectID && v.Type == gosnmp.ObjectIdentifier:
			id.ObjectID = clean(oidValue(v))
		}
		if idx, ok := column(v.Name, oidHrDeviceDescr); ok && idx == printer && id.MakeAndModel == "" {
			if id.MakeAndModel = text(v); id.MakeAndModel != "" {
				id.ModelFrom = "hrDeviceDescr"
			}
		}
		if idx, ok := column(v.Name, oidPrtPrinterName); ok && (printer == "" || idx == printer) && prtName == "" {
			prtName = text(v)
		}
		if idx, ok := column(v.Name, oidPrtSerial); ok && (printer == "" || idx == printer) && id.Serial == "" {
			id.Serial = text(v)
		}
		if _, ok := column(v.Name, oidEntFirmware); ok && id.Firmware == "" {
			if id.Firmware = text(v); id.Firmware != "" {
				id.FirmwareFrom = "entPhysicalFirmwareRev"
			}
		}
	}
	id.Name = prtName
	if id.Name == "" {
		id.Name = sysName
	}
	return id
}

// column reports whether name is a row of the table column col and returns
// the row's index (what follows col). Names compare with and without the
// leading dot gosnmp uses.
func column(name, col string) (string, bool) {
	name = "." + strings.TrimPrefix(name, ".")
	rest, ok := strings.CutPrefix(name, col+".")
	if !ok || rest == "" {
		return "", false
	}
	return rest, true
}

// oidValue is an OBJECT IDENTIFIER value in gosnmp's dotted form.
func oidValue(v gosnmp.SnmpPDU) string {
	s, ok := v.Value.(string)
	if !ok {
		return ""
	}
	return "." + strings.TrimPrefix(s, ".")
}
