// Package redact keeps secrets and hostile text out of every output:
// Redactor knows every encoding of each token and password, Transcript
// records the wire redacted at the source, and Scrub runs once over a
// report (or anything else) where outside text enters it, redacting and
// sanitizing (no control, escape or bidi characters) every string.
package redact
