package framework

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
	"github.com/switchboard-ivr/switchboard/twiml"
)

// The memory of a request's authentication (the verified form, the names, the body r.Body
// replays) serves the next request once the pipeline is done with it (principals.Result.Release).
// These tests hold the pipeline to the contract: what a handler or a log record keeps is never
// overwritten by the requests that follow, and concurrent calls never see each other's values.

// churnCalls serves n gather callbacks from other numbers through app, each answered by the flow.
func churnCalls(t *testing.T, app http.Handler, n int) {
	t.Helper()
	for i := range n {
		params := principalstest.CallParams(fmt.Sprintf("+1555555%04d", 2000+i), "Digits", fmt.Sprint(i%10), "CallSid", fmt.Sprintf("CA%032x", 2000+i))
		if w := call(t, app, "/ivr/welcome/gather?i=0&n=0", params); w.Code != http.StatusOK {
			t.Fatalf("churn call %d: status %d", i, w.Code)
		}
	}
}

// kept is what a handler kept of its request, to be read after it returned.
type kept struct {
	r          *http.Request
	post       url.Values
	principals principals.Set
}

func TestHandlersMayKeepTheFormThePrincipalsAndTheBodyPastTheRequest(t *testing.T) {
	app := newTestApp(t, nil)
	var got []kept
	keep := func(r *http.Request) {
		set, _ := principals.FromContext(r.Context())
		got = append(got, kept{r: r, post: r.PostForm, principals: set})
	}
	if err := app.Voice(http.MethodPost, "/ivr/form", "view", func(r *http.Request) (twiml.Response, error) {
		keep(r)
		return twiml.Response{Verbs: []twiml.Verb{twiml.Say{Text: "ok"}}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := app.Handle(http.MethodPost, "/ivr/hook", "view", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { keep(r) })); err != nil {
		t.Fatal(err)
	}
	params := principalstest.CallParams(otherNumber, "Digits", "12", "SpeechResult", "two+words")
	for _, path := range []string{"/ivr/form", "/ivr/hook"} {
		if w := call(t, app, path, params); w.Code != http.StatusOK {
			t.Fatalf("%s: status %d\n%s", path, w.Code, w.Body)
		}
	}
	before := make([][]string, len(got))
	for i, k := range got {
		before[i] = slices.Clone(k.principals.Names())
	}
	churnCalls(t, app, 50)
	if len(got) != 2 {
		t.Fatalf("handlers ran %d times, want 2", len(got))
	}
	for i, k := range got {
		if k.post.Get("Digits") != "12" || k.post.Get("SpeechResult") != "two+words" || k.post.Get("From") != otherNumber {
			t.Errorf("handler %d kept PostForm %v; after other calls it changed", i, k.post)
		}
		if !slices.Equal(k.principals.Names(), before[i]) || !k.principals.Has(principals.Caller(otherNumber)) {
			t.Errorf("handler %d kept principals %v, had %v", i, k.principals.Names(), before[i])
		}
		if body := principalstest.ReadBody(k.r); body != params.Encode() {
			t.Errorf("handler %d: the body read after other calls is %q, want %q", i, body, params.Encode())
		}
	}
}

// keepingHandler is a slog.Handler that keeps every record to format later, as a handler that
// batches its output does.
type keepingHandler struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *keepingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *keepingHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *keepingHandler) WithGroup(string) slog.Handler            { return h }
func (h *keepingHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, r.Clone())
	return nil
}

// format renders record i's attributes.
func (h *keepingHandler) format(i int) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var b strings.Builder
	h.records[i].Attrs(func(a slog.Attr) bool {
		if a.Key != "latency" {
			fmt.Fprintf(&b, "%s=%v ", a.Key, a.Value)
		}
		return true
	})
	return b.String()
}

func TestALogRecordKeptByTheHandlerOutlivesItsRequest(t *testing.T) {
	h := &keepingHandler{}
	app := newTestApp(t, &Options{Logger: slog.New(h), LogPhoneNumbers: true})
	params := principalstest.CallParams(staffNumber, "Digits", "1", "CallSid", "CA00000000000000000000000000000abc")
	if w := call(t, app, "/ivr/welcome/gather?i=0&n=0", params); w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	first := h.format(0)
	for _, want := range []string{"call_sid=CA00000000000000000000000000000abc", "caller:" + staffNumber, "digits=1"} {
		if !strings.Contains(first, want) {
			t.Fatalf("the request line %q lacks %q", first, want)
		}
	}
	churnCalls(t, app, 50)
	if again := h.format(0); again != first {
		t.Errorf("a kept log record changed after other calls:\nwas %s\nnow %s", first, again)
	}
}

func TestConcurrentCallsEachHearTheirOwnAnswer(t *testing.T) {
	app := newTestApp(t, &Options{Logger: slog.New(slog.DiscardHandler)})
	const target = "/ivr/welcome/gather?i=0&n=0"
	answer := map[string]string{}
	for _, d := range []string{"0", "1", "7"} {
		answer[d] = withoutState(call(t, app, target, principalstest.CallParams(otherNumber, "Digits", d)).Body.String())
	}
	if answer["0"] == answer["1"] || answer["1"] == answer["7"] {
		t.Fatalf("the digits do not answer differently: %v", answer)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				d := []string{"0", "1", "7"}[(g+i)%3]
				from := fmt.Sprintf("+1555555%04d", g*1000+i)
				r := principalstest.NewPOST(testToken, testHost+target, principalstest.CallParams(from, "Digits", d))
				if got := withoutState(send(app, r).Body.String()); got != answer[d] {
					errs <- fmt.Sprintf("goroutine %d, call %d, Digits=%s: got\n%s\nwant\n%s", g, i, d, got, answer[d])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
