// Package deps holds the test that keeps Switchboard's dependencies pointing down its package
// table; it has no code of its own.
package deps
