package framework

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/switchboard-ivr/switchboard/internal/connwatch"
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
// cannot outlast (slowloris) and a header-size cap. App.Serve enforces the same timeouts
// without net/http's per-request deadlines (see package internal/connwatch).
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
//
// The server's slow-client timeouts are NewServer's, enforced by a connwatch.Watch that checks
// the connections every second rather than by deadlines net/http would move four times a
// request: a limit cuts a connection up to a second after it, never before.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := a.NewServer(ln.Addr().String())
	srv.Handler = servedApp{a}
	watch := connwatch.Take(srv)
	defer watch.Close()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(watch.Listener(ln)) }()
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

// servedApp is the App as the handler of App.Serve's own server, whose response writers are
// net/http's, unwrapped: TwiML answers leave their Content-Type to its sniffing (writeTwiML).
type servedApp struct{ a *App }

func (s servedApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.a.state.Load().router.serve(w, r, true)
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
	if a.opts.PINs != nil {
		out = append(out, a.opts.PINs)
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

// ListenAndServe listens on addr, logs the address, and runs the server on it (see [App.Run]).
func (a *App) ListenAndServe(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	a.log.Info("listening", "addr", ln.Addr().String(), "start", a.Flow().Start(), "routes", len(a.Routes()),
		"policy_lines", a.Authorizer().Rules())
	return a.Run(ctx, ln)
}

// Run is the whole life of a server on ln: it logs the configuration's warnings, reloads the
// configuration on SIGHUP and when a source changes (polled every 2 s; see [App.Watch]), and
// serves until ctx is done, then shuts down gracefully (see [App.Serve]). `switchboard serve`
// and ListenAndServe both end in it.
func (a *App) Run(ctx context.Context, ln net.Listener) error {
	a.logWarnings(a.Warnings())
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
