package framework

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// Server timeouts. Twilio gives a webhook 15 s in all; the handler deadline (Options.HandlerTimeout,
// 10 s by default) leaves time to write the internal flow before WriteTimeout cuts the connection.
// They are variables only so that tests can shorten them; nothing else changes them.
var (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 15 * time.Second
	idleTimeout       = 60 * time.Second
	maxHeaderBytes    = 32 << 10
	shutdownGrace     = 10 * time.Second
)

// NewServer returns an http.Server for the App with timeouts that a slow or stalled client
// cannot outlast (slowloris) and a header-size cap.
func (a *App) NewServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           a,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
}

// Serve answers requests on ln until ctx is done, then stops accepting, lets the requests in
// flight finish (up to 10 s) and returns. A nil error means a clean shutdown.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := a.NewServer(ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// Watch reloads the configuration whenever a source says it changed (see [Watcher]; files are
// polled every interval, and editors that replace files by renaming are seen too), until ctx is
// done. A change that fails to load is handled as [App.Reload] says, and logged.
func (a *App) Watch(ctx context.Context, interval time.Duration) {
	changed := make(chan struct{}, 1)
	notify := func() {
		select {
		case changed <- struct{}{}:
		default: // a reload is pending already; it will read the latest version
		}
	}
	var wg sync.WaitGroup
	for _, w := range a.watchers() {
		wg.Go(func() { w.Watch(ctx, interval, notify) })
	}
	defer wg.Wait()
	for {
		select {
		case <-ctx.Done():
			return
		case <-changed:
			_ = a.Reload() // Reload logs the outcome either way.
		}
	}
}

// sources returns every configured source, flow, model, policy and credentials, leaving out
// those Options leave unset.
func (a *App) sources() []Source {
	var out []Source
	for _, s := range []Source{a.opts.Flow, a.opts.Model, a.opts.Policy} {
		if s != nil {
			out = append(out, s)
		}
	}
	for _, s := range a.opts.Credentials {
		out = append(out, s)
	}
	return out
}

// watchers returns the sources that can change while the App runs.
func (a *App) watchers() []Watcher {
	var out []Watcher
	for _, s := range a.sources() {
		if w, ok := s.(Watcher); ok {
			out = append(out, w)
		}
	}
	return out
}

// Readiness is what /readyz answers: whether the App serves the configuration its sources hold.
type Readiness struct {
	// Status is "ready"; "degraded" when a source serves the last good version it loaded while
	// its backend is away (still HTTP 200: the App serves); or "not ready" (HTTP 503) when the
	// last reload failed, until one succeeds.
	Status      string    `json:"status"`
	Routes      int       `json:"routes"`
	PolicyLines int       `json:"policy_lines"`
	Loaded      time.Time `json:"loaded"` // when the flow and policy in force were loaded
	// Problems are what the last reload could not load (at most 20, one a line, naming the file
	// and line, quoting no more than a short excerpt of it); FailedAt is when.
	Problems []string  `json:"problems,omitempty"`
	FailedAt time.Time `json:"failed_at,omitzero"`
	// Degraded says, for each degraded source, why.
	Degraded []string `json:"degraded,omitempty"`
}

// Readiness reports whether the App serves the configuration its sources hold, and why not.
func (a *App) Readiness() Readiness {
	st := a.state.Load()
	r := Readiness{Status: "ready", Routes: len(st.flow.Routes()), PolicyLines: st.authz.Rules(), Loaded: st.loaded,
		Problems: st.failed, FailedAt: st.failedAt}
	for _, s := range a.sources() {
		if h, ok := s.(HealthReporter); ok {
			if err := h.Health(); err != nil {
				r.Degraded = append(r.Degraded, s.String()+": "+err.Error())
			}
		}
	}
	switch {
	case len(r.Problems) > 0:
		r.Status = "not ready"
	case len(r.Degraded) > 0:
		r.Status = "degraded"
	}
	return r
}

// readyz answers /readyz: 200 when ready or degraded, 503 with the problems when the last reload
// failed.
func (a *App) readyz(w http.ResponseWriter) {
	r := a.Readiness()
	code := http.StatusOK
	if r.Status == "not ready" {
		code = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(r)
}

// ListenAndServe is the whole life of a server: it logs the configuration's warnings, listens on
// addr, reloads the configuration files when they change (every 2 s; see [App.Watch]) and on
// SIGHUP, and serves until ctx is done, then shuts down gracefully (see [App.Serve]).
func (a *App) ListenAndServe(ctx context.Context, addr string) error {
	for _, w := range a.Warnings() {
		a.log.Warn(w)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	a.log.Info("listening", "addr", ln.Addr().String(), "start", a.Flow().Start(), "routes", len(a.Routes()),
		"policy_lines", a.Authorizer().Rules())
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go a.ReloadOnSignal(ctx, syscall.SIGHUP)
	go a.Watch(ctx, 2*time.Second)
	return a.Serve(ctx, ln)
}

// ReloadOnSignal reloads the configuration each time the process receives one of sigs, until ctx
// is done. A reload that fails keeps the running configuration and logs why.
func (a *App) ReloadOnSignal(ctx context.Context, sigs ...os.Signal) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, sigs...)
	defer signal.Stop(ch)
	for {
		select {
		case <-ctx.Done():
			return
		case s := <-ch:
			a.log.Info("reloading", "signal", s.String())
			_ = a.Reload() // Reload logs the outcome either way.
		}
	}
}
