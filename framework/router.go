package framework

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-ivr/switchboard/framework/authz"
	"github.com/switchboard-ivr/switchboard/framework/flow"
	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/twiml"
)

// exchange is what the pipeline learns about one request: who it is, what was decided, how it
// ended. It travels to handlers inside reqContext and is pooled.
type exchange struct {
	reqContext
	st        *state
	auth      principals.Result
	decision  authz.Decision
	decided   bool
	route     *flow.Route   // the flow route served, when one was
	met       *routeMetrics // the series of the route whose handler ran, kept by the handler
	voice     bool          // the route answers TwiML
	sniffs    bool          // the response writer is net/http's own (dispatcher.serve)
	kind      Kind          // the error kind, when err != nil
	err       error
	panicked  bool
	scopes    []string // the PIN scopes the call holds (package callstate), sealed into its URLs
	stateErr  error    // why a state token the request carried grants nothing, for the log
	stateOK   bool     // the request carried a state token sealed for this call and path
	stateData string   // that token's Data: the URL query (call state) it was sealed with
	handsOff  bool     // the answer may hand the call to an agent: seal its state even with no scopes
	pinResult string   // on a pin route: right, wrong, locked…, for the log (never the digits)
	lang      string   // the language the answer speaks, in a flow with several; for the log
	// vars are the call's variables: those its state token carried, then what a fetch or a
	// gather added; sealed into every URL of the answer.
	vars         map[string]string
	fetchBackend string // the backend a fetch on this request asked, for the log
	fetchErr     error  // why that fetch failed, for the log
	// kept: something may hold on to the request's authentication memory past the request (an
	// App.Handle or App.Voice handler, a dynamic route, a panic's value): auth is not released.
	kept bool
	// start is when the request arrived: its latency's start, and the "now" its state tokens
	// are opened and sealed at (one clock reading a request, not one per token).
	start time.Time
}

// reqContext is the echo.Context handlers receive; it reaches the exchange without a map lookup.
type reqContext struct {
	echo.Context
	ex *exchange
}

var exchanges = sync.Pool{New: func() any { ex := new(exchange); ex.reqContext.ex = ex; return ex }}

func exchangeOf(c echo.Context) *exchange { return c.(*reqContext).ex }

// Shared, never-mutated values for the hot path.
var (
	twimlType           = []string{twiml.ContentType}
	xmlDeclaration      = []byte("<?xml ") // how rendered TwiML starts; what http.DetectContentType reads as XML
	errUnauthenticated  = &Error{Op: "authorize", Kind: KindUnauthenticated}
	errForbidden        = &Error{Op: "authorize", Kind: KindForbidden}
	errDenied           = &Error{Op: "authorize", Kind: KindDenied}
	errNotFound         = &Error{Op: "route", Kind: KindNotFound}
	errMethodNotAllowed = &Error{Op: "route", Kind: KindNotFound, Err: errorString("method not allowed")}
	otherMethods        = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}
	errTooLarge         = &Error{Op: "read body", Kind: KindTooLarge}
	errRateLimited      = &Error{Op: "authenticate", Kind: KindRateLimited}
	errReplayed         = &Error{Op: "authenticate", Kind: KindForbidden, Err: errorString("replayed request")}
)

type errorString string

func (e errorString) Error() string { return string(e) }

