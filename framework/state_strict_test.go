package framework

import (
	"net/url"
	"slices"
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
