// Package connwatch enforces an HTTP/1 server's slow-client limits (how long a client may take
// to send a request's header and its whole request, how long the server may take to answer, and
// how long a connection may sit idle) with one goroutine that looks at every connection a few
// times a second.
//
// net/http enforces the same limits with deadlines on the connection: with all four timeouts
// set it changes a runtime timer four times a request (header, whole request, write, idle). A
// Watch records a phase and the time it began instead, and cuts a connection whose phase has run
// past its limit the way an expired deadline would: its reads fail, or its writes do. A cut
// comes after the limit, never before, and at most one check interval (Interval) after it.
//
// Pipelined requests are timed from what the connection reads: a request whose first bytes came
// with the one before it is timed from the next bytes that come, and one that came whole with
// it (net/http then reports no StateActive) is bounded by the idle limit rather than the read and
// write limits. Either way every connection stays bounded.
//
// Use it by taking over a server's timeouts and serving its listener:
//
//	w := connwatch.Take(srv) // srv's four timeouts move to w; srv's are zeroed
//	defer w.Close()
//	err := srv.Serve(w.Listener(ln))
package connwatch

import (
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Limits are the slow-client limits, with http.Server's meanings. A zero limit is no limit.
type Limits struct {
	// Header bounds a request's header: from its first byte until the header has been read.
	Header time.Duration
	// Read bounds a whole request: from its first byte until its body has been read. Past it
	// the connection's reads fail, as after http.Server.ReadTimeout.
	Read time.Duration
	// Write bounds an answer: from the end of the request's header until the answer has been
	// written. Past it the connection's writes fail, as after http.Server.WriteTimeout.
	Write time.Duration
	// Idle bounds the wait for the next request on a kept-alive connection.
	Idle time.Duration
}

// Interval returns how often a Watch with these limits checks its connections: a fifth of the
// shortest limit, between 10 ms and 1 s. A connection is cut within that long after its limit.
func (l Limits) Interval() time.Duration {
	every := time.Second
	for _, d := range []time.Duration{l.Header, l.Read, l.Write, l.Idle} {
		if d > 0 && d/5 < every {
			every = d / 5
		}
	}
	return max(every, 10*time.Millisecond)
}

// A Watch enforces Limits on the connections its Listener accepts. Its goroutine starts with
// New and ends with Close.
type Watch struct {
	lim   Limits
	every time.Duration
	base  time.Time // the monotonic origin of the phases' times

	mu    sync.Mutex
	conns map[*conn]struct{} // the open connections: bounded by what the listener has accepted and not closed
	done  chan struct{}
	once  sync.Once
}

// New starts a Watch that enforces lim.
func New(lim Limits) *Watch {
	w := &Watch{lim: lim, every: lim.Interval(), base: time.Now(), conns: map[*conn]struct{}{}, done: make(chan struct{})}
	go w.run()
	return w
}

// Take moves srv's ReadHeaderTimeout, ReadTimeout, WriteTimeout and IdleTimeout to a new Watch,
// as net/http reads them (a zero header or idle timeout is the read timeout), zeroes them on
// srv, and sets srv.ConnState to the Watch's hook (it calls the hook srv had first). srv must
// then serve only connections from the Watch's Listener, over HTTP/1 without TLS: any other
// connection is not watched.
func Take(srv *http.Server) *Watch {
	lim := Limits{Header: srv.ReadHeaderTimeout, Read: srv.ReadTimeout, Write: srv.WriteTimeout, Idle: srv.IdleTimeout}
	if lim.Header <= 0 {
		lim.Header = lim.Read
	}
	if lim.Idle <= 0 {
		lim.Idle = lim.Read
	}
	srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout = 0, 0, 0, 0
	w := New(lim)
	if prev := srv.ConnState; prev != nil {
		srv.ConnState = func(c net.Conn, s http.ConnState) { prev(c, s); w.ConnState(c, s) }
	} else {
		srv.ConnState = w.ConnState
	}
	return w
}

// Limits returns the limits w enforces.
func (w *Watch) Limits() Limits { return w.lim }

// Close stops w's goroutine. Connections already accepted are no longer cut; close them first
// (http.Server.Shutdown does).
func (w *Watch) Close() error {
	w.once.Do(func() { close(w.done) })
	return nil
}

// Listener returns ln with each connection it accepts watched by w.
func (w *Watch) Listener(ln net.Listener) net.Listener { return listener{ln, w} }

type listener struct {
	net.Listener
	w *Watch
}

func (l listener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	c := &conn{Conn: nc, w: l.w}
	now := l.w.now()
	c.reqStart.Store(now) // net/http reads the first request's header at once
	c.since.Store(now)
	c.phase.Store(phaseHeader)
	l.w.mu.Lock()
	l.w.conns[c] = struct{}{}
	l.w.mu.Unlock()
	return c, nil
}

// ConnState is the http.Server.ConnState hook that tells w where each connection is: net/http
// calls it with StateActive once a request's header has been read, and StateIdle once its
// answer has been written.
func (w *Watch) ConnState(nc net.Conn, s http.ConnState) {
	c, ok := nc.(*conn)
	if !ok || c.w != w {
		return
	}
	switch s {
	case http.StateActive:
		c.since.Store(w.now())
		c.phase.Store(phaseActive)
	case http.StateIdle:
		c.since.Store(w.now())
		c.phase.Store(phaseIdle)
	case http.StateHijacked, http.StateClosed:
		w.forget(c)
	}
}

func (w *Watch) forget(c *conn) {
	c.phase.Store(phaseGone)
	w.mu.Lock()
	delete(w.conns, c)
	w.mu.Unlock()
}

// now is the time since w.base on the monotonic clock.
func (w *Watch) now() int64 { return int64(time.Since(w.base)) }

func (w *Watch) run() {
	t := time.NewTicker(w.every)
	defer t.Stop()
	var due []overdue
	for {
		select {
		case <-w.done:
			return
		case <-t.C:
		}
		due = w.check(due[:0])
		clear(due) // hold no connection until the next check
	}
}

// overdue is a connection past a limit, and what of it to cut.
type overdue struct {
	c   *conn
	cut int // cutReads, cutWrites
}

// check cuts the connections past a limit and returns them (in due's memory).
func (w *Watch) check(due []overdue) []overdue {
	now := w.now()
	w.mu.Lock()
	for c := range w.conns {
		if cut := c.over(now, w.lim); cut != 0 {
			due = append(due, overdue{c, cut})
		}
	}
	w.mu.Unlock()
	for _, d := range due { // outside the lock: a cut changes a deadline, which may take a while
		if d.cut&cutReads != 0 {
			d.c.cut(reads)
		}
		if d.cut&cutWrites != 0 {
			d.c.cut(writes)
		}
	}
	return due
}

// A connection's phases.
const (
	phaseHeader uint32 = iota + 1 // reading a request's header (since: its first byte)
	phaseActive                   // reading its body, running the handler, writing the answer (since: the header's end)
	phaseIdle                     // waiting for the next request (since: the last answer's end)
	phaseGone                     // closed or hijacked: no longer watched
)

// What over finds past its limit.
const (
	cutReads = 1 << iota
	cutWrites
)

// conn is a watched connection. Its phase and times are written by the goroutines net/http
// serves it on and read by the Watch's; mu orders a cut against a deadline net/http sets.
type conn struct {
	net.Conn
	w        *Watch
	phase    atomic.Uint32
	since    atomic.Int64   // when the phase began (Watch.now); stored before phase changes
	reqStart atomic.Int64   // when the current request's first byte came
	set      [2]atomic.Bool // by direction: a deadline of net/http's own is set, so a zero one must clear it

	mu   sync.Mutex
	cuts [2]bool // by direction: cut by the watch, for good
}

// over says which of c's directions are past their limit at now.
func (c *conn) over(now int64, lim Limits) int {
	switch c.phase.Load() {
	case phaseHeader:
		if past(now, c.since.Load(), lim.Header) {
			return cutReads
		}
	case phaseActive:
		cut := 0
		if past(now, c.reqStart.Load(), lim.Read) {
			cut |= cutReads
		}
		if past(now, c.since.Load(), lim.Write) {
			cut |= cutWrites
		}
		return cut
	case phaseIdle:
		if past(now, c.since.Load(), lim.Idle) {
			return cutReads
		}
	}
	return 0
}

func past(now, since int64, limit time.Duration) bool {
	return limit > 0 && now-since > int64(limit)
}

// Read marks the start of a request's header when bytes come while the connection is idle.
func (c *conn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && c.phase.Load() == phaseIdle {
		now := c.w.now()
		c.reqStart.Store(now)
		c.since.Store(now)
		c.phase.CompareAndSwap(phaseIdle, phaseHeader)
	}
	return n, err
}

// aLongTimeAgo is a deadline that has passed: setting it makes blocked and later reads (or
// writes) fail at once with a timeout, as an expired deadline does.
var aLongTimeAgo = time.Unix(1, 0)

// A direction of a connection: its reads or its writes.
type direction int

const (
	reads direction = iota
	writes
)

// cut makes c's reads or writes fail from now on, as an expired deadline does.
func (c *conn) cut(d direction) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.cuts[d] {
		c.cuts[d] = true
		_ = c.setUnder(d, aLongTimeAgo)
	}
}

// setDeadline passes a deadline on, except that a cut stays cut and clearing a deadline that was
// never set costs nothing (net/http clears the read deadline twice a request).
func (c *conn) setDeadline(d direction, t time.Time) error {
	if t.IsZero() && !c.set[d].Load() {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cuts[d] {
		return nil
	}
	c.set[d].Store(!t.IsZero())
	return c.setUnder(d, t)
}

func (c *conn) setUnder(d direction, t time.Time) error {
	if d == reads {
		return c.Conn.SetReadDeadline(t)
	}
	return c.Conn.SetWriteDeadline(t)
}

func (c *conn) SetReadDeadline(t time.Time) error  { return c.setDeadline(reads, t) }
func (c *conn) SetWriteDeadline(t time.Time) error { return c.setDeadline(writes, t) }

func (c *conn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.SetWriteDeadline(t)
}

// Close stops watching c and closes it.
func (c *conn) Close() error {
	if c.phase.Load() != phaseGone {
		c.w.forget(c)
	}
	return c.Conn.Close()
}

// CloseWrite half-closes c when the connection under it can, as net/http's graceful close of a
// TCP connection expects.
func (c *conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
