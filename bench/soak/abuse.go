package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Bounds the abuse phase checks, from what the server promises (README, "Operating Switchboard").
const (
	// Requests that do not authenticate write at most 10 lines a second after a burst of 20,
	// each field from the request clipped to 256 bytes: a line stays under 2 KiB.
	abuseLinesPerSecond = 10
	abuseLineBurst      = 20
	abuseMaxLineBytes   = 2 << 10
)

// abuseStats is what the abuse phase measures at its start and end. The heap is a reading that
// includes garbage; the check compares peaks through the phase.
type abuseStats struct {
	series   int     // switchboard_* series in /metrics
	heap     float64 // go_memstats_heap_alloc_bytes
	logBytes int64   // the size of the server's log
}

// abuse runs only the abusive mix for d with n clients, from a running server whose series have
// been warmed up by the main run, and checks that it costs nothing that stays: the number of
// series and the heap are flat, and the log grows by no more than its budget. Every request
// carries data of its own, so that any map or label keyed by request data would grow:
//
//   - a chunked body whose trailer is malformed, with distinct text;
//   - a slow body on a fresh connection (a fresh port) that the server's read timeout cuts;
//   - a long (30 KB) unknown path, distinct each time, under and outside the base path;
//   - a malformed form body and a signature of the right shape, distinct each time;
//   - a distinct wrong API key on /metrics, and a distinct signature header on a wrong method.
func (s *soak) abuse(d time.Duration, n int) (start, end abuseStats, sent int64, ok bool) {
	var seq atomic.Int64
	warm, cancelWarm := context.WithTimeout(context.Background(), 2*time.Second)
	s.abuseLoad(warm, n, &seq) // first use of every series the mix can reach
	cancelWarm()
	time.Sleep(12 * time.Second) // the slow bodies of the warm-up end (read timeout, 10 s)
	start = s.abuseStats()
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	before := seq.Load()
	// The heap holds garbage until the next collection, so one reading says little: sample it
	// through the phase, and compare the peaks of its middle and last thirds, as for RSS.
	var heaps []sample
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(max(d/30, 200*time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				h, _ := metric(s.metricsText(), "go_memstats_heap_alloc_bytes")
				heaps = append(heaps, sample{at: time.Since(began), rssB: h})
			}
		}
	}()
	s.abuseLoad(ctx, n, &seq)
	<-sampled
	sent = seq.Load() - before
	time.Sleep(12 * time.Second)
	elapsed := time.Since(began)
	end = s.abuseStats()

	ok = true
	if end.series > start.series {
		s.fail("abuse series", "abuse: switchboard_* series grew from %d to %d over %d distinct requests: request data became label values", start.series, end.series, sent)
		ok = false
	}
	if mid, last := thirdsPeak(heaps); mid > 0 && last > mid*1.25+8<<20 {
		s.fail("abuse heap", "abuse: the heap kept growing: the middle third peaked at %s, the last at %s", mib(mid), mib(last))
		ok = false
	}
	budget := int64(abuseLineBurst+abuseLinesPerSecond*elapsed.Seconds()+2*abuseLinesPerSecond) * abuseMaxLineBytes
	if grown := end.logBytes - start.logBytes; grown > budget {
		s.fail("abuse log", "abuse: the log grew by %d bytes in %s, over its budget of %d", grown, elapsed.Round(time.Second), budget)
		ok = false
	}
	return start, end, sent, ok
}

// abuseLoad sends the abusive mix with n clients until ctx is done, numbering every request.
func (s *soak) abuseLoad(ctx context.Context, n int, seq *atomic.Int64) {
	addr := strings.TrimPrefix(s.base, "http://")
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() {
			rng := mrand.New(mrand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			for ctx.Err() == nil {
				i := seq.Add(1)
				s.abuseOne(ctx, addr, rng, i)
			}
		})
	}
	wg.Wait()
}

func (s *soak) abuseOne(ctx context.Context, addr string, rng *mrand.Rand, i int64) {
	tag := fmt.Sprintf("%d-%s", i, randomHex(8))
	long := strings.Repeat("p", 30<<10)
	switch rng.IntN(7) {
	case 0: // malformed chunked trailer
		s.raw(addr, "POST /ivr/welcome HTTP/1.1\r\nHost: "+addr+"\r\nConnection: close\r\n"+
			"X-Twilio-Signature: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
			"Transfer-Encoding: chunked\r\n\r\n5\r\nDigit\r\n0\r\nbroken trailer "+tag+"\r\n\r\n", 0)
	case 1: // a slow body on a fresh port: the server's read timeout cuts it
		if rng.IntN(4) == 0 { // few at a time: each holds a connection for 10 s
			go s.raw(addr, "POST /ivr/welcome/gather?i=0&n=0 HTTP/1.1\r\nHost: "+addr+"\r\n"+
				"X-Twilio-Signature: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
				"Content-Length: 1000\r\n\r\nDigits=1&"+tag, 15*time.Second)
		}
	case 2:
		s.abuseRequest(ctx, http.MethodGet, "/"+tag+long, nil)
	case 3:
		s.abuseRequest(ctx, http.MethodPost, "/ivr/"+tag+long, http.Header{"X-Twilio-Signature": {"bad" + tag}})
	case 4:
		s.abuseRequest(ctx, http.MethodPost, "/ivr/welcome/gather?i=0&n=0", http.Header{
			"Content-Type": {"application/x-www-form-urlencoded"}, "X-Twilio-Signature": {"AAAAAAAAAAAAAAAAAAAAAAAAAAA="},
		}, "Digits=%zz"+tag)
	case 5:
		s.abuseRequest(ctx, http.MethodGet, "/metrics", http.Header{"Authorization": {"Bearer k" + tag}, "User-Agent": {tag}})
	default:
		s.abuseRequest(ctx, http.MethodDelete, "/ivr/welcome", http.Header{"X-Twilio-Signature": {tag}, "X-Abuse-" + tag[:6]: {tag}})
	}
}

// abuseRequest sends one request and reads the answer; whatever it is, the main run checked it.
func (s *soak) abuseRequest(ctx context.Context, method, path string, h http.Header, body ...string) {
	var r io.Reader
	if len(body) > 0 {
		r = strings.NewReader(body[0])
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, r)
	if err != nil {
		return
	}
	if h != nil {
		req.Header = h
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 500 {
		s.voice5xx.Add(1)
		s.fail("abuse 5xx", "abuse: %s %.60s… answered %d", method, path, resp.StatusCode)
	}
}

// raw writes text on a new connection and reads the answer, waiting at most wait (or 5 s).
func (s *soak) raw(addr, text string, wait time.Duration) {
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return
	}
	defer conn.Close()
	if wait == 0 {
		wait = 5 * time.Second
	}
	_ = conn.SetDeadline(time.Now().Add(wait))
	if _, err := conn.Write([]byte(text)); err != nil {
		return
	}
	if resp, err := http.ReadResponse(bufio.NewReader(conn), nil); err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// abuseStats measures the series, the heap and the log.
func (s *soak) abuseStats() abuseStats {
	text := s.metricsText()
	var st abuseStats
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "switchboard_") {
			st.series++
		}
	}
	st.heap, _ = metric(text, "go_memstats_heap_alloc_bytes")
	if fi, err := os.Stat(s.logPath); err == nil {
		st.logBytes = fi.Size()
	}
	return st
}
