//go:build !race

package batch

const race = false
