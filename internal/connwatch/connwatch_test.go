package connwatch

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// serve runs srv (its timeouts taken over by a Watch) on a loopback listener until the test ends.
func serve(t *testing.T, srv *http.Server) (string, *Watch) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w := Take(srv)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(w.Listener(ln)) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
		w.Close()
	})
	return ln.Addr().String(), w
}

// echoBody answers with how much of the body it read, or why the read failed.
var echoBody = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		fmt.Fprintf(rw, "read failed after %d bytes: %v", len(b), err)
		return
	}
	fmt.Fprintf(rw, "read %d bytes", len(b))
})

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second)) // the test's own bound, far past any limit here
	return c
}

// trickle writes s a byte at a time, every gap, until a write fails; it returns how many bytes
// went out.
func trickle(c net.Conn, s string, gap time.Duration) int {
	for i := range len(s) {
		if _, err := c.Write([]byte{s[i]}); err != nil {
			return i
		}
		time.Sleep(gap)
	}
	return len(s)
}

func TestTakeMovesTheServersTimeoutsAsNetHTTPReadsThem(t *testing.T) {
	tests := []struct {
		name string
		srv  *http.Server
		want Limits
	}{
		{"all four", &http.Server{ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 15 * time.Second, IdleTimeout: time.Minute},
			Limits{Header: 5 * time.Second, Read: 10 * time.Second, Write: 15 * time.Second, Idle: time.Minute}},
		{"read alone bounds the header and the idle wait too", &http.Server{ReadTimeout: 10 * time.Second},
			Limits{Header: 10 * time.Second, Read: 10 * time.Second, Idle: 10 * time.Second}},
		{"none", &http.Server{}, Limits{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called := 0
			tt.srv.ConnState = func(net.Conn, http.ConnState) { called++ }
			w := Take(tt.srv)
			defer w.Close()
			if got := w.Limits(); got != tt.want {
				t.Errorf("limits %+v, want %+v", got, tt.want)
			}
			if tt.srv.ReadHeaderTimeout != 0 || tt.srv.ReadTimeout != 0 || tt.srv.WriteTimeout != 0 || tt.srv.IdleTimeout != 0 {
				t.Errorf("the server kept timeouts: %v %v %v %v", tt.srv.ReadHeaderTimeout, tt.srv.ReadTimeout, tt.srv.WriteTimeout, tt.srv.IdleTimeout)
			}
			tt.srv.ConnState(nil, http.StateNew)
			if called != 1 {
				t.Errorf("the server's own ConnState hook ran %d times, want 1", called)
			}
		})
	}
}

func TestIntervalIsAFifthOfTheShortestLimitWithinBounds(t *testing.T) {
	tests := []struct {
		lim  Limits
		want time.Duration
	}{
		{Limits{Header: 5 * time.Second, Read: 10 * time.Second, Write: 15 * time.Second, Idle: time.Minute}, time.Second},
		{Limits{Header: 200 * time.Millisecond, Idle: time.Minute}, 40 * time.Millisecond},
		{Limits{Header: time.Millisecond}, 10 * time.Millisecond},
		{Limits{}, time.Second},
	}
	for _, tt := range tests {
		if got := tt.lim.Interval(); got != tt.want {
			t.Errorf("%+v: interval %v, want %v", tt.lim, got, tt.want)
		}
	}
}

func TestASlowHeaderIsCutAfterTheHeaderLimit(t *testing.T) {
	addr, w := serve(t, &http.Server{Handler: echoBody, ReadHeaderTimeout: 200 * time.Millisecond, ReadTimeout: 5 * time.Second})
	c := dial(t, addr)
	header := "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + strings.Repeat("a", 200) + "\r\n\r\n" // 4 s at 20 ms a byte
	start := time.Now()
	sent := make(chan int, 1)
	go func() { sent <- trickle(c, header, 20*time.Millisecond) }()
	b, err := io.ReadAll(c) // the server answers 400 and closes, as net/http does on a header timeout
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the connection was still open after 10 s")
	}
	d := time.Since(start)
	if d < 200*time.Millisecond || d > 200*time.Millisecond+2*w.Limits().Interval()+300*time.Millisecond {
		t.Errorf("cut after %v, want between the limit (200ms) and one interval past it", d)
	}
	if !strings.HasPrefix(string(b), "HTTP/1.1 400 ") {
		t.Errorf("a cut header got %q, want net/http's 400", b)
	}
	c.Close()
	if n := <-sent; n >= len(header) {
		t.Error("the whole header went out before the cut")
	}
}

