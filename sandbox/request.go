package sandbox

import (
	"bytes"
	"context"
	"github.com/switchboard-ivr/switchboard/framework"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/switchboard-ivr/switchboard/caller"
	"github.com/switchboard-ivr/switchboard/framework/flow"
)

// A Result is one call placed by [Sandbox.Call]: what the caller heard, and what the server did.
type Result struct {
	caller.Transcript
	// Requests are the requests the call made, in order, as the server saw them.
	Requests []Request
}

// Node returns the node of the last request a route of the flow answered, or "" when none did:
// where the call was when it ended.
func (r Result) Node() string {
	for i := len(r.Requests) - 1; i >= 0; i-- {
		if n := r.Requests[i].Node; n != "" {
			return n
		}
	}
	return ""
}

// A Request is one request of a call, as the server saw and answered it.
type Request struct {
	Method string
	Path   string // the URL path, such as "/ivr/welcome/gather"
	Query  string // the raw query, which carries a gather's retry counts
	Status int    // the HTTP status answered

	// Node is the flow node whose route was requested, or "" for a path that is no route of the
	// flow (a custom route, or one that is not found).
	Node string
	// Digits and Speech are the Digits and SpeechResult the request carried.
	Digits, Speech string
	// Option is the key of the gather option the caller's digits or words chose (synonyms
	// included), when the request went to a gather route and the flow answered it with that
	// option; "" for an invalid choice, a silence, a navigation key, or any other route.
	Option string
	// ErrorFlow is the kind of error flow the caller heard instead, such as "forbidden" or
	// "not_found" (see flow.ErrorKind); "" when the request was answered without one.
	ErrorFlow string
	// Decision and Reason are the authorization decision ("allow" or "deny") and the policy line
	// behind it; empty when the request never reached authorization.
	Decision, Reason string
	// Body is the TwiML answered, up to 64 KiB (Twilio's limit for a document).
	Body []byte
}

// observer serves the App and files each request under the call whose CallSid it carries.
type observer struct{ s *Sandbox }

// bodyLimit bounds what observer reads of a request body to find its CallSid, and what it keeps
// of a response. The App refuses bodies over its own limit (64 KiB) anyway; what observer read
// is handed back to it, so the App sees the body as sent.
const bodyLimit = 64 << 10

type requestKey struct{}

func (o *observer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	form := r.URL.Query()
	if r.Method == http.MethodPost && r.Body != nil {
		head, _ := io.ReadAll(io.LimitReader(r.Body, bodyLimit))
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(head), r.Body), r.Body}
		if posted, err := url.ParseQuery(string(head)); err == nil {
			for k, v := range posted {
				form[k] = append(form[k], v...)
			}
		}
	}
	rec := o.s.recordingOf(form.Get("CallSid"))
	if rec == nil {
		o.s.app.ServeHTTP(w, r)
		return
	}
	req := &Request{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Digits: form.Get("Digits"), Speech: form.Get("SpeechResult"),
	}
	tw := &teeWriter{ResponseWriter: w, status: http.StatusOK}
	o.s.app.ServeHTTP(tw, r.WithContext(context.WithValue(r.Context(), requestKey{}, req)))
	req.Status, req.Body = tw.status, tw.body.Bytes()
	if rt := o.s.app.Flow().Route(req.Path); rt != nil {
		req.Node = rt.Node
		if req.ErrorFlow == "" {
			req.Option = o.option(rt, req)
		}
	}
	rec.add(*req)
}

// option returns the key of the option of rt's gather that req chose, found by asking the
// route what each option answers and comparing it with what req heard; "" when none.
func (o *observer) option(rt *flow.Route, req *Request) string {
	if !strings.HasSuffix(rt.Path, "/gather") || req.Digits == "" && strings.TrimSpace(req.Speech) == "" {
		return ""
	}
	for _, e := range o.s.app.Flow().Edges() {
		if e.From.Node() != rt.Node || e.Kind != flow.EdgeOption {
			continue
		}
		if req.Digits != "" {
			if req.Digits == e.Label {
				return e.Label
			}
			continue
		}
		in := flow.Input{Query: req.Query, Speech: e.Label}
		if isDigits(e.Label) {
			in = flow.Input{Query: req.Query, Digits: e.Label}
		}
		if bytes.Equal(rt.Respond(in), stateTokens.ReplaceAll(req.Body, nil)) {
			return e.Label
		}
	}
	return ""
}

// stateTokens matches the state token the App appends to each callback URL of a call
// (framework.StateParam), which the compiled bytes of a route do not hold.
var stateTokens = regexp.MustCompile(`(\?|&amp;)` + framework.StateParam + `=[A-Za-z0-9_-]+`)

func isDigits(s string) bool { return s != "" && strings.Trim(s, "0123456789*#") == "" }

// teeWriter keeps the status and up to bodyLimit bytes of what the App writes.
type teeWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func (t *teeWriter) WriteHeader(code int) {
	if !t.wroteHeader {
		t.status, t.wroteHeader = code, true
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *teeWriter) Write(b []byte) (int, error) {
	t.wroteHeader = true
	if room := bodyLimit - t.body.Len(); room > 0 {
		t.body.Write(b[:min(len(b), room)])
	}
	return t.ResponseWriter.Write(b)
}

func (t *teeWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// logTap reads the App's one line per request (see the framework's README section on logs) for
// the decision and the error flow, into the Request its context carries, and passes every
// record on to next.
type logTap struct {
	next slog.Handler
}

func (l logTap) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= slog.LevelInfo || l.next.Enabled(ctx, level)
}

func (l logTap) Handle(ctx context.Context, rec slog.Record) error {
	if req, ok := ctx.Value(requestKey{}).(*Request); ok && rec.Message == "request" {
		rec.Attrs(func(a slog.Attr) bool {
			switch a.Key {
			case "error_flow":
				req.ErrorFlow = a.Value.String()
			case "decision":
				req.Decision = a.Value.String()
			case "reason":
				req.Reason = a.Value.String()
			}
			return true
		})
	}
	if !l.next.Enabled(ctx, rec.Level) {
		return nil
	}
	return l.next.Handle(ctx, rec)
}

func (l logTap) WithAttrs(attrs []slog.Attr) slog.Handler {
	return logTap{next: l.next.WithAttrs(attrs)}
}

func (l logTap) WithGroup(name string) slog.Handler { return logTap{next: l.next.WithGroup(name)} }
