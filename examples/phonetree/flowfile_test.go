package main

import (
	"testing"

	"github.com/switchboard-ivr/switchboard/flowtest"
)

// The calls of flow_test.yaml, as `switchboard test` places them, pass.
func TestFlowTestFile(t *testing.T) { flowtest.Check(t, nil, "flow_test.yaml") }
