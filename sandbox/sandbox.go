package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-ivr/switchboard/caller"
	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/framework/flow"
	"github.com/switchboard-ivr/switchboard/internal/didyoumean"
	"github.com/switchboard-ivr/switchboard/principals"
)

// Options configures a [Sandbox]. Every field is optional; the zero Options serves the embedded
// demo flow under the embedded model and policy.
type Options struct {
	// Flow is the flow to serve: framework.File("menu.yaml"), or framework.Value(f) for one
	// built in Go. Optional; the embedded demo flow.
	Flow framework.FlowSource
	// Policy and Model are the Casbin policy and model (see [framework.Options]). Optional; the
	// embedded ones.
	Policy framework.PolicySource
	Model  framework.ModelSource
	// PINs are the PIN secrets of the flow's pin nodes (see [framework.Options]). Optional; the
	// demo's when Flow is nil too.
	PINs framework.PINSource
	// Now is the clock business hours are decided on. Optional; time.Now.
	Now func() time.Time
	// Logger receives the server's log, one line a request. Optional; discarded.
	Logger *slog.Logger
	// Backends answer the flow's fetches by backend name, such as a [Stub]. Optional; a
	// backend not named here fails every fetch (its on_error): a sandbox has no key to sign a
	// real backend's requests with, and calls none. A name the flow does not declare under
	// backends is an error from [New] (a misspelt stub would otherwise leave the real name
	// failing every fetch, silently).
	Backends map[string]framework.Fetcher
	// Env looks up the environment variables the flow's backend URLs name. Optional; [Getenv].
	Env func(name string) string
	// Setup runs once on the App before New returns, to add a program's own routes with
	// [framework.App.Voice] and [framework.App.Handle], such as stubs of the backends they call.
	// Optional.
	Setup func(*framework.App) error
}

// A Sandbox is a [framework.App] serving one flow with a Twilio signature policy whose token
// only this Sandbox knows, so that a simulated call signed with [Sandbox.Token] is a verified
// call, exactly as one from Twilio would be, and nothing else is. It is safe for concurrent use:
// many calls may run at once. It holds no listener unless [Sandbox.Listen] opens one.
type Sandbox struct {
	app     *framework.App
	token   principals.Secret
	handler http.Handler

	mu sync.Mutex
	// calls are the calls [Sandbox.Call] is placing, by CallSid, to file each request under its
	// call. Bounded by the calls in progress: Call adds its entry and removes it when it returns.
	calls map[string]*recording
}

// Host is the origin of the URLs a call placed by [Sandbox.Call] requests when it is served in
// this process without a listener. The ".test" top-level domain is reserved: no real host has it.
const Host = "http://switchboard.test"

// New loads and checks the flow, policy and model, and returns a Sandbox serving them. Like
// [framework.New], it reports every problem of every file at once, each with file:line:col.
func New(opts *Options) (*Sandbox, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	token := principals.NewSecret(hex.EncodeToString(b))
	tw, err := principals.NewTwilio(principals.TwilioOptions{Tokens: []principals.Secret{token}})
	if err != nil {
		return nil, err
	}
	s := &Sandbox{token: token, calls: map[string]*recording{}}
	next := slog.DiscardHandler
	if o.Logger != nil {
		next = o.Logger.Handler()
	}
	env := o.Env
	if env == nil {
		env = Getenv
	}
	app, err := framework.New(&framework.Options{
		Flow: o.Flow, Policy: o.Policy, Model: o.Model, PINs: o.PINs,
		Policies: []principals.Policy{tw},
		Logger:   slog.New(logTap{next: next}),
		Now:      o.Now,
		Backends: o.Backends,
		Env:      env,
		// A test file may place many failing calls from one address; none of them is an attack.
		FailedAuthLimit: -1,
	})
	if err != nil {
		return nil, err
	}
	if err := stubsDeclared(o.Backends, app.Flow()); err != nil {
		return nil, err
	}
	if o.Setup != nil {
		if err := o.Setup(app); err != nil {
			return nil, err
		}
	}
	s.app = app
	s.handler = &observer{s: s}
	return s, nil
}

