package main

import (
	"testing"

	"github.com/switchboard-ivr/switchboard/flowtest"
	"github.com/switchboard-ivr/switchboard/framework"
)

// The calls of flow_test.yaml, as `switchboard test` places them, pass.
func TestFlowTestFile(t *testing.T) { flowtest.Check(t, nil, "flow_test.yaml") }

// The balance lines' calls pass against the flow with this program's own routes and ledger.
func TestBalanceLinesTestFile(t *testing.T) {
	rep := flowtest.Check(t, &flowtest.Options{Setup: func(app *framework.App) error {
		return addBalanceLines(app, demoLedger{})
	}}, "testdata/balance_test.yaml")
	if len(rep.Results) != 5 {
		t.Errorf("%d calls ran, want 5", len(rep.Results))
	}
}
