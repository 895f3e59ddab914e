package framework

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// A signed request whose URL carries a counter the server never emitted hears the not-found
// flow: the counter is refused, never read as zero (which would restart the caller's retries).
func TestACounterTheServerNeverEmittedHearsTheNotFoundFlow(t *testing.T) {
	app := newTestApp(t, &Options{Flow: File(writeFile(t, t.TempDir(), "flow.yaml", demoFlow)), Now: fixedClock(openHours)})
	params := url.Values{"CallSid": {"CA00000000000000000000000000000001"}, "From": {otherNumber}, "To": {"+15555550100"}, "Digits": {"7"}}
	tests := []struct {
		target string
		want   string
	}{
		{"/ivr/welcome/gather?i=0&n=0", sayInvalid},
		{"/ivr/welcome/gather", sayInvalid}, // no counters: the first entry, state zero
		{"/ivr/welcome/gather?i=x&n=0", sayNotFound},
		{"/ivr/welcome/gather?i=-1&n=0", sayNotFound},
		{"/ivr/welcome/gather?i=01&n=0", sayNotFound},
		{"/ivr/welcome/gather?i=99&n=0", sayNotFound},
		{"/ivr/welcome/gather?i=0&n=99999", sayNotFound},
		{"/ivr/welcome/gather?i=1&i=0&n=0", sayNotFound},
		{"/ivr/welcome/gather?i&n=0", sayNotFound},
		{"/ivr/welcome/gather?i=&n=0", sayNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			says := twimlOf(t, call(t, app, tt.target, params)).says()
			if len(says) == 0 || says[0] != tt.want {
				t.Errorf("%s says %q, want it to begin %q", tt.target, says, tt.want)
			}
			if tt.want == sayNotFound && slices.Contains(says, sayInvalid) {
				t.Errorf("%s was also answered as an invalid choice: %q", tt.target, says)
			}
		})
	}
}

// tampered returns tok with one character of its seal changed. Not the last: in unpadded base64 its
// low bits may be padding that decodes to the same bytes; and never to itself, which replacing
// the end with a fixed "AA" did whenever the seal already ended so.
func tampered(tok string) string {
	i := len(tok) - 5
	c := byte('A')
	if tok[i] == 'A' {
		c = 'B'
	}
	return tok[:i] + string(c) + tok[i+1:]
}

// The state a callback URL carries beyond the first is sealed for its call and path: a captured
// request whose URL is re-written to another state, or whose token is replayed into another call
// or onto another path, hears the not-found flow; the URL the server wrote is followed.
func TestCallStateIsTheStateSealedForThisCallAndPath(t *testing.T) {
	app := newTestApp(t, &Options{Flow: File(writeFile(t, t.TempDir(), "flow.yaml", demoFlow)), Now: fixedClock(openHours)})
	const callA, callB = "CA0000000000000000000000000000000a", "CA0000000000000000000000000000000b"
	params := func(sid, digits string) url.Values {
		return url.Values{"CallSid": {sid}, "From": {otherNumber}, "To": {"+15555550100"}, "Direction": {"inbound"}, "Digits": {digits}}
	}
	// One invalid choice: the server answers with the gather at i=1, sealed for call A.
	doc := twimlOf(t, call(t, app, "/ivr/welcome/gather?i=0&n=0", params(callA, "7")))
	next := doc.find("Redirect").Text
	tok := rawQueryValue(next[strings.IndexByte(next, '?')+1:], StateParam)
	if !strings.HasPrefix(next, "/ivr/welcome/gather?i=1&n=0&st=") || tok == "" {
		t.Fatalf("the invalid choice's gather URL is %q, want i=1&n=0 with a state token", next)
	}
	tests := []struct {
		name, target, sid, want string
	}{
		{"TheSealedURLIsFollowed", next, callA, "Let me connect you with someone who can help."}, // the second invalid choice: exhausted
		{"ACounterReWrittenUnderTheTokenIsRefused", "/ivr/welcome/gather?i=0&n=1&st=" + tok, callA, sayNotFound},
		{"ACounterReWrittenUpIsRefused", "/ivr/welcome/gather?i=1&n=1&st=" + tok, callA, sayNotFound},
		{"TheTokenInAnotherCallIsRefused", next, callB, sayNotFound},
		{"TheTokenOnAnotherPathIsRefused", "/ivr/support/gather?i=1&n=0&st=" + tok, callA, sayNotFound},
		{"AForgedTokenIsRefused", "/ivr/welcome/gather?i=1&n=0&st=" + tampered(tok), callA, sayNotFound},
		{"StateBeyondTheFirstWithoutATokenIsRefused", "/ivr/welcome/gather?i=1&n=0", callA, sayNotFound},
		{"TheFirstStateNeedsNoToken", "/ivr/welcome/gather?i=0&n=0", callB, sayInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			says := twimlOf(t, call(t, app, tt.target, params(tt.sid, "7"))).says()
			if len(says) == 0 || says[0] != tt.want {
				t.Errorf("%s in %s says %q, want it to begin %q", tt.target, tt.sid, says, tt.want)
			}
		})
	}
}
