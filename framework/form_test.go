package framework

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
	"github.com/switchboard-ivr/switchboard/twiml"
)

// The flow reads Digits from the form the Twilio policy verified, and the same answers come
// whether the digits arrive in a POST body, in a signed GET's query, or unchecked with signature
// checking off.
func TestFlowReadsTheDigitsTheTwilioPolicyParsed(t *testing.T) {
	const target = "/ivr/welcome/gather?i=0&n=0"
	signed := newTestApp(t, nil)
	off, _ := hardenedApp(t, principals.TwilioOptions{Disabled: true}, nil)
	post := func(digits string) *http.Request {
		return principalstest.NewPOST(testToken, testHost+target, principalstest.CallParams(otherNumber, "Digits", digits))
	}
	unsigned := func(digits string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, testHost+target, strings.NewReader(principalstest.CallParams(otherNumber, "Digits", digits).Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	get := func(digits string) *http.Request {
		return principalstest.NewGET(testToken, testHost+target+"&"+principalstest.CallParams(otherNumber, "Digits", digits).Encode())
	}
	one, zero := send(signed, post("1")).Body.String(), send(signed, post("0")).Body.String()
	if one == zero {
		t.Fatalf("Digits=1 and Digits=0 answer the same:\n%s", one)
	}
	for _, tc := range []struct {
		name string
		app  http.Handler
		req  func(string) *http.Request
	}{
		{"SignedGET", signed, get},
		{"CheckingOff", off, unsigned},
	} {
		if got := send(tc.app, tc.req("1")).Body.String(); withoutState(got) != withoutState(one) {
			t.Errorf("%s, Digits=1: got\n%s\nwant\n%s", tc.name, got, one)
		}
		if got := send(tc.app, tc.req("0")).Body.String(); withoutState(got) != withoutState(zero) {
			t.Errorf("%s, Digits=0: got\n%s\nwant\n%s", tc.name, got, zero)
		}
	}
}

// Handlers registered with Voice and Handle still get r.PostForm and r.Form as r.ParseForm
// leaves them, from the form the policy verified, and a readable body.
func TestHandlersGetTheVerifiedFormParsed(t *testing.T) {
	app := newTestApp(t, nil)
	params := principalstest.CallParams(otherNumber, "Digits", "2")
	params.Add("Digits", "1")
	body := params.Encode()
	type seen struct {
		post, form url.Values
		body       string
	}
	var got []seen
	record := func(r *http.Request) {
		post, form := r.PostForm, r.Form
		b := principalstest.ReadBody(r)
		got = append(got, seen{post, form, b})
	}
	if err := app.Voice(http.MethodPost, "/ivr/form", "view", func(r *http.Request) (twiml.Response, error) {
		record(r)
		return twiml.Response{Verbs: []twiml.Verb{twiml.Say{Text: "ok"}}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := app.Handle(http.MethodPost, "/ivr/hook", "view", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record(r)
	})); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/ivr/form?retry=1&Digits=9", "/ivr/hook?retry=1&Digits=9"} {
		if w := call(t, app, path, params); w.Code != http.StatusOK {
			t.Fatalf("%s: status %d\n%s", path, w.Code, w.Body)
		}
	}
	if len(got) != 2 {
		t.Fatalf("handlers ran %d times, want 2", len(got))
	}
	wantForm := url.Values{"retry": {"1"}}
	for k, vs := range params {
		wantForm[k] = slices.Clone(vs)
	}
	wantForm["Digits"] = []string{"2", "1", "9"}
	for i, s := range got {
		if !maps.EqualFunc(s.post, params, slices.Equal[[]string]) {
			t.Errorf("handler %d: PostForm = %v, want %v", i, s.post, params)
		}
		if !maps.EqualFunc(s.form, wantForm, slices.Equal[[]string]) {
			t.Errorf("handler %d: Form = %v, want %v", i, s.form, wantForm)
		}
		if s.body != body {
			t.Errorf("handler %d: body = %q, want %q", i, s.body, body)
		}
	}
}

func TestQueryValueAgreesWithParseQuery(t *testing.T) {
	for _, q := range []string{"", "i=0&n=0", "Digits=1&Digits=2", "a;b=1&Digits=3", "Digits;=1&Digits=4", "D%69gits=5", "Digits=%zz&Digits=6", "Digits=a+b%21", "Digits", "&&Digits=&Digits=7", "x=%zz&Digits=8"} {
		want, _ := url.ParseQuery(q)
		if got := queryValue(q, "Digits"); got != want.Get("Digits") {
			t.Errorf("queryValue(%q) = %q, url.ParseQuery gives %q", q, got, want.Get("Digits"))
		}
	}
}
