// Package hostport reads HOST, HOST:PORT and IPv6 literals, for profiles,
// flags and routes alike.
package hostport
