package principals_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

const releaseURL = "https://ivr.example.com/ivr/welcome/gather?i=0&n=0"

// callFrom returns a signed Gather callback from number n (+1555555NNNN) that pressed digits,
// with escapes in its values, and the form it carries. Every call's body has the same length, so
// that memory released by one fits the next.
func callFrom(n int, digits string) (*http.Request, url.Values) {
	from := fmt.Sprintf("+1555555%04d", n)
	params := principalstest.CallParams(from, "Digits", digits, "SpeechResult", fmt.Sprintf("caller %04d said a+b=%04d%%", n, n),
		"CallSid", fmt.Sprintf("CA%032x", n), "StirVerstat", "TN-Validation-Passed-A")
	return principalstest.NewPOST(token, releaseURL, params), params
}

// seen is what a Result told about a request, read again later.
type seen struct {
	callSID, digits, speech, body string
	principals                    []string
}

func snapshot(t *testing.T, res principals.Result, r *http.Request) seen {
	t.Helper()
	if len(res.Identities) != 1 {
		t.Fatalf("%d identities, want 1 (failures %v)", len(res.Identities), res.Failures)
	}
	id := res.Identities[0]
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return seen{callSID: id.CallSID, digits: id.Form.Get("Digits"), speech: id.Form.Get("SpeechResult"), body: string(body),
		principals: slices.Clone(res.Principals.Names())}
}

func wantSeen(n int, digits string, params url.Values) seen {
	return seen{callSID: fmt.Sprintf("CA%032x", n), digits: digits, speech: params.Get("SpeechResult"), body: params.Encode()}
}

// churn authenticates and releases other calls, so that released memory is reused.
func churn(t *testing.T, p principals.Policy) {
	t.Helper()
	for i := range 50 {
		r, _ := callFrom(1000+i, "9")
		res := principals.Authenticate(r, p)
		if !res.Principals.Authenticated() {
			t.Fatalf("churn call %d did not verify: %v", i, res.Failures)
		}
		res.Release()
	}
}

// TestAnUnreleasedResultKeepsItsMemory: a caller that never calls Release (a handler that keeps the
// form, a log record held for later) sees its request's values however many requests follow.
func TestAnUnreleasedResultKeepsItsMemory(t *testing.T) {
	p := newTwilio(t, principals.TwilioOptions{PublicURL: "https://ivr.example.com"})
	r, params := callFrom(7, "42")
	res := principals.Authenticate(r, p)
	id := res.Identities[0]
	names := res.Principals.Names()
	before := slices.Clone(names)
	if !slices.Contains(before, principals.Caller("+15555550007")) {
		t.Fatalf("principals %v lack the caller", before)
	}
	churn(t, p)
	got := snapshot(t, res, r)
	want := wantSeen(7, "42", params)
	want.principals = before
	if got.callSID != want.callSID || got.digits != want.digits || got.speech != want.speech || got.body != want.body ||
		!slices.Equal(got.principals, want.principals) || !slices.Equal(names, before) || id.Form.Get("From") != "+15555550007" {
		t.Errorf("after other requests the unreleased result reads\n%+v\nwant\n%+v", got, want)
	}
}

// TestPolicyAuthenticateHandsOutMemoryOfItsOwn: an Identity from TwilioPolicy.Authenticate called
// directly (as examples/agent does) is never reused, whatever Results are released meanwhile.
func TestPolicyAuthenticateHandsOutMemoryOfItsOwn(t *testing.T) {
	p := newTwilio(t, principals.TwilioOptions{PublicURL: "https://ivr.example.com"})
	r, params := callFrom(8, "#")
	id, ok, err := p.Authenticate(r)
	if !ok {
		t.Fatal(err)
	}
	principalsBefore := slices.Clone(id.Principals)
	churn(t, p)
	body, _ := io.ReadAll(r.Body)
	if id.CallSID != fmt.Sprintf("CA%032x", 8) || id.Form.Get("Digits") != "#" || id.Form.Get("SpeechResult") != params.Get("SpeechResult") ||
		string(body) != params.Encode() || !slices.Equal(id.Principals, principalsBefore) {
		t.Errorf("after other requests the identity reads CallSID %q Digits %q SpeechResult %q principals %v, body %q",
			id.CallSID, id.Form.Get("Digits"), id.Form.Get("SpeechResult"), id.Principals, body)
	}
}

// TestAReleasedResultIsEmptyAndItsMemoryServesTheNextRequest: Release empties the Result, may be
// called twice, and the next request gets its own values in the reused memory.
func TestAReleasedResultIsEmptyAndItsMemoryServesTheNextRequest(t *testing.T) {
	p := newTwilio(t, principals.TwilioOptions{PublicURL: "https://ivr.example.com"})
	for n := range 20 {
		digits := fmt.Sprint(n % 10)
		r, params := callFrom(n, digits)
		res := principals.Authenticate(r, p)
		got := snapshot(t, res, r)
		want := wantSeen(n, digits, params)
		if got.callSID != want.callSID || got.digits != want.digits || got.speech != want.speech || got.body != want.body ||
			!slices.Contains(got.principals, principals.Caller(fmt.Sprintf("+1555555%04d", n))) {
			t.Fatalf("request %d reads\n%+v\nwant\n%+v", n, got, want)
		}
		res.Release()
		if res.Principals.Len() != 0 || res.Identities != nil || res.Failures != nil {
			t.Fatalf("a released result still holds %+v", res)
		}
		res.Release()
	}
	var zero principals.Result
	zero.Release()
}