func TestASlowBodyFailsTheHandlersReadAndItsAnswerStillGoesOut(t *testing.T) {
	addr, _ := serve(t, &http.Server{Handler: echoBody, ReadHeaderTimeout: time.Second, ReadTimeout: 300 * time.Millisecond})
	c := dial(t, addr)
	body := strings.Repeat("b", 100) // 5 s at 50 ms a byte
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", len(body))
	start := time.Now()
	go trickle(c, body, 50*time.Millisecond)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer after a slow body: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	if !strings.HasPrefix(string(b), "read failed") || !strings.Contains(string(b), "timeout") {
		t.Errorf("the handler's read gave %q, want a timeout", b)
	}
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Errorf("the slow body held the handler for %v, want about 300ms", d)
	}
}

func TestAnAnswerPastTheWriteLimitFailsToGoOut(t *testing.T) {
	wrote := make(chan error, 1)
	slow := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		time.Sleep(600 * time.Millisecond)
		_, err := rw.Write([]byte("late"))
		if err == nil {
			err = http.NewResponseController(rw).Flush()
		}
		wrote <- err
	})
	addr, _ := serve(t, &http.Server{Handler: slow, ReadTimeout: time.Second, WriteTimeout: 200 * time.Millisecond})
	c := dial(t, addr)
	fmt.Fprint(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	b, _ := io.ReadAll(c)
	if len(b) != 0 {
		t.Errorf("an answer past the write limit went out: %q", b)
	}
	if err := <-wrote; err == nil {
		t.Error("the handler's late write succeeded")
	}
}

func TestAnIdleConnectionIsClosedAfterTheIdleLimit(t *testing.T) {
	addr, _ := serve(t, &http.Server{Handler: echoBody, ReadTimeout: time.Second, IdleTimeout: 200 * time.Millisecond})
	c := dial(t, addr)
	fmt.Fprint(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	idle := time.Now()
	if n, err := br.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("after the idle limit read %d bytes, %v; want EOF", n, err)
	}
	if d := time.Since(idle); d < 200*time.Millisecond || d > 900*time.Millisecond {
		t.Errorf("closed after %v idle, want about 200ms", d)
	}
}

// Each request on a kept-alive connection gets its own limits: five requests whose headers take
// 2/3 of the header limit each, a pause of 2/3 of the idle limit apart, are all answered.
func TestEachRequestOfAKeptAliveConnectionHasItsOwnLimits(t *testing.T) {
	addr, _ := serve(t, &http.Server{Handler: echoBody, ReadHeaderTimeout: 300 * time.Millisecond, ReadTimeout: 400 * time.Millisecond,
		WriteTimeout: 300 * time.Millisecond, IdleTimeout: 300 * time.Millisecond})
	c := dial(t, addr)
	br := bufio.NewReader(c)
	for i := range 5 {
		fmt.Fprint(c, "POST / HTTP/1.1\r\nHost: x\r\n")
		time.Sleep(200 * time.Millisecond)
		fmt.Fprint(c, "Content-Length: 3\r\n\r\nabc")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
		b, _ := io.ReadAll(resp.Body)
		if string(b) != "read 3 bytes" {
			t.Fatalf("request %d: %q", i+1, b)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestClosedConnectionsAreForgotten(t *testing.T) {
	addr, w := serve(t, &http.Server{Handler: echoBody, ReadTimeout: time.Second, IdleTimeout: time.Minute})
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			fmt.Fprint(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
			io.Copy(io.Discard, c)
		})
	}
	wg.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for {
		w.mu.Lock()
		n := len(w.conns)
		w.mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d closed connections are still watched", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Many clients at once, some of them cut, with the race detector watching the hooks.
func TestConcurrentClientsSomeCut(t *testing.T) {
	addr, _ := serve(t, &http.Server{Handler: echoBody, ReadHeaderTimeout: 100 * time.Millisecond, ReadTimeout: 200 * time.Millisecond,
		WriteTimeout: time.Second, IdleTimeout: 100 * time.Millisecond})
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			c := dial(t, addr)
			if i%4 == 0 {
				trickle(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 20*time.Millisecond) // cut
				return
			}
			br := bufio.NewReader(c)
			for range 20 {
				fmt.Fprint(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok")
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					t.Errorf("a client within the limits: %v", err)
					return
				}
				io.Copy(io.Discard, resp.Body)
			}
		})
	}
	wg.Wait()
}
