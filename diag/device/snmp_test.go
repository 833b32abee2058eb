package device

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/gosnmp/gosnmp"

	"github.com/mfpcheck/mfpcheck/fixtures/testkit/snmpd"
)

const testCommunity = "s3cret-comm"

// TestSNMPIdentifyRealAgent reads the identity from Net-SNMP's snmpd on
// loopback, configured as a printer.
func TestSNMPIdentifyRealAgent(t *testing.T) {
	t.Parallel()
	snmpd.Require(t)
	a := snmpd.Start(t, snmpd.PrinterOptions(testCommunity))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	c := &SNMPClient{Host: a.Host, Port: a.Port, Community: testCommunity}
	id, err := c.Identify(ctx)
	if err != nil {
		t.Fatalf("%v\nsnmpd log:\n%s", err, a.Log())
	}
	want := Identity{
		Source: SourceSNMP, URI: "snmp://" + a.Addr(),
		MakeAndModel: snmpd.Model, ModelFrom: "hrDeviceDescr",
		Firmware: snmpd.Firmware, FirmwareFrom: "entPhysicalFirmwareRev",
		Name: snmpd.Name, Serial: snmpd.Serial, Description: snmpd.SysDescr,
		ObjectID: ".1.3.6.1.4.1.1248.1.2.2.44.1",
	}
	if id.Source != want.Source || id.URI != want.URI || id.MakeAndModel != want.MakeAndModel ||
		id.ModelFrom != want.ModelFrom || id.Firmware != want.Firmware || id.FirmwareFrom != want.FirmwareFrom ||
		id.Name != want.Name || id.Serial != want.Serial || id.Description != want.Description || id.ObjectID != want.ObjectID {
		t.Errorf("identity\n got %+v\nwant %+v", *id, want)
	}

	// A wrong community: snmpd does not answer; the error names the step
	// and never the community.
	bad := &SNMPClient{Host: a.Host, Port: a.Port, Community: "wrong-community", Timeout: 300 * time.Millisecond}
	if _, err := bad.Identify(ctx); err == nil || strings.Contains(err.Error(), "wrong-community") ||
		!strings.Contains(err.Error(), "SNMP snmp://"+a.Addr()+": system group") {
		t.Errorf("wrong community: %v", err)
	}

	// IPP closed on this host: Identify falls back to SNMP and says why.
	ipp := &Client{URI: "ipp://" + net.JoinHostPort(a.Host, strconv.Itoa(snmpd.FreeTCPPort(t))) + "/ipp/print"}
	id, err = Identify(ctx, ipp, c)
	if err != nil || id.Source != SourceSNMP || id.MakeAndModel != snmpd.Model || !strings.Contains(id.IPPClosed, "refused") {
		t.Errorf("fallback: %+v, %v", id, err)
	}
	// Without SNMP, the IPP error stands.
	if _, err := Identify(ctx, ipp, nil); err == nil || !Closed(err) {
		t.Errorf("no fallback: %v", err)
	}

	// A canceled context asks nothing.
	cctx, ccancel := context.WithCancel(ctx)
	ccancel()
	if _, err := c.Identify(cctx); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("canceled: %v", err)
	}
}

// TestSNMPNoPrinterRow: without a printer row in hrDeviceTable, no model
// is taken (not sysDescr, not another row's description); the Printer
// MIB's first row still gives name and serial number.
func TestSNMPNoPrinterRow(t *testing.T) {
	vars := []gosnmp.SnmpPDU{
		{Name: ".1.3.6.1.2.1.1.1.0", Type: gosnmp.OctetString, Value: []byte("EPSON Built-in\x1b[31m Print Server")},
		{Name: ".1.3.6.1.2.1.25.3.2.1.2.1", Type: gosnmp.ObjectIdentifier, Value: ".1.3.6.1.2.1.25.3.1.3"},
		{Name: ".1.3.6.1.2.1.25.3.2.1.3.1", Type: gosnmp.OctetString, Value: []byte("Intel CPU")},
		{Name: ".1.3.6.1.2.1.43.5.1.1.17.1", Type: gosnmp.OctetString, Value: []byte("SN-" + testCommunity)},
		{Name: ".1.3.6.1.2.1.43.5.1.1.16.1", Type: gosnmp.Integer, Value: 5},
		{Name: ".1.3.6.1.2.1.47.1.1.1.1.9.1", Type: gosnmp.NoSuchInstance},
	}
	id := IdentityFromSNMP(vars, testCommunity)
	if id.MakeAndModel != "" || id.Name != "" || id.Firmware != "" ||
		id.Description != "EPSON Built-in� Print Server" || strings.Contains(id.Serial, testCommunity) || !strings.HasPrefix(id.Serial, "SN-") {
		t.Errorf("%+v", *id)
	}
}

