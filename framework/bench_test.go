package framework

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"hash"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-ivr/switchboard/principals/principalstest"
	"github.com/switchboard-ivr/switchboard/twiml"
)

// benchCallback is a realistic <Gather> action callback from a staff phone: 30 fields, about 780
// bytes, with the escapes Twilio sends. Digits is filled in per benchmark.
const benchCallback = "AccountSid=AC3f8a1c0e7b2d4f6a8c0e2b4d6f8a1c3e&ApiVersion=2010-04-01" +
	"&CallSid=CA9b7d5f3a1c8e6b4d2f0a9c7e5b3d1f8a&CallStatus=in-progress" +
	"&CallToken=%7B%22parentCallInfoToken%22%3A%22eyJhbGciOiJFUzI1NiJ9.eyJjYWxsU2lkIjoiQ0E5YjdkNWYz%22%2C" +
	"%22identityHeaderTokens%22%3A%5B%5D%2C%22parentCallSid%22%3A%22CA1e3c5a7b9d2f4e6a8c0b1d3f5a7c9e2b%22%7D" +
	"&Called=%2B15555550100&CalledCity=SAN+FRANCISCO&CalledCountry=US&CalledState=CA&CalledZip=94105" +
	"&Caller=%2B15555550142&CallerCity=OAKLAND&CallerCountry=US&CallerState=CA&CallerZip=94612" +
	"&Digits=%s&Direction=inbound&FinishedOnKey=" +
	"&From=%2B15555550142&FromCity=OAKLAND&FromCountry=US&FromState=CA&FromZip=94612" +
	"&StirVerstat=TN-Validation-Passed-A" +
	"&To=%2B15555550100&ToCity=SAN+FRANCISCO&ToCountry=US&ToState=CA&ToZip=94105" +
	"&msg=Gather+End"

// benchTarget is the welcome menu's gather callback, as Twilio calls it.
const benchTarget = "/ivr/welcome/gather?i=0&n=0"

// benchRequest is one request a benchmark serves again and again: the server's side of it is
// rebuilt in place, as net/http would hand a fresh one to the handler, without allocating.
type benchRequest struct {
	r    *http.Request
	body rewindBody
	text string
	w    discardWriter
}

// rewindBody is a request body that can be reset without allocating.
type rewindBody struct{ strings.Reader }

func (*rewindBody) Close() error { return nil }

// discardWriter is a ResponseWriter that keeps only the status and the body's length.
type discardWriter struct {
	h      http.Header
	status int
	n      int
	body   bytes.Buffer // only when capturing
	keep   bool
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(s int)   { w.status = s }
func (w *discardWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	if w.keep {
		w.body.Write(p)
	}
	return len(p), nil
}

// newBenchRequest returns a signed callback POST with Digits=digits; forged signs it with another
// token.
func newBenchRequest(tb testing.TB, digits string, forged bool) *benchRequest {
	tb.Helper()
	text := strings.Replace(benchCallback, "%s", digits, 1)
	params, err := url.ParseQuery(text)
	if err != nil {
		tb.Fatal(err)
	}
	if len(params) != 30 {
		tb.Fatalf("callback has %d fields, want 30", len(params))
	}
	token := testToken
	if forged {
		token = "fedcba9876543210fedcba9876543210"
	}
	full := testHost + benchTarget
	r := principalstest.NewPOSTBody(full, text, principalstest.Sign(token, full, params))
	r.RequestURI = benchTarget // as net/http's server sets it
	r.RemoteAddr = "192.0.2.10:40000"
	br := &benchRequest{r: r, text: text, w: discardWriter{h: http.Header{}}}
	return br
}

// reset makes br's request and writer as the server would hand them over.
func (br *benchRequest) reset() {
	br.body.Reset(br.text)
	br.r.Body, br.r.PostForm, br.r.Form = &br.body, nil, nil
	clear(br.w.h)
	br.w.status, br.w.n = 0, 0
	br.w.body.Reset()
}

// serve serves br once through h.
func (br *benchRequest) serve(h http.Handler) {
	br.reset()
	h.ServeHTTP(&br.w, br.r)
}

// benchApp returns an App that logs at level to nowhere, with the failed-auth limit given, and
// seals call state as `switchboard serve` does with a state key (bench/load.sh gives it one): the
// demo's answers carry their language (l=), so each holds a state token.
func benchApp(tb testing.TB, level slog.Level, failedAuthLimit float64) *App {
	tb.Helper()
	return newTestApp(tb, &Options{
		Logger:          slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: level})),
		FailedAuthLimit: failedAuthLimit,
		State:           newSealer(tb),
	})
}