// newRouter builds the Echo instance of one generation. The whole per-request pipeline is one
// step that the dispatcher runs around every route's handler, and authorization runs inline in
// each route's handler where the route's permission is known.
func (a *App) newRouter(st *state) *dispatcher {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Logger.SetOutput(io.Discard)
	e.HTTPErrorHandler = func(err error, c echo.Context) { // only reached if the pipeline itself failed
		a.log.Error("unhandled error", "error", err)
		if !c.Response().Committed {
			c.Response().WriteHeader(http.StatusInternalServerError)
		}
	}
	d := &dispatcher{e: e, a: a, st: st, flowRoutes: map[string]flowEntry{}}
	for _, r := range st.flow.Routes() {
		met := a.met.forRoute(r.Path)
		h := a.flowHandler(r, met)
		e.Add(http.MethodPost, r.Path, h)
		e.Add(http.MethodGet, r.Path, h)
		if !strings.ContainsAny(r.Path, ":*") {
			d.flowRoutes[r.Path] = flowEntry{path: r.Path, h: h, met: met}
		}
	}
	// The one route count: what Routes lists, /readyz, the start and reload lines, and
	// validate say. /metrics is the 1.
	st.routeCount = len(st.flow.Routes()) + len(a.routes) + 1
	st.voiceRoutes = map[string]bool{}
	methods := map[string][]string{} // path → the methods registered on it
	for _, cr := range a.routes {
		delete(d.flowRoutes, cr.path) // a route registered on a flow route's path goes through Echo
		methods[cr.path] = append(methods[cr.path], cr.method)
		if cr.voice != nil {
			st.voiceRoutes[cr.path] = true
			e.Add(cr.method, cr.path, a.voiceHandler(cr))
		} else {
			e.Add(cr.method, cr.path, a.customHandler(cr))
		}
	}
	// The other methods on a voice route answer the not-found flow, as a wrong method on a flow
	// route does: Echo would otherwise match them to no route and answer JSON.
	for path := range st.voiceRoutes {
		for _, m := range otherMethods {
			if !slices.Contains(methods[path], m) {
				e.Add(m, path, func(echo.Context) error { return errMethodNotAllowed })
			}
		}
	}
	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", func(c echo.Context) error { return c.JSON(a.Readiness()) })
	e.GET("/metrics", a.customHandler(customRoute{method: http.MethodGet, path: "/metrics", permission: "metrics", handler: a.met.handler()}))
	e.RouteNotFound("/*", func(echo.Context) error { return errNotFound })
	return d
}

// dispatcher is Echo's own ServeHTTP with the pipeline called directly around the route's
// handler, where Echo would build a middleware closure per request. A generation uses no Echo
// middleware and no virtual hosts, so nothing else differs.
//
// A GET or POST to a flow route's path, the request Twilio sends on every turn of a call, skips
// Echo's router: flowRoutes holds the static paths of the generation's flow routes (those no
// App.Handle or App.Voice route shares), found with one map lookup on the path Echo would match,
// and the context is given the pattern and handler Find would have set.
type dispatcher struct {
	e          *echo.Echo
	a          *App
	st         *state
	flowRoutes map[string]flowEntry // bounded by the flow's routes; rebuilt with each generation
}

// flowEntry is a flow route's pattern and handler, as Echo's router would find them.
type flowEntry struct {
	path string
	h    echo.HandlerFunc
	met  *routeMetrics // the route's series, which its handler counts in too
}

func (d *dispatcher) ServeHTTP(w http.ResponseWriter, r *http.Request) { d.serve(w, r, false) }

// serve answers r. sniffs says w is net/http's own response writer, which writes the
// Content-Type it sniffs when the handler set none (see writeTwiML): App.Serve says so, since
// its server hands the App its connections' writers unwrapped. A writer of anyone else's (a
// recorder, a middleware's wrapper) may not sniff, and gets every header set.
func (d *dispatcher) serve(w http.ResponseWriter, r *http.Request, sniffs bool) {
	c := d.e.AcquireContext()
	c.Reset(r, w)
	path := echo.GetPath(r)
	var met *routeMetrics
	if fe, ok := d.flowRoutes[path]; ok && (r.Method == http.MethodPost || r.Method == http.MethodGet) {
		c.SetPath(fe.path)
		c.SetHandler(fe.h)
		met = fe.met
	} else {
		d.e.Router().Find(r.Method, path, c)
	}
	if err := d.a.pipeline(d.st, c, c.Handler(), met, sniffs); err != nil {
		d.e.HTTPErrorHandler(err, c)
	}
	d.e.ReleaseContext(c)
}

