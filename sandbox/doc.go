// Package sandbox serves a flow in this process, under an auth token of its own, and places
// simulated calls against it, saying for every request which route, node, option and error flow
// answered it.
package sandbox