// stubsDeclared reports a stub whose name no backend of the flow has, with the names it has.
func stubsDeclared(stubs map[string]framework.Fetcher, c *flow.Compiled) error {
	if len(stubs) == 0 {
		return nil
	}
	var known []string
	for _, b := range c.Backends() {
		known = append(known, b.Name)
	}
	sort.Strings(known)
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(stubs)) {
		if slices.Contains(known, name) {
			continue
		}
		declared := "the flow declares no backends"
		if len(known) > 0 {
			declared = "its backends: " + strings.Join(known, ", ")
		}
		errs = append(errs, fmt.Errorf("backend %q is stubbed, but the flow declares no backend of that name%s (%s)", name, didyoumean.Hint(name, known), declared))
	}
	return errors.Join(errs...)
}

// Getenv is os.Getenv, except that a variable it does not set reads as https://unset.invalid (a
// name that resolves nowhere): a flow whose backend URLs come from the environment loads in a
// sandbox anywhere, and a sandbox calls no backend anyway (see [Options].Backends).
func Getenv(name string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return "https://unset.invalid"
}

// App returns the App being served, for its routes, its policy and [framework.App.Reload].
func (s *Sandbox) App() *framework.App { return s.app }

// Token returns the auth token the Sandbox verifies signatures with. A request signed with any
// other token hears the unauthenticated error flow.
func (s *Sandbox) Token() principals.Secret { return s.token }

// Handler returns the handler that serves the App and files each request under the call that
// made it (see [Sandbox.Call]). Serve it, not the App, so that calls see their requests.
func (s *Sandbox) Handler() http.Handler { return s.handler }

// Start returns the path of the flow's start route, such as "/ivr/welcome".
func (s *Sandbox) Start() string { return s.app.Flow().Start() }

// Listen serves the Sandbox on a new loopback port and returns its origin, such as
// "http://127.0.0.1:41234", and a function that stops the server, finishing the requests in
// flight; stop must be called. The server also stops when ctx is done.
func (s *Sandbox) Listen(ctx context.Context) (origin string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := s.app.NewServer(ln.Addr().String())
	srv.Handler = s.handler
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	sctx, cancel := context.WithCancel(ctx)
	go func() {
		<-sctx.Done()
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(dctx)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() { cancel(); <-done })
	}
	return "http://" + ln.Addr().String(), stop, nil
}

// Call places c against the Sandbox and returns what the caller heard and what the server did
// for each request. Fields of c left empty are filled in: URL with the start route (at [Host],
// served in this process through [caller.Call.Handler] unless c.Client is set), Token with the
// Sandbox's token, CallSid with a fresh one. c itself is not changed.
//
// The error is [caller.Call.Run]'s: anything Twilio would refuse, or a loop. The Result holds
// everything up to it.
func (s *Sandbox) Call(ctx context.Context, c caller.Call) (Result, error) {
	if c.URL == "" {
		c.URL = Host + s.Start()
	}
	if c.Token.IsZero() {
		c.Token = s.token
	}
	if c.Client == nil && c.Handler == nil {
		c.Handler = s.handler
	}
	if c.CallSid == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		c.CallSid = "CA" + hex.EncodeToString(b)
	}
	rec := &recording{}
	s.mu.Lock()
	if _, dup := s.calls[c.CallSid]; dup {
		s.mu.Unlock()
		return Result{}, fmt.Errorf("sandbox: call %s is already in progress", c.CallSid)
	}
	s.calls[c.CallSid] = rec
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.calls, c.CallSid)
		s.mu.Unlock()
	}()
	tr, err := c.Run(ctx)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return Result{Transcript: tr, Requests: rec.requests}, err
}

// recording collects the requests of one call.
type recording struct {
	mu       sync.Mutex
	requests []Request
}

// maxRequests bounds the requests recorded per call; caller.Call.MaxRequests stops a call long
// before, so only a call made with a Client of its own can reach it.
const maxRequests = 1000

func (r *recording) add(req Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.requests) < maxRequests {
		r.requests = append(r.requests, req)
	}
}

// recordingOf returns the recording of the call sid, or nil.
func (s *Sandbox) recordingOf(sid string) *recording {
	if sid == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[sid]
}
