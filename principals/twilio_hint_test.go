package principals_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

// TestForgedFloodSkipsHintsButRepeatsKeepTheirHint checks that a flood of distinct forged
// requests cannot make each one cost the HMACs of the hints, and that a request that fails again
// and again keeps its hint.
func TestForgedFloodSkipsHintsButRepeatsKeepTheirHint(t *testing.T) {
	p := newTwilio(t, principals.TwilioOptions{})
	repeat := post("https://example.com/ivr/welcome", "https://example.com/ivr/welcome/", docParams)
	for i := range 3 * principals.HintsPerSecond {
		_, _, f := authenticate(t, p, repeat())
		if f == nil || !strings.Contains(f.Hint, "without the trailing slash") {
			t.Fatalf("repeat %d: failure %v, want the trailing-slash hint", i, f)
		}
	}
	const signedAs = "https://example.com/ivr/"
	skipped := 0
	for i := range 3 * principals.HintsPerSecond {
		r := principalstest.NewPOST(token, signedAs, docParams)
		r.Header.Set("X-Twilio-Signature", principalstest.Sign(token, signedAs+"?n="+strconv.Itoa(i), docParams))
		_, _, f := authenticate(t, p, r)
		if f == nil || f.Reason != principals.ErrSignatureMismatch {
			t.Fatalf("request %d: failure %v, want a mismatch", i, f)
		}
		if f.Hint == principals.HintsSkipped {
			skipped++
		}
	}
	if skipped < principals.HintsPerSecond {
		t.Errorf("%d of %d distinct forged requests skipped their hints, want at least %d", skipped, 3*principals.HintsPerSecond, principals.HintsPerSecond)
	}
}
