// Package probe talks to the mail server exactly as the device would: the
// phase runner (one budget, a timeout per phase, timing, error kinds), the
// SMTP probe (EHLO/HELO, STARTTLS, TLS checks, XOAUTH2/OAUTHBEARER/LOGIN/
// PLAIN, pipelined envelope, QUIT) and the POP3 probe, both over one
// recording wire layer that limits what a server can send, redacts secrets
// at the source and keeps the transcript; routes (--connect-to, --proxy)
// decide where a connection goes. It records facts into a report.Report and
// never prints or decides what they mean.
package probe
