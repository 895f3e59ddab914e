// Package pin checks the PINs callers enter against a secrets file of slow, salted hashes.
//
// A PIN is a few digits, so no hash can keep a stolen secrets file from being searched; bcrypt
// makes each guess cost tens of milliseconds, and the server counts wrong PINs per caller and
// locks them out. The file lives next to the keys file and, like it, must not be readable by
// other users. PINs never appear in a flow, a log line, a diagram or a metric.
package pin
