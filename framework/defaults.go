package framework

import "github.com/switchboard-ivr/switchboard"

// The embedded defaults, used when no file is configured.
var (
	defaultModel  = switchboard.DefaultModel
	defaultPolicy = switchboard.DefaultPolicy
	demoFlow      = switchboard.DemoFlow
	demoPINs      = switchboard.DemoPINs
)

// DemoFlow is the embedded demo flow (demo.yaml), which an App serves when [Options] name no flow.
func DemoFlow() FlowSource { return Text("demo.yaml", demoFlow) }

// DefaultModel is the embedded Casbin model (model.conf), which an App uses when [Options] name
// no model.
func DefaultModel() ModelSource { return Text("model.conf", defaultModel) }

// DefaultPolicy is the embedded policy (policy.csv), which an App uses when [Options] name no
// policy.
func DefaultPolicy() PolicySource { return Text("policy.csv", defaultPolicy) }

// DemoPINs are the embedded PIN secrets of the demo flow (demo.pins: the staff PIN is 2468),
// which an App uses when [Options] name neither a flow nor PINs. They are for the demo only.
func DemoPINs() PINSource { return Text("demo.pins", demoPINs) }
