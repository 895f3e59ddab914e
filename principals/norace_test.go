//go:build !race

package principals_test

const raceEnabled = false
