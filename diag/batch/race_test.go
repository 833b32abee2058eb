//go:build race

package batch

// race is true when the tests run under the race detector (slower: the
// memory tests use smaller fleets).
const race = true
