package framework

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/switchboard-ivr/switchboard/internal/budget"

	"github.com/switchboard-ivr/switchboard/principals"
)

// logRequest writes the one log line of a request and counts it in the metrics. Phone numbers
// are masked unless Options.LogPhoneNumbers; digits gathered on sensitive nodes are never logged.
//
// Every value it logs from the request's authentication (the call SID, the principals, the
// digits) is a copy: that memory is reused once the request is answered, and a slog.Handler may
// keep a record past the call to Handle.
func (a *App) logRequest(ex *exchange, start time.Time) {
	r, w := ex.Request(), ex.Response()
	elapsed := time.Since(start)
	route := ex.Path()
	if route == "" || route == "/*" {
		route = "unmatched"
	}
	outcome := "ok"
	if ex.err != nil {
		outcome = ex.kind.String()
	}
	a.met.observe(ex.met, route, outcome, ex.voice, ex.err != nil, elapsed)
	failures := ex.failures()
	for _, f := range failures {
		a.met.signatureFailure(f)
	}

	level := slog.LevelInfo
	switch {
	case ex.err != nil && (ex.kind == KindInternal || ex.kind == KindTimeout):
		level = slog.LevelError
	case ex.err != nil || len(failures) > 0 || ex.fetchErr != nil:
		level = slog.LevelWarn
	}
	ctx := r.Context()
	if !a.log.Enabled(ctx, level) {
		return
	}
	suppressed, ok := a.lineAllowed(ex)
	if !ok {
		return
	}
	attrs := make([]slog.Attr, 0, 15)
	attrs = append(attrs,
		slog.String("method", r.Method),
		slog.String("path", clip(r.URL.Path)),
		slog.String("route", route),
		slog.Int("status", w.Status),
		slog.Duration("latency", elapsed),
	)
	if sid := a.callSID(ex); sid != "" {
		attrs = append(attrs, slog.String("call_sid", detach(sid)))
	}
	names := ex.auth.Principals.Names()
	if !a.opts.LogPhoneNumbers {
		names = ex.auth.Principals.Masked()
	}
	attrs = append(attrs, slog.Any("principals", detachAll(names)))
	if ex.decided {
		verdict := "deny"
		if ex.decision.Allowed {
			verdict = "allow"
		}
		attrs = append(attrs, slog.String("decision", verdict), slog.String("reason", ex.decision.Reason()))
	}
	if len(failures) > 0 {
		reasons := make([]string, len(failures))
		for i, f := range failures {
			reasons[i] = f.Error()
		}
		attrs = append(attrs, slog.String("auth_failure", clip(strings.Join(reasons, "; "))))
	}
	for _, id := range ex.auth.Identities {
		if id.Unverified {
			attrs = append(attrs, slog.String("signature_check", "OFF (TWILIO_VALIDATE_SIGNATURE=false): this request was not verified"))
		}
	}
	if ex.lang != "" {
		attrs = append(attrs, slog.String("language", ex.lang))
	}
	if ex.pinResult != "" {
		attrs = append(attrs, slog.String("pin", ex.pinResult))
	}
	if ex.stateErr != nil {
		attrs = append(attrs, slog.String("state_token", ex.stateErr.Error()))
	}
	if ex.fetchBackend != "" {
		attrs = append(attrs, slog.String("fetch", ex.fetchBackend))
		if ex.fetchErr != nil {
			attrs = append(attrs, slog.String("fetch_error", clip(ex.fetchErr.Error())))
		}
	}
	if ex.err != nil {
		attrs = append(attrs, slog.String("error", clip(ex.err.Error())))
		if ex.voice {
			attrs = append(attrs, slog.String("error_flow", ex.kind.flowKind().String()))
		}
	}
	if ex.route != nil {
		if d := ex.postedDigits(r); d != "" {
			if ex.route.Sensitive {
				d = "REDACTED"
			}
			attrs = append(attrs, slog.String("digits", detach(clip(d))))
		}
	}
	if suppressed > 0 {
		attrs = append(attrs, slog.Int64("lines_not_logged", suppressed))
	}
	a.log.LogAttrs(ctx, level, "request", attrs...)
}

// unauthenticatedLinesPerSecond bounds the log lines of requests that did not authenticate — not
// found, bad request, too large, rate limited, forged or unsigned — with a burst of twice as
// many: anyone on the internet can send those, and each must not cost a line. The next line
// that is written says how many were not (lines_not_logged); the metrics count every request.
// A request that authenticated is always logged.
const unauthenticatedLinesPerSecond = 10

// lineAllowed reports whether the request of ex may write its log lines and, when it may, how
// many lines the budget refused since the last one written.
func (a *App) lineAllowed(ex *exchange) (suppressed int64, ok bool) {
	if ex.auth.Principals.Authenticated() {
		return 0, true
	}
	suppressed = a.met.unauthLines.take(ex.start.UnixNano()) // the request's one clock reading
	return suppressed, suppressed >= 0
}

// lineBudget admits unauthenticatedLinesPerSecond lines a second and counts the lines it refuses.
type lineBudget struct {
	cells   budget.Budget
	refused atomic.Int64
}

// take returns -1 when the line must not be written, else how many were refused since the last
// one written.
func (b *lineBudget) take(now int64) int64 {
	if !b.cells.Allow(now) {
		b.refused.Add(1)
		return -1
	}
	return b.refused.Swap(0)
}

// maxFieldBytes caps each logged field whose text comes from the request (the path, failure
// reasons and hints, error text, digits), so that a line costs at most a few KiB whatever the
// request held: a 30 KB path logs its first maxFieldBytes bytes and how many it left out.
const maxFieldBytes = 256

// clip returns s cut to maxFieldBytes (on a UTF-8 boundary) with a note of the bytes left out.
func clip(s string) string {
	if len(s) <= maxFieldBytes {
		return s
	}
	cut := maxFieldBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…(" + strconv.Itoa(len(s)-cut) + " more bytes)"
}

// postedDigits returns the Digits of the form body, for the log: from the form the Twilio policy
// parsed when it vouched, else parsed here. The policy parses nothing into r.PostForm, and a
// forged request is cheap only because nothing else does: one that gets logged pays for its own
// parse.
func (ex *exchange) postedDigits(r *http.Request) string {
	if id, ok := ex.twilioIdentity(); ok {
		return id.Form.Get("Digits")
	}
	if r.PostForm == nil && r.Method == http.MethodPost {
		_ = r.ParseForm()
	}
	return r.PostForm.Get("Digits")
}

// callSID returns the CallSid of a verified request, for the log.
func (a *App) callSID(ex *exchange) string {
	for _, id := range ex.auth.Identities {
		if id.CallSID != "" {
			return id.CallSID
		}
	}
	return ""
}

// failures returns the authentication failures worth a log line: on a route that is not a voice
// route, a request without a Twilio signature is normal (an operator's key, a health check).
func (ex *exchange) failures() []error {
	if ex.voice {
		return ex.auth.Failures
	}
	var out []error
	for _, err := range ex.auth.Failures {
		if errors.Is(err, principals.ErrMissingSignature) {
			continue
		}
		out = append(out, err)
	}
	return out
}
