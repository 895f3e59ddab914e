//go:build race

package principals_test

// raceEnabled skips the allocation counts: under the race detector a sync.Pool drops a share of
// what it is given on purpose, so pooled memory is not always reused.
const raceEnabled = true
