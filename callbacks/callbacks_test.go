package callbacks_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	twclient "github.com/twilio/twilio-go/client"

	"github.com/switchboard-ivr/switchboard/backend"
	"github.com/switchboard-ivr/switchboard/callbacks"
	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

const (
	token  = "0123456789abcdef0123456789abcdef"
	bkey   = "backend-key-0123456789abcdef0123"
	public = "https://ivr.example.com"
)

// crm is the operator's backend on loopback: it fails the first failFirst deliveries with 500,
// then records each event it accepts.
type crm struct {
	mu        sync.Mutex
	failFirst int
	tries     int
	got       []callbacks.Event
}

func (c *crm) start(t *testing.T) string {
	v := twclient.NewRequestValidator(bkey)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !v.ValidateBody("http://"+r.Host+r.URL.RequestURI(), body, r.Header.Get("X-Twilio-Signature")) {
			t.Error("a delivery's signature does not validate with twilio-go")
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		c.tries++
		if c.tries <= c.failFirst {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		var ev callbacks.Event
		if err := json.Unmarshal(body, &ev); err != nil {
			t.Errorf("delivery %s: %v", body, err)
		}
		c.got = append(c.got, ev)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/hooks/twilio"
}

func (c *crm) events() []callbacks.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]callbacks.Event(nil), c.got...)
}

func newApp(t *testing.T, c *crm) (http.Handler, *callbacks.Receiver) {
	t.Helper()
	tw, err := principals.NewTwilio(principals.TwilioOptions{Tokens: []principals.Secret{principals.NewSecret(token)}, PublicURL: public})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	app, err := framework.New(&framework.Options{
		Flow:     framework.Text("flow.yaml", "version: 1\nstart: a\nmenus:\n  a: {say: Hi., hangup: true}\n"),
		Policy:   framework.Text("policy.csv", "p, twilio, /ivr/*, view, allow\np, twilio, /callbacks/*, callback, allow\n"),
		Policies: []principals.Policy{tw},
		Logger:   log,
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := backend.New(backend.Options{URL: c.start(t), Key: principals.NewSecret(bkey)})
	if err != nil {
		t.Fatal(err)
	}
	rc := callbacks.New(&callbacks.Options{Deliver: b, Backoff: time.Millisecond, Logger: log})
	if err := rc.Register(app); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { rc.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return app, rc
}

func send(t *testing.T, h http.Handler, kind string, form url.Values) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, principalstest.NewPOST(token, public+"/callbacks/"+kind, form))
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("callback %s: %d %q, want an empty 200", kind, w.Code, w.Body)
	}
}

// waitFor polls until cond holds; the deadline only bounds a broken test, it measures nothing.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("gave up waiting")
		}
	}
}

func TestARecordingCallbackIsDeliveredOnceThoughTwilioRetriesIt(t *testing.T) {
	c := &crm{failFirst: 1} // the backend fails once: the receiver retries
	h, _ := newApp(t, c)
	form := url.Values{
		"CallSid": {"CA1"}, "AccountSid": {"AC1"}, "From": {"+15555550142"},
		"RecordingSid": {"RE1"}, "RecordingUrl": {"https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"},
		"RecordingStatus": {"completed"}, "RecordingDuration": {"17"},
	}
	send(t, h, "recording", form)
	send(t, h, "recording", form) // Twilio's retry of the same event
	waitFor(t, func() bool { return len(c.events()) >= 1 })
	// A third, later retry must not be delivered either.
	send(t, h, "recording", form)
	time.Sleep(50 * time.Millisecond) // let a wrong second delivery arrive, if there were one
	got := c.events()
	if len(got) != 1 {
		t.Fatalf("the backend received %d events, want 1: %+v", len(got), got)
	}
	if ev := got[0]; ev.Kind != callbacks.Recording || ev.CallSID != "CA1" || ev.Fields["RecordingUrl"] == "" || ev.Fields["RecordingDuration"] != "17" {
		t.Errorf("delivered %+v", ev)
	}
}

func TestStatusEventsAreToldApartBySequenceNumber(t *testing.T) {
	c := &crm{}
	h, _ := newApp(t, c)
	for _, seq := range []string{"0", "1", "1", "0"} {
		status := map[string]string{"0": "ringing", "1": "completed"}[seq]
		send(t, h, "status", url.Values{"CallSid": {"CA2"}, "SequenceNumber": {seq}, "CallStatus": {status}})
	}
	waitFor(t, func() bool { return len(c.events()) >= 2 })
	time.Sleep(50 * time.Millisecond)
	if got := c.events(); len(got) != 2 {
		t.Errorf("the backend received %d events, want 2 (ringing, completed): %+v", len(got), got)
	}
}

func TestAnUnsignedCallbackIsRefused(t *testing.T) {
	c := &crm{}
	h, _ := newApp(t, c)
	r := httptest.NewRequest(http.MethodPost, public+"/callbacks/recording", nil)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusUnauthorized {
		t.Errorf("an unsigned callback: %d, want 401", w.Code)
	}
}