// pipeline runs around every request: recover, body limit, authentication, then the route
// (which authorizes), then the one place where an error becomes a response, then the log line.
//
// met, when not nil, is the series of the flow route c matched: a request refused before its
// handler runs (rate-limited, too large) counts in them without looking its labels up. sniffs is
// dispatcher.serve's.
func (a *App) pipeline(st *state, c echo.Context, next echo.HandlerFunc, met *routeMetrics, sniffs bool) error {
	ex := exchanges.Get().(*exchange)
	ex.Context, ex.st, ex.met, ex.sniffs = c, st, met, sniffs
	start := time.Now()
	ex.start = start
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			ex.panicked, ex.kept = true, true
			p, stack := panicDetails(p)
			if suppressed, ok := a.lineAllowed(ex); ok { // a request that panics must not flood either
				a.log.Error("panic", "error", clip(fmt.Sprint(p)), "path", clip(c.Request().URL.Path), "stack", string(stack), "lines_not_logged", suppressed)
			}
			a.respondError(ex, &Error{Op: "handler", Kind: KindInternal, Err: fmt.Errorf("panic: %v", p)})
		}
		a.logRequest(ex, start)
		// The principals' memory (the verified form, the names, the body r.Body replays) is
		// reused by a later request unless something may still hold it. Nothing of the pipeline
		// does: static flow routes copy what they keep (flowInput), the log line copies what it
		// logs (logRequest), and the rest (authorization, state tokens, the PIN count's key, the
		// replay key) is computed from it during the request. Handlers of App.Handle and
		// App.Voice, a dynamic route's fetch and renderer, and a panic's value may keep
		// anything: those set kept.
		if !ex.kept {
			ex.auth.Release()
		}
		*ex = exchange{}
		ex.reqContext.ex = ex
		exchanges.Put(ex)
	}()
	r := c.Request()
	ex.voice = st.answersTwiML(r, c.Path())
	if r.ContentLength > a.opts.BodyLimit {
		a.respondError(ex, errTooLarge)
		return nil
	}
	if r.Body != nil && r.Body != http.NoBody && r.ContentLength < 0 {
		// Only a body of unknown length needs the limit: net/http's server never reads a body
		// past its Content-Length, which was checked above.
		r.Body = http.MaxBytesReader(c.Response(), r.Body, a.opts.BodyLimit)
	}
	ex.auth = principals.Authenticate(r, st.policies...)
	if !ex.auth.Principals.Authenticated() && len(ex.failures()) > 0 && !a.limit.allow(r) {
		// Credentials that failed: a forged signature on a voice route, a wrong API key on
		// /calls or /metrics. A request that authenticates is never limited.
		a.respondError(ex, errRateLimited)
		return nil
	}
	if ex.voice && a.opts.State != nil {
		a.openState(ex, r)
	}
	if err := next(&ex.reqContext); err != nil {
		a.respondError(ex, err)
	}
	return nil
}

// answersTwiML reports whether a request's errors answer with an error call flow: a request
// that Twilio may have sent, because it carries X-Twilio-Signature (valid or not), or because it
// is for a voice route — under the flow's base path, or route, the pattern Echo matched, is an
// App.Voice route (whatever the method: a 405 there is TwiML too). Twilio turns anything else
// into its stock "application error", the one thing Switchboard promises never happens.
func (st *state) answersTwiML(r *http.Request, route string) bool {
	if _, signed := r.Header["X-Twilio-Signature"]; signed {
		return true
	}
	return st.isVoicePath(r.URL.Path) || st.voiceRoutes[route]
}

// isVoicePath reports whether path is under the flow's base path.
func (st *state) isVoicePath(path string) bool {
	base := st.flow.BasePath()
	return path == base || strings.HasPrefix(path, base) && len(path) > len(base) && path[len(base)] == '/'
}

// authorize asks the policy whether the request's principals hold permission on route.
func (a *App) authorize(ex *exchange, route, permission string) error {
	ex.decision = ex.st.authz.Decide(ex.auth.Principals.Names(), route, permission)
	ex.decided = true
	if ex.decision.Allowed {
		if ex.voice && a.opts.Replay != nil {
			return a.checkReplay(ex)
		}
		return nil
	}
	if !ex.auth.Principals.Authenticated() {
		return errUnauthenticated
	}
	if ex.decision.Denied {
		return errDenied // an explicit deny line: the denied flow, which connects no one
	}
	return errForbidden
}

