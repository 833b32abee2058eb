// Package profile reads device profiles: the device's email settings as
// its own web page shows them, in YAML. Errors name the file, line and key
// (with a "did you mean"); Load refuses files that are not regular files of
// a sensible size. SetClientID edits one key and keeps the rest.
package profile
