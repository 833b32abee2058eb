package device

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"syscall"
	"time"
)

// Sources of an identity.
const (
	SourceIPP  = "ipp"
	SourceSNMP = "snmp"
)

// Identify asks ipp first and, when its port is closed (connection refused,
// or no answer in time), snmp. With snmp given, IPP has half of what is
// left of ctx's deadline, so SNMP always has the other half; a canceled ctx
// (Ctrl-C) asks nothing more. An IPP error of any other kind (an HTTP
// error, a certificate that does not verify, an answer that is not IPP) is
// returned as it is: the printer answered, and that answer is the finding.
// When both fail, the error holds both.
func Identify(ctx context.Context, ipp *Client, snmp *SNMPClient) (*Identity, error) {
	ippCtx := ctx
	if snmp != nil {
		if dl, ok := ctx.Deadline(); ok {
			var cancel context.CancelFunc
			ippCtx, cancel = context.WithTimeout(ctx, time.Until(dl)/2)
			defer cancel()
		}
	}
	id, err := ipp.Identify(ippCtx)
	if err == nil || snmp == nil || ctx.Err() != nil || !Closed(err) {
		return id, err
	}
	sid, serr := snmp.Identify(ctx)
	if serr != nil {
		return nil, errors.Join(err, serr)
	}
	sid.IPPClosed = clean(err.Error())
	return sid, nil
}

// Closed reports whether err says that nothing answered on the port: the
// connection was refused, or it or the answer timed out.
func Closed(err error) bool {
	var ne net.Error
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, context.DeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout())
}

// SNMPFor is the SNMP client for the host of a printer URI (from
// PrinterURI), on port (0: 161) with community ("": public).
func SNMPFor(printerURI string, port int, community string) (*SNMPClient, error) {
	u, err := url.Parse(printerURI)
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("printer address %q has no host", printerURI)
	}
	if port < 0 || port > 65535 {
		return nil, fmt.Errorf("SNMP port %d is not 1-65535", port)
	}
	return &SNMPClient{Host: u.Hostname(), Port: port, Community: community}, nil
}
