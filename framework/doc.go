// Package framework serves compiled phone menus over HTTP: it authenticates every request into
// principals, authorizes it against a Casbin policy, and answers refusals and failures on voice
// routes with error call flows.
//
// Echo v4 is an implementation detail of this package: no exported identifier mentions it, so the
// move to Echo v5 changes this package alone.
package framework
