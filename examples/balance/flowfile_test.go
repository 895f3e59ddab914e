package main

import (
	"testing"

	"github.com/switchboard-ivr/switchboard/flowtest"
)

// The calls of the test files, as `switchboard test examples/balance` places them: the bank's
// backend is a stub file, so they run with no backend and no network.
func TestFlowTestFiles(t *testing.T) {
	for file, calls := range map[string]int{"flow_test.yaml": 4, "overdrawn_test.yaml": 1} {
		if rep := flowtest.Check(t, nil, file); len(rep.Results) != calls {
			t.Errorf("%s: %d calls ran, want %d", file, len(rep.Results), calls)
		}
	}
}
