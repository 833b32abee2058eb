package hostport

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// SplitHostPort reads HOST, HOST:PORT, [V6] or [V6]:PORT, and a bare IPv6
// literal; a missing port is def.
func Split(s string, def int) (string, int, error) {
	if !strings.Contains(s, ":") || (strings.Count(s, ":") > 1 && !strings.HasPrefix(s, "[")) {
		return strings.Trim(s, "[]"), def, nil
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		return strings.Trim(s, "[]"), def, nil
	}
	host, ps, err := net.SplitHostPort(s)
	if err != nil {
		return "", 0, fmt.Errorf("%q is not HOST[:PORT]: %v", s, err)
	}
	port, err := strconv.Atoi(ps)
	if err != nil || port < 1 || port > 65535 {
		return "", 0, fmt.Errorf("%q: %q is not a TCP port", s, ps)
	}
	if host == "" {
		return "", 0, fmt.Errorf("%q: no host", s)
	}
	return host, port, nil
}
