package principals_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

// A split is one way to cut the text Twilio signs into a URL and form pairs.
type split struct {
	url   string
	pairs [][2]string
}

// splitAt cuts s at the URL's end c and then at the boundaries bs (all after c), pieces
// alternating key and value; ok is false when the pieces do not pair up.
func splitAt(s string, c int, bs []int) (split, bool) {
	sp := split{url: s[:c]}
	cuts := append([]int{c}, bs...)
	if (len(cuts)-1)%2 != 0 {
		return sp, false
	}
	for i := 0; i+2 < len(cuts); i += 2 {
		sp.pairs = append(sp.pairs, [2]string{s[cuts[i]:cuts[i+1]], s[cuts[i+1]:cuts[i+2]]})
	}
	return sp, true
}

// sortedAsTwilioSigns reports whether the pairs are in the order Twilio concatenates them, so
// that the split's text is the one signed.
func (sp split) sortedAsTwilioSigns() bool {
	return slices.IsSortedFunc(sp.pairs, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
}

func (sp split) request(sig string) *http.Request {
	var body strings.Builder
	for i, p := range sp.pairs {
		if i > 0 {
			body.WriteByte('&')
		}
		body.WriteString(url.QueryEscape(p[0]) + "=" + url.QueryEscape(p[1]))
	}
	r := principalstest.NewPOSTBody("https://example.com/", body.String(), sig)
	r.RequestURI = strings.TrimPrefix(sp.url, "https://example.com")
	return r
}

const keyAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"

// TestRetargetingThatKeepsTheSignedTextIsRefused takes a signed gather callback, cuts the text
// Twilio signed (URL, then each key and value, no separators) in every other way that moves the
// end of the URL or one boundary between a key and a value, and sends each as a request with
// the original signature. It checks that
//   - every cut that moves bytes of the URL into the form is refused unless those bytes are all
//     of Twilio's key alphabet: no '/', '?', '&', '=' or '%' of the URL, its structure, can
//     become part of a key (the SDKs, with no strict keys, accept them);
//   - every cut that moves a boundary inside the form is refused unless every key stays in that
//     alphabet and in order;
//   - no cut that verifies vouches for a principal the original did not, except
//     caller:anonymous when the caller's number was moved out of the form.
//
// What still verifies — bytes of the first pairs moved into the URL's last path segment or query
// value, bytes of the key alphabet moved the other way, a value merged with the next pair — is
// byte for byte a request Twilio could have signed, which no verifier of Twilio's scheme can
// tell apart; it can only drop fields, never add one.
func TestRetargetingThatKeepsTheSignedTextIsRefused(t *testing.T) {
	const u = "https://example.com/ivr/welcome/gather?i=1&n=1"
	params := url.Values{
		"AccountSid": {"AC0123456789abcdef0123456789abcdef"}, "CallSid": {"CA1"},
		"Digits": {"1"}, "From": {"+15551234567"}, "To": {"+15557654321"}, "msg": {"Gather End"},
	}
	sig := principalstest.Sign(token, u, params)
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	text, bounds := u, []int{}
	for _, k := range keys {
		text += k
		bounds = append(bounds, len(text))
		text += params[k][0]
		bounds = append(bounds, len(text))
	}
	p := newTwilio(t, principals.TwilioOptions{})
	if _, ok, f := authenticate(t, p, split{u, nil}.request(sig)); ok || f == nil {
		t.Fatal("the URL alone verified")
	}
	orig, _ := splitAt(text, len(u), bounds)
	if _, ok, f := authenticate(t, p, orig.request(sig)); !ok {
		t.Fatalf("the untouched request is refused: %v", f)
	}

	var candidates []split
	minURL := len("https://example.com/")
	for c := minURL; c < len(text); c++ { // the end of the URL, anywhere
		var after []int
		for _, b := range bounds {
			if b > c {
				after = append(after, b)
			}
		}
		if sp, ok := splitAt(text, c, after); ok {
			candidates = append(candidates, sp)
		}
		if len(after) > 0 { // the first boundary dropped too: the URL's tail and a key merge
			if sp, ok := splitAt(text, c, after[1:]); ok {
				candidates = append(candidates, sp)
			}
		}
	}
	for i := range bounds[:len(bounds)-1] { // one boundary between pieces, moved anywhere between its neighbours
		lo, hi := len(u)+1, len(text)-1
		if i > 0 {
			lo = bounds[i-1] + 1
		}
		if i+1 < len(bounds) {
			hi = bounds[i+1] - 1
		}
		for b := lo; b <= hi; b++ {
			moved := slices.Clone(bounds)
			moved[i] = b
			if sp, ok := splitAt(text, len(u), moved); ok {
				candidates = append(candidates, sp)
			}
		}
	}

	_, _, origID := authenticateID(t, p, orig.request(sig))
	structural, checked, verified := 0, 0, 0
	for _, sp := range candidates {
		if sp.url == orig.url && slices.Equal(sp.pairs, orig.pairs) || !strings.HasPrefix(sp.url, "https://example.com/") {
			continue
		}
		checked++
		keysOK := sp.sortedAsTwilioSigns() && slices.IndexFunc(sp.pairs, func(p [2]string) bool {
			return p[0] == "" || strings.Trim(p[0], keyAlphabet) != ""
		}) < 0
		moved := ""
		switch {
		case len(sp.url) < len(u):
			moved = u[len(sp.url):]
			if strings.Trim(moved, keyAlphabet) != "" && sp.sortedAsTwilioSigns() {
				structural++ // URL syntax moved into the first key: what strict keys refuse
			}
		case len(sp.url) == len(u):
			moved = movedBytes(orig, sp)
		}
		ok, id := func() (bool, []string) { ok, _, id := authenticateID(t, p, sp.request(sig)); return ok, id }()
		if !ok {
			continue
		}
		verified++
		if !keysOK || strings.Trim(moved, keyAlphabet) != "" {
			t.Errorf("re-targeted request verified: URL %q, pairs %q (moved %q)", sp.url, sp.pairs, moved)
		}
		for _, n := range id {
			// caller:anonymous stands for a caller with no number: a request whose From was moved
			// out of the form has none. It narrows what a request may do (policies deny it).
			if !slices.Contains(origID, n) && n != principals.AnonymousCaller {
				t.Errorf("re-targeted request (URL %q, pairs %q) gained the principal %s", sp.url, sp.pairs, n)
			}
		}
	}
	if structural == 0 || checked < 100 {
		t.Fatalf("checked %d re-targetings, %d of them moving URL syntax into a key: the test is not testing", checked, structural)
	}
	t.Logf("%d re-targetings, %d moving URL syntax into a key; %d verified, none gaining a principal", checked, structural, verified)
}

func authenticateID(t *testing.T, p principals.Policy, r *http.Request) (bool, *principals.Failure, []string) {
	t.Helper()
	id, ok, f := authenticate(t, p, r)
	return ok, f, id.Principals
}

// movedBytes returns the bytes that changed sides between two splits of the same text: those
// between the old and the new end of the URL, and those between each moved boundary.
func movedBytes(a, b split) string {
	ta, tb := a.url, b.url
	if len(tb) < len(ta) {
		ta, tb = tb, ta
	}
	moved := tb[len(ta):]
	x, y := flatten(a), flatten(b)
	for i := 0; i < len(x) && i < len(y); i++ {
		if x[i] != y[i] {
			lo, hi := min(x[i], y[i]), max(x[i], y[i])
			moved += a.text()[lo:hi]
		}
	}
	return moved
}

func flatten(sp split) []int {
	n := len(sp.url)
	var out []int
	for _, p := range sp.pairs {
		n += len(p[0])
		out = append(out, n)
		n += len(p[1])
		out = append(out, n)
	}
	return out
}

func (sp split) text() string {
	s := sp.url
	for _, p := range sp.pairs {
		s += p[0] + p[1]
	}
	return s
}
