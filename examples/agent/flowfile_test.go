package main

import (
	"testing"

	"github.com/switchboard-ivr/switchboard/flowtest"
)

// The calls of flow_test.yaml, as `switchboard test` places them, pass with no agent running.
func TestFlowTestFile(t *testing.T) {
	if rep := flowtest.Check(t, nil, "flow_test.yaml"); len(rep.Results) != 4 {
		t.Errorf("%d calls ran, want 4", len(rep.Results))
	}
}
