package framework

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

// byteCounter is a log destination that keeps nothing but the number of bytes and lines written.
type byteCounter struct{ bytes, lines atomic.Int64 }

func (c *byteCounter) Write(p []byte) (int, error) {
	c.bytes.Add(int64(len(p)))
	c.lines.Add(1)
	return len(p), nil
}

// failingBody is a request body that fails with its own text, as a body that times out does
// ("read tcp 127.0.0.1:8080->192.0.2.1:52113: i/o timeout": the client's address and port).
type failingBody struct{ err error }

func (b failingBody) Read([]byte) (int, error) { return 0, b.err }
func (failingBody) Close() error               { return nil }

// seriesCount returns the number of series the App exports, Go and process metrics aside.
func seriesCount(t testing.TB, app *App) int {
	t.Helper()
	fams, err := app.met.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range fams {
		if strings.HasPrefix(f.GetName(), "switchboard_") {
			n += len(f.GetMetric())
		}
	}
	return n
}

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// abuse sends n requests of every abusive kind, each carrying data of its own (a distinct
// number i and padding): bodies that fail with distinct error text, malformed bodies, forged
// signatures, unknown paths, wrong API keys, distinct headers, and — over loopback, so that
// net/http's own chunked reader is what fails — chunked bodies whose trailer is malformed.
func abuse(t *testing.T, app *App, addr string, from, n int) {
	t.Helper()
	pad := strings.Repeat("x", 300)
	for i := from; i < from+n; i++ {
		tag := fmt.Sprintf("%d-%s", i, pad)
		port := 1024 + i%60000
		reqs := []*http.Request{
			postRaw("/ivr/welcome", "", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="),
			postRaw("/ivr/welcome/gather?i=0&n="+fmt.Sprint(i), "Digits=%zz"+tag, "bad"+tag),
			httptest.NewRequest(http.MethodGet, "/nothing/here/"+tag, nil),
			httptest.NewRequest(http.MethodGet, "/ivr/"+tag, nil),
			httptest.NewRequest(http.MethodGet, "/metrics", nil),
			httptest.NewRequest(http.MethodDelete, "/ivr/welcome", nil),
		}
		reqs[0].Body = failingBody{fmt.Errorf("read tcp 127.0.0.1:8080->192.0.2.1:%d: i/o timeout %s", port, tag)}
		reqs[0].ContentLength = -1
		reqs[4].Header.Set("Authorization", "Bearer k"+tag[:20])
		reqs[5].Header.Set("X-Twilio-Signature", tag)
		for _, r := range reqs {
			r.RemoteAddr = fmt.Sprintf("192.0.2.1:%d", port)
			r.Header.Set("User-Agent", tag)
			r.Header.Set("X-Distinct-"+fmt.Sprint(i), tag)
			send(app, r)
		}
	}
	for i := from; i < from+n/10; i++ {
		raw := fmt.Sprintf("POST /ivr/welcome HTTP/1.1\r\nHost: ivr.test\r\nConnection: close\r\nX-Twilio-Signature: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n"+
			"Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"+
			"5\r\nDigit\r\n0\r\nbroken trailer %d %s\r\n\r\n", i, pad)
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		_, _ = conn.Write([]byte(raw))
		_, _ = io.Copy(io.Discard, conn)
		conn.Close()
	}
}

func TestRequestDataNeverGrowsTheSeriesOrTheHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 40,000 requests")
	}
	logs := &byteCounter{}
	app, _ := hardenedApp(t, principals.TwilioOptions{}, &Options{
		Credentials: []CredentialSource{APIKeysFile(keysFile(t))},
		Logger:      slog.New(slog.NewJSONHandler(logs, nil)),
	})
	addr := listen(t, app)
	const batch = 3000
	abuse(t, app, addr, 0, batch) // warms every series, pool and cache up
	series, heap := seriesCount(t, app), heapInUse()
	abuse(t, app, addr, batch, batch)
	abuse(t, app, addr, 2*batch, batch)
	if got := seriesCount(t, app); got != series {
		t.Errorf("series: %d after the first %d abusive requests, %d after %d more: request data became label values",
			series, batch*6, got, 2*batch*6)
	}
	if grown := int64(heapInUse()) - int64(heap); grown > 2<<20 {
		t.Errorf("the heap grew by %d KiB over %d more abusive requests; want flat", grown>>10, 2*batch*6)
	}
	// And the App still answers a real call.
	if got := heardRecorder(t, call(t, app, "/ivr/welcome", principalstest.CallParams(otherNumber))); got != "menu" {
		t.Errorf("a signed call after the abuse heard %s", got)
	}
}

func TestAuthFailureLabelsNeverHoldRequestData(t *testing.T) {
	app, _ := hardenedApp(t, principals.TwilioOptions{}, &Options{Logger: slog.New(slog.DiscardHandler)})
	for i := range 50 {
		r := postRaw("/ivr/welcome", "", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
		r.Body, r.ContentLength = failingBody{fmt.Errorf("read tcp 192.0.2.1:%d: i/o timeout", 1000+i)}, -1
		send(app, r)
	}
	if n := sample(t, app, `switchboard_auth_failures_total{policy="twilio",reason="body_unreadable"}`); n != 50 {
		t.Errorf("body read failures counted as reason=\"body_unreadable\": %v, want 50", n)
	}
	fams, _ := app.met.reg.Gather()
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if strings.Contains(l.GetValue(), "192.0.2.1") {
					t.Errorf("%s has a label holding request data: %s=%q", f.GetName(), l.GetName(), l.GetValue())
				}
			}
		}
	}
}

func TestTheAppTakesTheBodyLimitAndTrustedProxiesFromTheTwilioPolicy(t *testing.T) {
	const proxy = "192.0.2.10"
	app, _ := hardenedApp(t, principals.TwilioOptions{
		MaxBody:        1 << 10,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix(proxy + "/32")},
	}, &Options{FailedAuthLimit: 1, Logger: slog.New(slog.DiscardHandler)})
	big := postRaw("/ivr/welcome", "From="+strings.Repeat("1", 2<<10), "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	send(app, big)
	if n := sample(t, app, `switchboard_requests_total{outcome="too_large",route="/ivr/welcome"}`); n != 1 {
		t.Errorf("a 2 KiB body under the policy's 1 KiB MaxBody: too_large counted %v times, want 1", n)
	}
	viaProxy := func(client string) *http.Request {
		r := forged(proxy + ":443")
		r.Header.Set("X-Forwarded-For", client)
		return r
	}
	for range 3 {
		send(app, viaProxy("198.51.100.1"))
	}
	send(app, viaProxy("198.51.100.2"))
	if n := sample(t, app, `switchboard_requests_total{outcome="rate_limited",route="/ivr/welcome"}`); n != 1 {
		t.Errorf("three forged requests from one client and one from another, through the proxy: %v rate-limited, want 1 (the clients are told apart by X-Forwarded-For)", n)
	}
}
