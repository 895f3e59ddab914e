//go:build race

package authz

// raceEnabled shrinks the slowest tests under the race detector, which makes Casbin about
// fifteen times slower; TestConcurrentDecisionsAgree is the test that needs it.
const raceEnabled = true