// flowHandler serves one compiled flow route: authorize, then copy its pre-rendered TwiML.
func (a *App) flowHandler(rt *flow.Route, met *routeMetrics) echo.HandlerFunc {
	return func(c echo.Context) error {
		ex := exchangeOf(c)
		ex.route, ex.voice, ex.met = rt, true, met
		if err := a.authorize(ex, rt.Path, rt.Permission); err != nil {
			return err
		}
		r := c.Request()
		in := flow.Input{ // from the form the Twilio policy parsed, when it vouched
			Digits:         ex.flowInput(r, "Digits"),
			Speech:         ex.flowInput(r, "SpeechResult"),
			DialCallStatus: ex.flowInput(r, "DialCallStatus"),
			// Called only picks the language (a lookup in languages.by_called) and is sent on
			// every callback: passed without the copy a string kept by the flow would need.
			Called: ex.formValue(r, "Called"),
			Query:  r.URL.RawQuery,
		}
		if a.now != nil { // a clock the program set; without one, only a route with hours reads it
			in.Now = a.now()
		}
		ex.lang = callLanguage(ex.st.flow, in.Query, in.Called)
		if err := rt.CheckState(in.Query); err != nil {
			// A counter the server never emitted: refuse it rather than restart the menu's count.
			return &Error{Op: "call state", Kind: KindNotFound, Err: err}
		}
		if rt.AgentReturn() && !ex.stateOK {
			// Twilio signs whatever URL it was given: only the token proves this server sent
			// this call to the agent, so a replayed or forged return cannot steer another call.
			return &Error{Op: "agent return", Kind: KindForbidden, Err: errors.New("no state token sealed for this call")}
		}
		if err := a.checkCallState(ex, rt, in.Query); err != nil {
			return err
		}
		if rt.AgentReturn() {
			in.SessionStatus = ex.flowInput(r, "SessionStatus")
			in.HandoffData = ex.flowInput(r, "HandoffData")
		}
		ex.handsOff = rt.HandsOff()
		if chk := rt.PIN(); chk != nil {
			res, err := a.checkPIN(ex, chk, in.Digits)
			if err != nil {
				return err
			}
			in.PIN = res
		}
		if rt.SavesInput() {
			a.saveInput(ex, in)
		}
		if !rt.Dynamic() {
			a.writeVoice(ex, rt.Respond(in))
			return nil
		}
		// A dynamic answer hands the call's values (its SID, From, To) to a Fetcher, which may be
		// the operator's own and keep them, and to the flow's renderer: leave the request's
		// memory to the collector (see pipeline).
		ex.kept = true
		if fc := rt.Fetch(); fc != nil {
			in.FetchFailed = !a.fetch(ex, r, fc)
		}
		in.Vars = routeVars(ex, r)
		b, err := rt.Answer(in)
		if err != nil {
			return &Error{Op: "render " + rt.Path, Kind: KindInternal, Err: err}
		}
		a.writeVoice(ex, b)
		return nil
	}
}

// callLanguage returns the language a request to a flow with several languages speaks (a tag the
// compiled flow holds: logging it allocates nothing), or "" in a flow of one.
func callLanguage(fl *flow.Compiled, query, called string) string {
	if len(fl.Languages()) < 2 {
		return ""
	}
	return fl.InLanguage(fl.CallLanguage(query, called)).Language()
}

// voiceHandler serves a route registered with App.Voice, bounded by the handler timeout.
func (a *App) voiceHandler(cr customRoute) echo.HandlerFunc {
	met := a.met.forRoute(cr.path)
	return func(c echo.Context) error {
		ex := exchangeOf(c)
		ex.voice, ex.met = true, met
		if err := a.authorize(ex, cr.path, cr.permission); err != nil {
			return err
		}
		ex.kept = true // the handler gets the form and the principals, and may outlive its deadline
		ex.shareForm(c.Request())
		ctx, cancel := context.WithTimeout(c.Request().Context(), a.opts.HandlerTimeout)
		defer cancel()
		r := c.Request().WithContext(principals.NewContext(ctx, ex.auth.Principals))
		type result struct {
			b   []byte
			err error
		}
		done := make(chan result, 1)
		go func() {
			var res result
			defer func() {
				if p := recover(); p != nil {
					a.log.Error("panic", "error", fmt.Sprint(p), "path", cr.path, "stack", string(debug.Stack()))
					res = result{err: &Error{Op: "handler " + cr.path, Kind: KindInternal, Err: fmt.Errorf("panic: %v", p)}}
				}
				done <- res
			}()
			doc, err := cr.voice(r)
			if err != nil {
				res.err = err
				return
			}
			res.b, res.err = doc.Render()
		}()
		select {
		case res := <-done:
			if res.err != nil {
				return res.err
			}
			a.writeVoice(ex, res.b)
			return nil
		case <-ctx.Done():
			return &Error{Op: "handler " + cr.path, Kind: KindTimeout, Err: ctx.Err()}
		}
	}
}