// bareEcho is the floor: a bare Echo route that writes body with no checks at all.
func bareEcho(body []byte) http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	h := func(c echo.Context) error {
		w := c.Response()
		w.Header()["Content-Type"] = twimlType
		w.WriteHeader(http.StatusOK)
		_, err := w.Write(body)
		return err
	}
	e.POST("/ivr/welcome/gather", h)
	return e
}

// hmacEcho is the second floor, the least any server that checks a signature pays: bareEcho's
// route that first reads the whole body and computes one HMAC-SHA1 over the URL and the body
// (bench/bare --hmac, in process), with a pooled buffer and a pooled keyed HMAC.
func hmacEcho(body []byte) http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	type scratch struct {
		buf bytes.Buffer
		mac hash.Hash
		sum []byte
	}
	pool := sync.Pool{New: func() any {
		return &scratch{mac: hmac.New(sha1.New, []byte(testToken)), sum: make([]byte, 0, sha1.Size)}
	}}
	h := func(c echo.Context) error {
		s := pool.Get().(*scratch)
		defer pool.Put(s)
		r := c.Request()
		s.buf.Reset()
		if _, err := s.buf.ReadFrom(io.LimitReader(r.Body, 64<<10)); err != nil {
			return err
		}
		s.mac.Reset()
		io.WriteString(s.mac, testHost)
		io.WriteString(s.mac, r.RequestURI)
		s.mac.Write(s.buf.Bytes())
		s.sum = s.mac.Sum(s.sum[:0])
		w := c.Response()
		w.Header()["Content-Type"] = twimlType
		w.WriteHeader(http.StatusOK)
		_, err := w.Write(body)
		return err
	}
	e.POST("/ivr/welcome/gather", h)
	return e
}

// responseOf serves br once through h and returns the body written.
func responseOf(tb testing.TB, h http.Handler, br *benchRequest) []byte {
	tb.Helper()
	br.w.keep = true
	defer func() { br.w.keep = false }()
	br.serve(h)
	if br.w.status != http.StatusOK || br.w.h.Get("Content-Type") != twiml.ContentType {
		tb.Fatalf("status %d, Content-Type %q", br.w.status, br.w.h.Get("Content-Type"))
	}
	return bytes.Clone(br.w.body.Bytes())
}

// BenchmarkPipeline serves a signed Gather callback through the App (recover, body limit,
// signature, rate limit, authorization, the compiled flow, the log line and the metrics) and the
// same bytes from two floors: a bare Echo route with no checks (bare), and the same route reading
// the body and computing one HMAC-SHA1 over URL+body first (hmac), as bench/load.sh does. Compare
// ns/op and allocs/op of the floors and app on the same digit; forged must cost no more than
// valid.
//
// Digits=1 answers a <Redirect> to the sales menu; Digits=0 answers the <Dial> to the call
// center. The app logs to io.Discard at info (one line a request) or warn (lines only for
// failures, as `bench/load.sh` runs it). The forged request is signed with another token; with
// limit=20 the failed-auth rate limiter answers it after its burst, with limit=off every forged
// request is verified to the end.
func BenchmarkPipeline(b *testing.B) {
	for _, digits := range []string{"1", "0"} {
		valid := newBenchRequest(b, digits, false)
		want := responseOf(b, benchApp(b, slog.LevelWarn, 0), valid)
		bare := bareEcho(want)
		if got := responseOf(b, bare, valid); !bytes.Equal(got, want) {
			b.Fatalf("bare route answers %q, want %q", got, want)
		}
		run := func(name string, h http.Handler, br *benchRequest) {
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					br.serve(h)
				}
				if br.w.status != http.StatusOK {
					b.Fatalf("status %d", br.w.status)
				}
			})
		}
		prefix := "digits=" + digits + "/"
		run(prefix+"bare", bare, valid)
		hmacFloor := hmacEcho(want)
		if got := responseOf(b, hmacFloor, valid); !bytes.Equal(got, want) {
			b.Fatalf("hmac route answers %q, want %q", got, want)
		}
		run(prefix+"hmac", hmacFloor, valid)
		run(prefix+"app/valid/log=info", benchApp(b, slog.LevelInfo, 0), valid)
		run(prefix+"app/valid/log=warn", benchApp(b, slog.LevelWarn, 0), valid)
		if digits != "1" {
			continue
		}
		forged := newBenchRequest(b, digits, true)
		if got := responseOf(b, benchApp(b, slog.LevelWarn, -1), forged); bytes.Equal(got, want) {
			b.Fatal("the forged request was answered as a valid one")
		}
		run(prefix+"app/forged/limit=20/log=warn", benchApp(b, slog.LevelWarn, 0), forged)
		run(prefix+"app/forged/limit=off/log=warn", benchApp(b, slog.LevelWarn, -1), forged)
	}
}
