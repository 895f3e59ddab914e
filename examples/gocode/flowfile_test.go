package main

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/flowtest"
)

// The calls of flow_test.yaml, as `switchboard test` places them, pass against the YAML twin.
func TestFlowTestFile(t *testing.T) { flowtest.Check(t, nil, "flow_test.yaml") }

// The same calls pass against the flow acmeFlow builds in Go.
func TestFlowTestFileAgainstTheGoFlow(t *testing.T) {
	f, err := flowtest.Load("flow_test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f.Flow = "" // the flow of Options.Flow
	rep := flowtest.Run(context.Background(), []*flowtest.File{f}, &flowtest.Options{Flow: acmeFlow()})
	if rep.Failed() > 0 || len(rep.Results) != len(f.Calls) {
		var b strings.Builder
		_ = rep.WriteText(&b)
		t.Errorf("against the Go flow:\n%s", b.String())
	}
}