// customHandler serves a route registered with App.Handle.
func (a *App) customHandler(cr customRoute) echo.HandlerFunc {
	h := http.TimeoutHandler(keepStack(cr.handler), a.opts.HandlerTimeout, `{"title":"handler timeout","status":503}`)
	met := a.met.forRoute(cr.path)
	return func(c echo.Context) error {
		ex := exchangeOf(c)
		ex.met = met
		if err := a.authorize(ex, cr.path, cr.permission); err != nil {
			return err
		}
		ex.kept = true // the handler gets the form and the principals, and may outlive its timeout
		r := c.Request()
		ex.shareForm(r)
		h.ServeHTTP(c.Response(), r.WithContext(principals.NewContext(r.Context(), ex.auth.Principals)))
		return nil
	}
}

// respondError is the one place where an error becomes a response: an error call flow with 200
// and TwiML on voice routes, a JSON problem with the real status elsewhere.
func (a *App) respondError(ex *exchange, err error) {
	kind := kindOf(err)
	if kind == KindNotFound && ex.voice && !ex.auth.Principals.Authenticated() {
		kind = KindUnauthenticated // a forged request learns nothing about which paths exist
	}
	ex.kind, ex.err = kind, err
	w := ex.Response()
	if w.Committed {
		return
	}
	if ex.voice {
		path := ex.Request().URL.Path
		if !ex.auth.Principals.Authenticated() {
			// A stranger hears only flow-level flows, and the same one whatever it was refused
			// for, so that nothing it hears tells which paths are menus or what they hold.
			flowKind := flow.Unauthenticated
			if kind == KindInternal || kind == KindTimeout {
				flowKind = flow.Internal
			}
			a.writeVoice(ex, ex.st.flow.FlowLevelErrorFlow(path, flowKind))
			return
		}
		// The flow in the call's language: the one its URL names (sealed with the rest of the
		// query; a request refused for a token that did not open hears the language it names,
		// which is no privilege), else the called number's, else the default.
		r := ex.Request()
		fl := ex.st.flow
		fl = fl.InLanguage(fl.CallLanguage(r.URL.RawQuery, ex.formValue(r, "Called")))
		if len(ex.st.flow.Languages()) > 1 {
			ex.lang = fl.Language()
		}
		a.writeVoice(ex, fl.ErrorFlow(path, kind.flowKind()))
		return
	}
	writeProblem(w, kind, err)
}

// writeTwiML answers ex with 200 and the TwiML b, served as [twiml.ContentType].
//
// Rendered TwiML starts with the XML declaration, and for such a body net/http's own response
// writer sniffs exactly that type ([http.DetectContentType], about 60 ns) and writes it from a
// field of its own. Setting the header costs two allocations a request instead: the handler's
// header map, then the copy net/http takes of it when the status is written, which was a
// third of everything the server allocated under bench/load.sh. So the header is left to the
// sniffing when ex.sniffs says the writer is net/http's, and set for any other writer or body.
func writeTwiML(ex *exchange, b []byte) {
	w := ex.Response()
	if !ex.sniffs || !bytes.HasPrefix(b, xmlDeclaration) {
		w.Header()["Content-Type"] = twimlType
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// problem is an RFC 9457 problem document.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// WriteError answers a route registered with [App.Handle] with err as a JSON problem (RFC 9457)
// and the status of its [Kind] — the same answer the App gives its own refusals. Pass an
// *[Error] to choose the kind: its Err is shown as the problem's detail for the client errors
// (bad request, not found, too large) and for upstream failures, whose message the handler wrote
// for the operator; never for the others, whose causes stay in the log.
func WriteError(w http.ResponseWriter, err error) {
	writeProblem(w, kindOf(err), err)
}

func writeProblem(w http.ResponseWriter, kind Kind, err error) {
	status := kind.Status()
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	if status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="switchboard"`)
	}
	p := problem{Type: "about:blank", Title: http.StatusText(status), Status: status}
	var fe *Error
	if errors.As(err, &fe) && fe.Err != nil {
		switch fe.Kind {
		case KindBadRequest, KindNotFound, KindTooLarge, KindUpstream:
			p.Detail = fe.Err.Error()
		}
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}
