// Package netinfo collects what the status sheet says about this computer:
// its interfaces, gateway and DNS servers, and whether the hosts a device
// needs resolve and answer.
package netinfo
