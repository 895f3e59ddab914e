package framework

import (
	"github.com/switchboard-ivr/switchboard"
	"github.com/switchboard-ivr/switchboard/principals"
)

// The embedded defaults, used when no file is configured.
var (
	defaultModel  = switchboard.DefaultModel
	defaultPolicy = switchboard.DefaultPolicy
	demoFlow      = switchboard.DemoFlow
)

// loadKeys reads an operator keys file into the API-key policy.
func loadKeys(path string) (principals.Policy, error) {
	return principals.LoadAPIKeys(path)
}