// TestAReleasedForgedRequestLeavesNothingBehind: a forged request's Failure, read before Release,
// names its reason; after Release the next valid request verifies and the next forged one fails.
func TestAReleasedForgedRequestLeavesNothingBehind(t *testing.T) {
	p := newTwilio(t, principals.TwilioOptions{PublicURL: "https://ivr.example.com"})
	for n := range 10 {
		_, params := callFrom(n, "1")
		forged := principalstest.NewPOST("not-the-token", releaseURL, params)
		res := principals.Authenticate(forged, p)
		if res.Principals.Authenticated() || len(res.Failures) != 1 {
			t.Fatalf("forged request %d: principals %v, failures %v", n, res.Principals.Names(), res.Failures)
		}
		f, ok := res.Failures[0].(*principals.Failure)
		if !ok || f.Reason != principals.ErrSignatureMismatch {
			t.Fatalf("forged request %d fails with %v, want a signature mismatch", n, res.Failures[0])
		}
		if got := principalstest.ReadBody(forged); got != params.Encode() {
			t.Fatalf("forged request %d: r.Body replays %q, want %q", n, got, params.Encode())
		}
		res.Release()
		r, _ := callFrom(n, "1")
		valid := principals.Authenticate(r, p)
		if !valid.Principals.Authenticated() {
			t.Fatalf("request %d after a released forgery: %v", n, valid.Failures)
		}
		valid.Release()
	}
}

// TestAReleasedRequestCostsNoAllocation: memory given back by Release serves the next request, so
// a verified callback allocates nothing once the pools are warm.
func TestAReleasedRequestCostsNoAllocation(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items on purpose")
	}
	p := newTwilio(t, principals.TwilioOptions{PublicURL: "https://ivr.example.com"})
	r, params := callFrom(3, "1")
	body := params.Encode()
	var rb rewindBody
	n := testing.AllocsPerRun(200, func() {
		rb.Reset(body)
		r.Body, r.PostForm, r.Form = &rb, nil, nil
		res := principals.Authenticate(r, p)
		if !res.Principals.Authenticated() {
			t.Fatal(res.Failures)
		}
		res.Release()
	})
	if n != 0 {
		t.Errorf("a released request allocates %.1f times, want 0", n)
	}
}

// FuzzReleasedResultsAgreeWithFreshOnes: whatever a call carries, principals.Authenticate with
// lent memory answers what the policy answers with memory of its own, and releasing that
// memory to the next request leaves an identity authenticated earlier intact.
func FuzzReleasedResultsAgreeWithFreshOnes(f *testing.F) {
	f.Add("1", "yes please", false)
	f.Add("", "", true)
	f.Add("%zz", "a+b=c&d", false)
	f.Add("1234#", "ñandú 🦆", true)
	p := newTwilio(f, principals.TwilioOptions{PublicURL: "https://ivr.example.com"})
	f.Fuzz(func(t *testing.T, digits, speech string, forged bool) {
		params := principalstest.CallParams("+15555550123", "Digits", digits, "SpeechResult", speech)
		tok := token
		if forged {
			tok = "not-the-token"
		}
		fresh := principalstest.NewPOST(tok, releaseURL, params)
		id, ok, err := p.Authenticate(fresh)
		if ok == forged {
			t.Fatalf("forged %v, yet the policy says ok %v (%v)", forged, ok, err)
		}
		before := slices.Clone(id.Principals)
		for range 3 {
			r := principalstest.NewPOST(tok, releaseURL, params)
			res := principals.Authenticate(r, p)
			if res.Principals.Authenticated() != ok {
				t.Fatalf("through a Result: authenticated %v, the policy alone %v", res.Principals.Authenticated(), ok)
			}
			if ok {
				got := res.Identities[0]
				if got.Form.Get("Digits") != digits || got.Form.Get("SpeechResult") != speech || got.CallSID != id.CallSID {
					t.Fatalf("through a Result: Digits %q SpeechResult %q CallSID %q; want %q %q %q",
						got.Form.Get("Digits"), got.Form.Get("SpeechResult"), got.CallSID, digits, speech, id.CallSID)
				}
				for _, n := range before {
					if !res.Principals.Has(n) {
						t.Fatalf("through a Result the principals %v lack %q", res.Principals.Names(), n)
					}
				}
			} else if len(res.Failures) != 1 {
				t.Fatalf("a forged call through a Result fails with %v", res.Failures)
			}
			if body := principalstest.ReadBody(r); body != params.Encode() {
				t.Fatalf("r.Body replays %q, want %q", body, params.Encode())
			}
			res.Release()
		}
		if ok && (id.Form.Get("Digits") != digits || id.Form.Get("SpeechResult") != speech || !slices.Equal(id.Principals, before)) {
			t.Fatalf("the policy's own identity changed after released requests: Digits %q SpeechResult %q principals %v",
				id.Form.Get("Digits"), id.Form.Get("SpeechResult"), id.Principals)
		}
	})
}
