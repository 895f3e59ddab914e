// Package switchboard holds the defaults that make Switchboard work with no files on disk: the
// Casbin model and policy at the repository root, and the demo phone menu.
package switchboard

import _ "embed"

// DefaultModel is the text of model.conf: principal sets, route patterns, deny wins.
//
//go:embed model.conf
var DefaultModel string

// DefaultPolicy is the text of policy.csv.
//
//go:embed policy.csv
var DefaultPolicy string

// DemoFlow is the text of demo.yaml, the phone menu `switchboard serve` answers with by default.
//
//go:embed demo.yaml
var DemoFlow string

// DemoPINs is the text of demo.pins, the PIN secrets of the demo's staff login. Its one PIN,
// 2468, is printed in the README: it guards nothing but the demo's fictional numbers.
//
//go:embed demo.pins
var DemoPINs string

// DemoTests is the text of demo_test.yaml, the demo's calls and what each must hear, which
// `switchboard test --demo` runs against the built-in demo flow and policy.
//
//go:embed demo_test.yaml
var DemoTests string
