// Package framework serves compiled phone menus over HTTP: it authenticates every request into
// principals, authorizes it against a Casbin policy, and answers refusals and failures on voice
// routes with error call flows.
//
// Echo v4 is an implementation detail of this package: no exported identifier mentions it (see
// DESIGN.md at the repository root for why).
package framework
