package principalstest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-ivr/switchboard/principals"
)

// A Case is one request for [Run] and what the policy must say about it.
type Case struct {
	Name string

	// Request returns a new request each time it is called; Run calls it several times.
	Request func() *http.Request

	// Vouch says whether the policy must vouch for the request.
	Vouch bool

	// Principals, when Vouch is set, are exactly the principals the policy must yield, in any
	// order. Optional; nil skips the check.
	Principals []string
}

// A Suite describes a policy for [Run].
type Suite struct {
	Policy principals.Policy

	// Name is the policy's name, as it must appear in Identity.Policy and Failure.Policy.
	Name string

	// Secrets are credentials (tokens, keys) that must never appear in an error or an Identity.
	Secrets []string

	// Cases are requests of the policy's own kind. Run adds requests with no credentials and
	// hostile ones.
	Cases []Case
}

// Run checks that s.Policy keeps the promises of [principals.Policy], in the shape of
// testing/slogtest. For every case, and for built-in requests, it checks that the policy:
//   - never panics, even on a request with a nil body, no headers or a body that fails to read;
//   - does not vouch for a request without credentials;
//   - reports failures as a *[principals.Failure] carrying its name and one of
//     [principals.Reasons], which errors.Is matches;
//   - never vouches for a reserved name (system.*, and twilio unless it is the "twilio" policy);
//   - gives each case's expected answer, the same every time, also when called concurrently;
//   - leaves the request body readable, with the same bytes;
//   - never shows a secret in an error or an Identity.
func Run(t *testing.T, s Suite) {
	t.Helper()
	if s.Policy == nil {
		t.Fatal("principalstest.Run: Suite.Policy is nil")
	}
	t.Run("NoCredentialsIsNotVouchedFor", func(t *testing.T) {
		for _, c := range noCredentials() {
			id, ok, err := call(t, s.Policy, c.Request())
			s.checkInvariants(t, c.Name, id, ok, err)
			if ok {
				t.Errorf("%s: the policy vouched for a request without credentials: %v", c.Name, id.Principals)
			}
		}
	})
	t.Run("HostileRequestsDoNotPanic", func(t *testing.T) {
		for _, c := range hostile() {
			id, ok, err := call(t, s.Policy, c.Request())
			s.checkInvariants(t, c.Name, id, ok, err)
		}
	})
	t.Run("CasesGiveTheExpectedAnswer", func(t *testing.T) {
		for _, c := range s.Cases {
			id, ok, err := call(t, s.Policy, c.Request())
			s.checkInvariants(t, c.Name, id, ok, err)
			if ok != c.Vouch {
				t.Errorf("%s: vouched = %v, want %v (error: %v)", c.Name, ok, c.Vouch, err)
				continue
			}
			if ok && c.Principals != nil && !sameSet(id.Principals, c.Principals) {
				t.Errorf("%s: principals = %q, want %q", c.Name, id.Principals, c.Principals)
			}
		}
	})
	t.Run("BodyStaysReadable", func(t *testing.T) {
		for _, c := range append(s.Cases, hostile()...) {
			want := ReadBody(c.Request())
			r := c.Request()
			call(t, s.Policy, r)
			if r.Body == nil {
				if want != "" {
					t.Errorf("%s: the policy set the body to nil", c.Name)
				}
				continue
			}
			got, err := io.ReadAll(r.Body)
			if err != nil && want != "" {
				t.Errorf("%s: reading the body after Authenticate: %v", c.Name, err)
			}
			if string(got) != want && err == nil {
				t.Errorf("%s: body after Authenticate = %q, want %q", c.Name, got, want)
			}
		}
	})
	t.Run("AnswersAreDeterministicAndConcurrencySafe", func(t *testing.T) {
		cases := append(s.Cases, noCredentials()...)
		want := make([]string, len(cases))
		for i, c := range cases {
			want[i] = summary(call(t, s.Policy, c.Request()))
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		for range 8 {
			for i, c := range cases {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got := summary(call(t, s.Policy, c.Request()))
					if got != want[i] {
						mu.Lock()
						t.Errorf("%s: concurrent answer %s, want %s", c.Name, got, want[i])
						mu.Unlock()
					}
				}()
			}
		}
		wg.Wait()
	})
}

// call runs the policy and turns a panic into a test failure.
func call(t *testing.T, p principals.Policy, r *http.Request) (id principals.Identity, ok bool, err error) {
	t.Helper()
	defer func() {
		if v := recover(); v != nil {
			t.Errorf("Authenticate(%s %s) panicked: %v", r.Method, r.RequestURI, v)
			ok, err = false, nil
		}
	}()
	return p.Authenticate(r)
}

