package framework

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-ivr/switchboard/callstate"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

// pinPolicy grants the staff menu to a call that entered the staff PIN, and to nobody else.
const pinPolicy = `p, twilio, /ivr/*, view, allow
p, pin:staff, /ivr/*, staff, allow
p, caller:anonymous, /ivr/*, *, deny
`

func newSealer(t testing.TB) *callstate.Sealer {
	t.Helper()
	k, err := callstate.ParseKey(strings.Repeat("5a", 32))
	if err != nil {
		t.Fatal(err)
	}
	s, err := callstate.New(k, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const (
	thisCall  = "CA0123456789abcdef0123456789abcdef" // principalstest.CallParams's CallSid
	otherCall = "CAffffffffffffffffffffffffffffffff"
)

func TestStateTokenGrantsItsScopeOnlyInItsCallOnItsPathBeforeExpiry(t *testing.T) {
	s := newSealer(t)
	app := newTestApp(t, &Options{Policy: Text("policy.csv", pinPolicy), State: s})
	seal := func(call, path string, at time.Time) string {
		tok, err := s.Seal(call, path, callstate.State{Scopes: []string{"staff"}}, at)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	now := time.Now()
	tests := []struct {
		name   string
		target string
		expect string // what the caller hears first
	}{
		{"TokenForThisCallAndPathOpensTheStaffMenu", "/ivr/staff?st=" + seal(thisCall, "/ivr/staff", now), "Staff line."},
		{"TokenFromAnotherCallIsRefused", "/ivr/staff?st=" + seal(otherCall, "/ivr/staff", now), "This line is for Acme staff only."},
		{"TokenForAnotherPathIsRefused", "/ivr/staff?st=" + seal(thisCall, "/ivr/welcome", now), "This line is for Acme staff only."},
		{"ExpiredTokenIsRefused", "/ivr/staff?st=" + seal(thisCall, "/ivr/staff", now.Add(-callstate.DefaultTTL-time.Second)), "This line is for Acme staff only."},
		{"GarbageTokenIsRefused", "/ivr/staff?st=AAAA", "This line is for Acme staff only."},
		{"NoTokenIsRefused", "/ivr/staff", "This line is for Acme staff only."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := twimlOf(t, call(t, app, tc.target, principalstest.CallParams(otherNumber)))
			if got := firstSay(doc); !strings.HasPrefix(got, tc.expect) {
				t.Errorf("caller hears %q, want %q", got, tc.expect)
			}
		})
	}
}

func TestStateTokenOnAnUnsignedRequestGrantsNothing(t *testing.T) {
	s := newSealer(t)
	app := newTestApp(t, &Options{Policy: Text("policy.csv", pinPolicy), State: s})
	tok, _ := s.Seal(thisCall, "/ivr/staff", callstate.State{Scopes: []string{"staff"}}, time.Now())
	r := principalstest.NewPOSTBody(testHost+"/ivr/staff?st="+tok, principalstest.CallParams(otherNumber).Encode(), "forged")
	doc := twimlOf(t, send(app, r))
	if got := firstSay(doc); strings.HasPrefix(got, "Staff line.") {
		t.Errorf("a forged request with a captured token reached the staff menu")
	}
}

// TestEveryCallbackOfAGrantedCallCarriesItsOwnToken follows the staff menu's callbacks: each
// URL under the base path carries a token for its own path, and the next request with it is
// still granted.
func TestEveryCallbackOfAGrantedCallCarriesItsOwnToken(t *testing.T) {
	s := newSealer(t)
	app := newTestApp(t, &Options{Policy: Text("policy.csv", pinPolicy), State: s})
	tok, _ := s.Seal(thisCall, "/ivr/staff", callstate.State{Scopes: []string{"staff"}}, time.Now())
	doc := twimlOf(t, call(t, app, "/ivr/staff?st="+tok, principalstest.CallParams(otherNumber)))
	var urls []string
	visit(doc, func(n *node) {
		if a := n.Attrs["action"]; a != "" {
			urls = append(urls, a)
		}
		if n.Name == "Redirect" {
			urls = append(urls, n.Text)
		}
	})
	if len(urls) == 0 {
		t.Fatal("no callback URLs")
	}
	for _, u := range urls {
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		st := pu.Query().Get(StateParam)
		if _, err := s.Open(st, thisCall, pu.Path, time.Now()); err != nil {
			t.Errorf("%s: token does not open for its own path: %v", u, err)
		}
		if pu.Query().Get("i") != "0" {
			t.Errorf("%s: lost its retry counts", u)
		}
	}
	// Silence on the staff gather: the next document is the staff menu's again, still granted.
	next := twimlOf(t, call(t, app, urls[0], principalstest.CallParams(otherNumber)))
	if got := firstSay(next); strings.Contains(got, "staff only") {
		t.Errorf("the call lost its grant on %s: %q", urls[0], got)
	}
}

func TestSealURLsLeavesOtherHostsAlone(t *testing.T) {
	doc := []byte(`<Response><Gather action="/ivr/a/gather?i=0&amp;n=0"></Gather><Redirect method="POST">/ivr/a</Redirect>` +
		`<Redirect>https://elsewhere.example/twiml</Redirect><Dial action="/other/x"></Dial><Enqueue waitUrl="/ivr/w">q</Enqueue></Response>`)
	out, err := sealURLs(doc, "", "/ivr", func(p, _ []byte) (string, error) { return "T" + strings.ReplaceAll(string(p), "/", "_"), nil })
	if err != nil {
		t.Fatal(err)
	}
	want := `<Response><Gather action="/ivr/a/gather?i=0&amp;n=0&amp;st=T_ivr_a_gather"></Gather><Redirect method="POST">/ivr/a?st=T_ivr_a</Redirect>` +
		`<Redirect>https://elsewhere.example/twiml</Redirect><Dial action="/other/x"></Dial><Enqueue waitUrl="/ivr/w">q</Enqueue></Response>`
	if string(out) != want {
		t.Errorf("sealURLs =\n%s\nwant\n%s", out, want)
	}
}

func firstSay(n *node) string {
	var s string
	visit(n, func(n *node) {
		if s == "" && n.Name == "Say" {
			s = strings.TrimSpace(n.Text)
		}
	})
	return s
}

func visit(n *node, f func(*node)) {
	f(n)
	for _, c := range n.Children {
		visit(c, f)
	}
}
