// Package caller places simulated phone calls against a TwiML server, walking the TwiML the way
// Twilio does.
package caller
