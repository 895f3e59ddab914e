// Package outboundtest is a stand-in for Twilio's REST API on loopback, for tests of the programs
// that start calls through package outbound.
package outboundtest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
)

// CallSID is the SID of the call every request to the stand-in starts.
const CallSID = "CA00000000000000000000000000000001"

// Request is one request the stand-in received.
type Request struct {
	Method, Path string     // "POST", "/2010-04-01/Accounts/AC…/Calls.json"
	User         string     // the basic-auth user: the account SID or API key
	Form         url.Values // the form body
}

// Twilio answers every request 201 with a queued call, as Twilio's Calls resource does, and
// records it. Point outbound.Options.BaseURL at its URL. It stops when the test ends.
type Twilio struct {
	*httptest.Server
	mu  sync.Mutex
	got []Request
}

// NewTwilio starts a stand-in on 127.0.0.1.
func NewTwilio(t testing.TB) *Twilio {
	t.Helper()
	tw := &Twilio{}
	tw.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		user, _, _ := r.BasicAuth()
		tw.mu.Lock()
		tw.got = append(tw.got, Request{Method: r.Method, Path: r.URL.Path, User: user, Form: form})
		tw.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"sid": "`+CallSID+`", "status": "queued"}`)
	}))
	t.Cleanup(tw.Close)
	return tw
}

// Requests returns the requests received so far, in order.
func (tw *Twilio) Requests() []Request {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	return slices.Clone(tw.got)
}
