package callbacks_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
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

const scrapeKey = "monitoring-key-0123456789abcdef0123"

func newApp(t *testing.T, c *crm, opts *callbacks.Options) (http.Handler, *callbacks.Receiver) {
	t.Helper()
	tw, err := principals.NewTwilio(principals.TwilioOptions{Tokens: []principals.Secret{principals.NewSecret(token)}, PublicURL: public})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := principals.ParseAPIKeys("keys", strings.NewReader("prom "+principals.HashAPIKey(scrapeKey)+" monitoring\n"))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	policy, err := os.ReadFile("../policy.csv") // the default policy grants Twilio "callback"
	if err != nil {
		t.Fatal(err)
	}
	app, err := framework.New(&framework.Options{
		Flow:     framework.Text("flow.yaml", "version: 1\nstart: a\nmenus:\n  a: {say: Hi., hangup: true}\n"),
		Policy:   framework.Text("policy.csv", string(policy)),
		Policies: []principals.Policy{tw, keys},
		Logger:   log,
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := backend.New(backend.Options{URL: c.start(t), Key: principals.NewSecret(bkey)})
	if err != nil {
		t.Fatal(err)
	}
	o := callbacks.Options{Backoff: time.Millisecond, Hold: 10 * time.Second}
	if opts != nil {
		o = *opts
	}
	o.Deliver, o.Logger = b, log
	rc := callbacks.New(&o)
	if err := rc.Register(app); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { rc.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return app, rc
}

// scrape returns the App's /metrics, as a monitoring key reads them.
func scrape(t *testing.T, h http.Handler) string {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, public+"/metrics", nil)
	r.Header.Set("Authorization", "Bearer "+scrapeKey)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", w.Code, w.Body)
	}
	return w.Body.String()
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
	h, _ := newApp(t, c, nil)
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
	h, _ := newApp(t, c, nil)
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
	h, _ := newApp(t, c, nil)
	r := httptest.NewRequest(http.MethodPost, public+"/callbacks/recording", nil)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusUnauthorized {
		t.Errorf("an unsigned callback: %d, want 401", w.Code)
	}
}

// status sends a status callback of call sid numbered seq.
func status(t *testing.T, h http.Handler, sid string, seq int, callStatus string) {
	t.Helper()
	send(t, h, "status", url.Values{"CallSid": {sid}, "AccountSid": {"AC1"}, "SequenceNumber": {strconv.Itoa(seq)}, "CallStatus": {callStatus}})
}

// sequence returns the SequenceNumbers the backend received for call sid, in arrival order.
func (c *crm) sequence(sid string) []string {
	var out []string
	for _, ev := range c.events() {
		if ev.CallSID == sid {
			out = append(out, ev.Fields["SequenceNumber"])
		}
	}
	return out
}

func TestStatusEventsReachTheBackendInSequenceOrderWhateverOrderTheyArrive(t *testing.T) {
	c := &crm{}
	h, _ := newApp(t, c, &callbacks.Options{Backoff: time.Millisecond, Hold: time.Minute}) // no gap outlives this test
	// Twilio's four events of two calls, interleaved and each call's out of order.
	status(t, h, "CA10", 2, "answered")
	status(t, h, "CA20", 1, "ringing")
	status(t, h, "CA10", 0, "initiated") // releases 0; 2 still waits for 1
	status(t, h, "CA10", 3, "completed")
	status(t, h, "CA20", 0, "initiated") // releases 0 and 1
	status(t, h, "CA10", 1, "ringing")   // releases 1, 2 and 3
	status(t, h, "CA10", 2, "answered")  // Twilio's retry: repeated
	waitFor(t, func() bool { return len(c.events()) >= 6 })
	if got := strings.Join(c.sequence("CA10"), ","); got != "0,1,2,3" {
		t.Errorf("CA10 delivered in order %s, want 0,1,2,3", got)
	}
	if got := strings.Join(c.sequence("CA20"), ","); got != "0,1" {
		t.Errorf("CA20 delivered in order %s, want 0,1", got)
	}
}

func TestAGapIsGivenUpAfterHoldAndTheLateEventIsNotDelivered(t *testing.T) {
	c := &crm{}
	h, _ := newApp(t, c, &callbacks.Options{Backoff: time.Millisecond, Hold: 20 * time.Millisecond})
	status(t, h, "CA30", 0, "initiated")
	status(t, h, "CA30", 2, "answered") // 1 is missing: 2 waits for it, then goes without it
	waitFor(t, func() bool { return len(c.events()) == 2 })
	status(t, h, "CA30", 1, "ringing") // older than the answered already delivered
	status(t, h, "CA30", 3, "completed")
	waitFor(t, func() bool { return len(c.events()) == 3 })
	if got := strings.Join(c.sequence("CA30"), ","); got != "0,2,3" {
		t.Errorf("delivered %s, want 0,2,3 (1 came after 2 was delivered)", got)
	}
	m := scrape(t, h)
	for _, want := range []string{
		`switchboard_callbacks_total{kind="status",outcome="delivered"} 3`,
		`switchboard_callbacks_total{kind="status",outcome="stale"} 1`,
		`switchboard_callback_status_held 0`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestMetricsHaveARowPerKindAndOutcome(t *testing.T) {
	c := &crm{failFirst: 100} // the backend refuses everything
	h, _ := newApp(t, c, &callbacks.Options{Backoff: time.Millisecond, Attempts: 2})
	rec := url.Values{"CallSid": {"CA40"}, "RecordingSid": {"RE40"}, "RecordingStatus": {"completed"}}
	send(t, h, "recording", rec)
	send(t, h, "recording", rec)
	waitFor(t, func() bool {
		return strings.Contains(scrape(t, h), `switchboard_callbacks_total{kind="recording",outcome="failed"} 1`)
	})
	m := scrape(t, h)
	for _, want := range []string{
		`switchboard_callbacks_total{kind="recording",outcome="repeated"} 1`,
		`switchboard_callbacks_total{kind="recording",outcome="delivered"} 0`,
		`switchboard_callbacks_total{kind="transcription",outcome="dropped"} 0`,
		`switchboard_callbacks_total{kind="status",outcome="logged"} 0`,
		`switchboard_callback_queue_depth 0`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if n := strings.Count(m, "switchboard_callbacks_total{"); n != 18 {
		t.Errorf("%d rows of switchboard_callbacks_total, want 18 (3 kinds × 6 outcomes)", n)
	}
}

// With no backend (serve --callbacks log), the log line of a recording says where the voicemail
// is and how long it runs, or nobody would ever hear it; it never carries a transcription's text.
func TestALoggedRecordingSaysWhereTheVoicemailIs(t *testing.T) {
	tw, err := principals.NewTwilio(principals.TwilioOptions{Tokens: []principals.Secret{principals.NewSecret(token)}, PublicURL: public})
	if err != nil {
		t.Fatal(err)
	}
	policy, err := os.ReadFile("../policy.csv")
	if err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logged}, nil))
	app, err := framework.New(&framework.Options{
		Flow:     framework.Text("flow.yaml", "version: 1\nstart: a\nmenus:\n  a: {say: Hi., hangup: true}\n"),
		Policy:   framework.Text("policy.csv", string(policy)),
		Policies: []principals.Policy{tw},
		Logger:   slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := callbacks.New(&callbacks.Options{Logger: log}).Register(app); err != nil {
		t.Fatal(err)
	}
	send(t, app, "recording", url.Values{
		"CallSid": {"CA1"}, "AccountSid": {"AC1"}, "RecordingSid": {"RE1"}, "RecordingStatus": {"completed"},
		"RecordingUrl": {"https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"}, "RecordingDuration": {"17"},
	})
	send(t, app, "transcription", url.Values{
		"CallSid": {"CA1"}, "AccountSid": {"AC1"}, "TranscriptionSid": {"TR1"}, "TranscriptionStatus": {"completed"},
		"TranscriptionText": {"please call me back"}, "RecordingSid": {"RE1"},
	})
	mu.Lock()
	out := logged.String()
	mu.Unlock()
	if !strings.Contains(out, "kind=recording call_sid=CA1 status=completed recording_url=https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1 duration=17") {
		t.Errorf("the recording's log line does not say where it is:\n%s", out)
	}
	if strings.Contains(out, "please call me back") {
		t.Errorf("a transcription's text was logged:\n%s", out)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