func (s Suite) checkInvariants(t *testing.T, name string, id principals.Identity, ok bool, err error) {
	t.Helper()
	if err != nil {
		var f *principals.Failure
		if !errors.As(err, &f) {
			t.Errorf("%s: error %v (%T) is not a *principals.Failure", name, err, err)
		} else {
			if f.Policy != s.Name {
				t.Errorf("%s: Failure.Policy = %q, want %q", name, f.Policy, s.Name)
			}
			if !slices.Contains(principals.Reasons(), f.Reason) || !errors.Is(err, f.Reason) {
				t.Errorf("%s: Failure.Reason %v is not one of principals.Reasons(), matched by errors.Is", name, f.Reason)
			}
		}
		for _, sec := range s.Secrets {
			if sec != "" && strings.Contains(err.Error(), sec) {
				t.Errorf("%s: error %q shows a secret", name, err)
			}
		}
	}
	shown := fmt.Sprintf("%+v %#v", id, id)
	for _, sec := range s.Secrets {
		if sec != "" && strings.Contains(shown, sec) {
			t.Errorf("%s: Identity %s shows a secret", name, shown)
		}
	}
	if !ok {
		if len(id.Principals) > 0 {
			t.Errorf("%s: not vouched, but Identity holds principals %q", name, id.Principals)
		}
		return
	}
	if id.Policy != s.Name {
		t.Errorf("%s: Identity.Policy = %q, want %q", name, id.Policy, s.Name)
	}
	if len(id.Principals) == 0 {
		t.Errorf("%s: vouched for no principal", name)
	}
	for _, n := range id.Principals {
		if principals.IsReserved(n) && (n != principals.Twilio || s.Name != "twilio") {
			t.Errorf("%s: vouched for the reserved name %q", name, n)
		}
		if n == "" {
			t.Errorf("%s: vouched for an empty name", name)
		}
	}
}

// summary is what must not change between two answers to the same request. A Failure counts by
// its policy and reason, not its hint: hints are best effort, and a policy may skip computing them
// under load (the Twilio policy computes at most principals.HintsPerSecond a second).
func summary(id principals.Identity, ok bool, err error) string {
	names := slices.Clone(id.Principals)
	slices.Sort(names)
	var f *principals.Failure
	if errors.As(err, &f) {
		return fmt.Sprintf("ok=%v principals=%q failure=%s: %s", ok, names, f.Policy, f.Reason.Label())
	}
	return fmt.Sprintf("ok=%v principals=%q err=%v", ok, names, err)
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func noCredentials() []Case {
	form := url.Values{"CallSid": {"CA0123456789abcdef0123456789abcdef"}, "From": {"+15551234567"}, "AccountSid": {"AC0123456789abcdef0123456789abcdef"}}
	return []Case{
		{Name: "bare GET", Request: func() *http.Request { return httptest.NewRequest("GET", "/ivr/welcome", nil) }},
		{Name: "empty POST", Request: func() *http.Request { return httptest.NewRequest("POST", "/ivr/welcome", nil) }},
		{Name: "unsigned Twilio-like form POST", Request: func() *http.Request {
			r := httptest.NewRequest("POST", "https://example.com/ivr/welcome", strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}},
	}
}

type failingBody struct{}

func (failingBody) Read([]byte) (int, error) { return 0, errors.New("connection reset") }
func (failingBody) Close() error             { return nil }

func hostile() []Case {
	return []Case{
		{Name: "nil body, no header map, no RemoteAddr", Request: func() *http.Request {
			return &http.Request{Method: "POST", URL: &url.URL{Path: "/x"}}
		}},
		{Name: "body that fails to read", Request: func() *http.Request {
			r := httptest.NewRequest("POST", "/x", nil)
			r.Body = failingBody{}
			r.ContentLength = -1
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("X-Twilio-Signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
			r.Header.Set("Authorization", "Bearer x")
			return r
		}},
		{Name: "garbage credentials", Request: func() *http.Request {
			r := httptest.NewRequest("POST", "/x?bodySHA256=zz&%zz", strings.NewReader("a=%zz&;;=&&b"))
			r.Header.Set("X-Twilio-Signature", "!!!!")
			r.Header.Set("Authorization", "Bearer \x00\xff")
			r.Header.Set("X-Forwarded-Host", "evil.example/?#")
			r.Header.Set("Content-Type", "application/json; charset=utf-8")
			return r
		}},
		{Name: "repeated credential headers", Request: func() *http.Request {
			r := httptest.NewRequest("GET", "/x", nil)
			r.Header.Add("X-Twilio-Signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
			r.Header.Add("X-Twilio-Signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
			r.Header.Add("Authorization", "Bearer a")
			r.Header.Add("Authorization", "Bearer b")
			return r
		}},
		{Name: "large body", Request: func() *http.Request {
			r := httptest.NewRequest("POST", "/x", strings.NewReader("a="+strings.Repeat("x", 1<<20)))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("X-Twilio-Signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
			r.ContentLength = -1
			return r
		}},
	}
}
