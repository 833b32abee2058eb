// Package safefile reads the files a user names (profiles, fleets, token
// files, CA files, saved reports) with a size limit, refusing pipes,
// devices and folders before a byte is read, and replaces files atomically.
package safefile