// FuzzIdentityFromSNMP feeds any UDP payload through gosnmp's decoder and
// IdentityFromSNMP: no panic, every string printable and one line, never
// the community.
func FuzzIdentityFromSNMP(f *testing.F) {
	pkt := &gosnmp.SnmpPacket{
		Version: gosnmp.Version2c, Community: testCommunity, PDUType: gosnmp.GetResponse, RequestID: 7,
		Variables: []gosnmp.SnmpPDU{
			{Name: ".1.3.6.1.2.1.1.1.0", Type: gosnmp.OctetString, Value: []byte("RICOH MP C3004 1.14")},
			{Name: ".1.3.6.1.2.1.25.3.2.1.2.1", Type: gosnmp.ObjectIdentifier, Value: ".1.3.6.1.2.1.25.3.1.5"},
			{Name: ".1.3.6.1.2.1.25.3.2.1.3.1", Type: gosnmp.OctetString, Value: []byte("RICOH MP C3004")},
			{Name: ".1.3.6.1.2.1.43.5.1.1.17.1", Type: gosnmp.OctetString, Value: []byte("E1234" + testCommunity)},
			{Name: ".1.3.6.1.2.1.47.1.1.1.1.9.1", Type: gosnmp.OctetString, Value: []byte("1.14\n\x1b]52;c;x\x07")},
		},
	}
	seed, err := pkt.MarshalMsg()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x01})
	g := &gosnmp.GoSNMP{Version: gosnmp.Version2c, Community: testCommunity}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := g.SnmpDecodePacket(data)
		if err != nil || p == nil {
			return
		}
		id := IdentityFromSNMP(p.Variables, testCommunity)
		for _, s := range []string{id.MakeAndModel, id.Firmware, id.Name, id.Serial, id.Description, id.ObjectID} {
			if strings.Contains(s, testCommunity) {
				t.Errorf("community in %q", s)
			}
			for _, r := range s {
				if unicode.IsControl(r) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
					t.Errorf("unsafe rune %U in %q", r, s)
				}
			}
		}
	})
}

// TestSNMPAfterIPPTimeout: a port that accepts and never answers is
// closed too; IPP has half the budget and SNMP the rest.
func TestSNMPAfterIPPTimeout(t *testing.T) {
	t.Parallel()
	snmpd.Require(t)
	a := snmpd.Start(t, snmpd.PrinterOptions(testCommunity))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	ipp := &Client{URI: "ipp://" + l.Addr().String() + "/ipp/print"}
	id, err := Identify(ctx, ipp, &SNMPClient{Host: a.Host, Port: a.Port, Community: testCommunity})
	if err != nil || id.Source != SourceSNMP || id.Serial != snmpd.Serial || !strings.Contains(id.IPPClosed, "deadline exceeded") {
		t.Errorf("%+v, %v", id, err)
	}
}

// TestSNMPCancel: cancelling the context (Ctrl-C) ends a request the agent
// never answers at once, not after its timeout and retry.
func TestSNMPCancel(t *testing.T) {
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	ctx, cancel := context.WithCancel(context.Background())
	c := &SNMPClient{Host: "127.0.0.1", Port: silent.LocalAddr().(*net.UDPAddr).Port, Timeout: time.Minute}
	done := make(chan error, 1)
	go func() {
		_, err := c.Identify(ctx)
		done <- err
	}()
	// The request is on its way once the agent's socket has it.
	buf := make([]byte, 1500)
	if _, _, err := silent.ReadFrom(buf); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "context canceled") {
			t.Errorf("canceled: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("cancelling did not end the SNMP request (it waits for its 1-minute timeout)")
	}
}
