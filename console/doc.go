// Package console serves a web page that shows a flow as a diagram, places simulated calls
// against it with a keypad, draws the policy as a matrix of routes and principals, and lists the
// problems of the files it watches.
//
// The page is rendered on the server (html/template) from assets embedded in the binary; the
// diagram is an SVG drawn by package diagram. Nothing is fetched from the network. Calls go
// through package sandbox: the flow served in this process, under a token of its own, walked by
// package caller exactly as simulate --flow walks it.
//
// A Console shows no auth token, PIN or secret: option keys and digits typed on sensitive menus
// are masked, and with [Options.MaskNumbers] so are the phone numbers of the policy and of the
// calls it records.
package console
