package framework

import (
	"net/url"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

// attested returns the fields of a call from number with full SHAKEN/STIR attestation, in the
// call callSID.
func attested(number, callSID string, extra ...string) url.Values {
	p := principalstest.CallParams(number, extra...)
	p.Set("StirVerstat", "TN-Validation-Passed-A")
	p.Set("CallSid", callSID)
	return p
}

// enterPIN posts digits to the demo's staff login PIN route in call callSID and returns the
// answer.
func enterPIN(t *testing.T, app *App, callSID, digits string) *node {
	t.Helper()
	return twimlOf(t, call(t, app, "/ivr/staff_login/pin?a=0", attested(staffNumber, callSID, "Digits", digits)))
}

func TestWrongPINsAcrossCallsLockTheNumberOut(t *testing.T) {
	app := newTestApp(t, &Options{PINLockout: 3})
	for i, sid := range []string{"CA00000000000000000000000000000001", "CA00000000000000000000000000000002", "CA00000000000000000000000000000003"} {
		doc := enterPIN(t, app, sid, "1111")
		if i < 2 && !strings.Contains(strings.Join(doc.says(), " "), "That PIN is not correct.") {
			t.Fatalf("wrong PIN %d heard %q", i+1, doc.says())
		}
		if i == 2 && !strings.Contains(strings.Join(doc.says(), " "), "Goodbye.") {
			t.Fatalf("the third wrong PIN, across calls, heard %q; want the failed flow", doc.says())
		}
	}
	// Locked out: in a fourth call, even the right PIN is refused, unchecked.
	doc := enterPIN(t, app, "CA00000000000000000000000000000004", "2468")
	if r := doc.find("Redirect"); r != nil && strings.HasPrefix(r.Text, "/ivr/staff?") {
		t.Fatalf("a locked-out number passed the PIN: %v", doc.verbs())
	}
	if !strings.Contains(strings.Join(doc.says(), " "), "Goodbye.") {
		t.Errorf("a locked-out number heard %q, want goodbye", doc.says())
	}
}

func TestTheRightPINGrantsTheStaffMenuForThatCallOnly(t *testing.T) {
	app := newTestApp(t, nil)
	const mine, theirs = "CA00000000000000000000000000000011", "CA00000000000000000000000000000012"
	doc := enterPIN(t, app, mine, "2468")
	r := doc.find("Redirect")
	if r == nil || !strings.HasPrefix(r.Text, "/ivr/staff?"+StateParam+"=") {
		t.Fatalf("the right PIN answered %v, want a redirect to the staff menu with a state token", doc.verbs())
	}
	target := r.Text
	if got := firstSay(twimlOf(t, call(t, app, target, attested(staffNumber, mine)))); !strings.HasPrefix(got, "Staff line.") {
		t.Errorf("the call that entered the PIN heard %q on the staff menu", got)
	}
	// The same URL, token and all, replayed in another call: refused.
	if got := firstSay(twimlOf(t, call(t, app, target, attested(staffNumber, theirs)))); !strings.Contains(got, "staff only") {
		t.Errorf("the token replayed in another call heard %q", got)
	}
	// The token moved to another path of the staff menu: refused.
	tok := strings.TrimPrefix(target, "/ivr/staff?"+StateParam+"=")
	if got := firstSay(twimlOf(t, call(t, app, "/ivr/staff/gather?i=0&n=0&"+StateParam+"="+tok, attested(staffNumber, mine)))); !strings.Contains(got, "staff only") {
		t.Errorf("the token on another path heard %q", got)
	}
}

// A deny line on caller:anonymous refuses callers who withhold their number, and SIP and client
// callers, with the denied flow.
func TestADenyOnAnonymousRefusesWithheldAndSIPCallers(t *testing.T) {
	app := newTestApp(t, &Options{Policy: Text("policy.csv", defaultPolicy+"g, caller:anonymous, group:blocked\n")})
	for _, from := range []string{"anonymous", "restricted", "", "sip:mallory@example.com", "client:mallory", "+1234"} {
		doc := twimlOf(t, call(t, app, "/ivr/welcome", principalstest.CallParams(from)))
		if got := firstSay(doc); got != "Sorry, this line cannot take your call." || doc.find("Dial") != nil || doc.find("Hangup") == nil {
			t.Errorf("From=%q heard %q, verbs %v; want the denied flow and a hangup", from, got, doc.verbs())
		}
	}
	// A caller with a number still gets in.
	if got := firstSay(twimlOf(t, call(t, app, "/ivr/welcome", principalstest.CallParams(otherNumber)))); got != "Thanks for calling Acme." {
		t.Errorf("a caller with a number heard %q", got)
	}
}
