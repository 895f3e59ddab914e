// Command soak drives a built `switchboard serve` on loopback for a bounded time with a mix of
// valid, forged, malformed and oversized requests, reloads the policy and the flow in the middle
// (rewriting the files, then SIGHUP; a broken flow is written and refused on the way), and checks
// the invariants a phone line lives by. Run it through bench/soak.sh.
//
//	go run ./bench/soak -bin /path/to/switchboard -duration 2m
//
// After the mixed load it sends only an abusive mix for -abuse (see abuse.go) and reports the
// number of series, the heap and the log's size at its start and end, which must stay flat.
//
// It exits 1 when an invariant breaks: a 5xx on a voice route, a forged request that heard a menu,
// a valid request that heard an error flow, a transport error on a request of normal size, a
// panic in the server's log, a reload that did not take, goroutines or RSS that keep growing,
// series, heap or log that grow under abuse, or a shutdown that was not clean.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/switchboard-ivr/switchboard"
	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

// Numbers of the default policy.csv.
const (
	staffNumber = "+15555550123"
	otherNumber = "+15555550142"
)

// What the error flows of demo.yaml say first, in English and Spanish; the forbidden ones first.
var errorSays = []string{
	"Sorry, this line cannot take your call.",
	"We could not verify this call.",
	"We're sorry, we could not verify this call.",
	"This line is for Acme staff only.", // the staff menu's own forbidden flow
	"We're sorry, something went wrong.",
	"That option is not available.",
	"Esa opción no está disponible.",
	"Lo sentimos, algo salió mal.",
}

func main() {
	bin := flag.String("bin", "", "the switchboard binary to run (required)")
	duration := flag.Duration("duration", envDuration("SOAK_DURATION", 2*time.Minute), "how long to send requests [SOAK_DURATION]")
	workers := flag.Int("concurrency", envInt("SOAK_CONCURRENCY", 8), "concurrent clients [SOAK_CONCURRENCY]")
	authLimit := flag.String("failed-auth-limit", envString("SOAK_FAILED_AUTH_LIMIT", "500"),
		"the server's failed-signature limit per second per address; low values send most forged requests down the rate-limited path [SOAK_FAILED_AUTH_LIMIT]")
	keep := flag.Bool("keep", false, "keep the temporary directory (server log, files)")
	abuseFor := flag.Duration("abuse", envDuration("SOAK_ABUSE_DURATION", 20*time.Second),
		"after the mixed load, how long to send only the abusive mix and check that series, heap and log stay flat; 0 skips it [SOAK_ABUSE_DURATION]")
	flag.Parse()
	if *bin == "" {
		fmt.Fprintln(os.Stderr, "soak: -bin is required")
		os.Exit(2)
	}
	s, err := start(*bin, *authLimit)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
	s.abuseFor = *abuseFor
	if !*keep {
		defer os.RemoveAll(s.dir)
	}
	ok := s.run(*duration, *workers)
	if *keep {
		fmt.Println("files and server log kept in", s.dir)
	}
	if !ok {
		fmt.Println("SOAK FAILED")
		os.Exit(1)
	}
	fmt.Println("SOAK PASSED")
}

// soak is one run: the server process, its files, the client and the tallies.
type soak struct {
	dir, flow, policy, keys, logPath string
	token, scrapeKey, base           string
	cmd                              *exec.Cmd
	abuseFor                         time.Duration
	exited                           chan error
	client                           *http.Client

	mu      sync.Mutex
	counts  map[string]int // "<class> <outcome>"
	samples []sample
	notes   []string // invariant failures, with an example each
	noted   map[string]bool

	total, voice5xx, forgedMenu, validRefused, transport atomic.Int64
}

type sample struct {
	at               time.Duration
	goroutines, rssB float64
}

func start(bin, authLimit string) (*soak, error) {
	dir, err := os.MkdirTemp("", "switchboard-soak-")
	if err != nil {
		return nil, err
	}
	s := &soak{dir: dir, counts: map[string]int{}, noted: map[string]bool{},
		flow: filepath.Join(dir, "flow.yaml"), policy: filepath.Join(dir, "policy.csv"),
		keys: filepath.Join(dir, "keys"), logPath: filepath.Join(dir, "server.log"),
		token: randomHex(16), scrapeKey: randomHex(24)}
	if err := writeAtomically(s.flow, switchboard.DemoFlow, 0o644); err != nil {
		return nil, err
	}
	if err := writeAtomically(s.policy, switchboard.DefaultPolicy, 0o644); err != nil {
		return nil, err
	}
	if err := writeAtomically(s.keys, "soak "+principals.HashAPIKey(s.scrapeKey)+" monitoring\n", 0o600); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	s.base = "http://" + addr
	logf, err := os.Create(s.logPath)
	if err != nil {
		return nil, err
	}
	s.cmd = exec.Command(bin, "serve", "--flow", s.flow, "--policy", s.policy, "--keys", s.keys,
		"--addr", addr, "--log-format", "json", "--failed-auth-limit", authLimit)
	s.cmd.Env = append(os.Environ(), "TWILIO_AUTH_TOKEN="+s.token, "TWILIO_VALIDATE_SIGNATURE=true")
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	s.exited = make(chan error, 1)
	go func() { s.exited <- s.cmd.Wait(); logf.Close() }()
	s.client = &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			MaxIdleConnsPerHost: 64, DisableCompression: true,
			DialContext: (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := s.client.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case err := <-s.exited:
			log, _ := os.ReadFile(s.logPath)
			return nil, fmt.Errorf("the server exited before it answered (%v):\n%s", err, log)
		default:
		}
		if time.Now().After(deadline) {
			_ = s.cmd.Process.Kill()
			return nil, errors.New("the server did not answer /healthz within 15 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// run sends traffic for d with n clients, reloads in the middle, then reports.
func (s *soak) run(d time.Duration, n int) bool {
	began := time.Now()
	startG, startRSS, err := s.scrape()
	if err != nil {
		s.fail("scrape", "the first /metrics scrape failed: %v", err)
	}
	s.samples = append(s.samples, sample{0, startG, startRSS})

	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := mrand.New(mrand.NewPCG(uint64(i), uint64(time.Now().UnixNano())))
			for ctx.Err() == nil {
				s.one(rng)
			}
		}()
	}
	reloads := s.reloads(ctx, d)
	ticker := time.NewTicker(max(d/12, time.Second))
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-ticker.C:
			if g, rss, err := s.scrape(); err == nil {
				s.mu.Lock()
				s.samples = append(s.samples, sample{time.Since(began), g, rss})
				s.mu.Unlock()
			}
		}
	}
	ticker.Stop()
	wg.Wait()
	reloadNotes := <-reloads

	// Abuse: only requests that must cost nothing that stays, each with data of its own.
	var abuseReport string
	if s.abuseFor > 0 {
		st, en, sent, ok := s.abuse(s.abuseFor, n)
		verdict := "flat"
		if !ok {
			verdict = "GREW"
		}
		abuseReport = fmt.Sprintf("abuse (%s, %d requests with distinct data: malformed chunked trailers, slow bodies from fresh ports,\n"+
			"       30 KB unknown paths, malformed bodies, wrong keys, odd headers): %s\n"+
			"  switchboard_* series  start %6d   end %6d\n"+
			"  heap                  start %8s end %8s (readings, garbage included; the check compares peaks through the phase)\n"+
			"  log bytes             start %8d end %8d (+%d)\n",
			s.abuseFor, sent, verdict, st.series, en.series, mib(st.heap), mib(en.heap), st.logBytes, en.logBytes, en.logBytes-st.logBytes)
	}

	// Idle: let keep-alive connections go, then measure again.
	s.client.CloseIdleConnections()
	time.Sleep(2 * time.Second)
	endG, endRSS, err := s.scrape()
	if err != nil {
		s.fail("scrape", "the last /metrics scrape failed: %v", err)
	}
	s.client.CloseIdleConnections()
	metricsText := s.metricsText()

	// SIGTERM: the server must finish and exit 0.
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	shutdown := "clean (exit 0)"
	select {
	case err := <-s.exited:
		if err != nil {
			shutdown = "exit error: " + err.Error()
			s.fail("shutdown", "SIGTERM did not end in a clean exit: %v", err)
		}
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		shutdown = "hung, killed"
		s.fail("shutdown", "the server did not exit within 20 s of SIGTERM")
	}
	serverLog, _ := os.ReadFile(s.logPath)
	panics := bytes.Count(serverLog, []byte(`"msg":"panic"`))
	if panics > 0 {
		s.fail("panic", "the server logged %d panics", panics)
	}

	// Growth: the server must come back to about where it started once idle, and RSS must not
	// climb through the run (the last third's peak against the middle third's).
	if endG > startG+20 {
		s.fail("goroutines", "goroutines grew from %.0f to %.0f", startG, endG)
	}
	if mid, last := thirdsPeak(s.samples); mid > 0 && last > mid*1.25+16<<20 {
		s.fail("rss", "RSS kept growing: middle third peaked at %s, last third at %s", mib(mid), mib(last))
	}

	elapsed := time.Since(began)
	var b strings.Builder
	fmt.Fprintf(&b, "switchboard soak: %s of traffic with %d clients on %s (%s total)\n", d, n, s.base, elapsed.Round(time.Second))
	fmt.Fprintf(&b, "requests: %d (%.0f/s)\n", s.total.Load(), float64(s.total.Load())/d.Seconds())
	fmt.Fprintf(&b, "by kind and outcome:\n")
	keys := make([]string, 0, len(s.counts))
	for k := range s.counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "  %-52s %9d\n", k, s.counts[k])
	}
	fmt.Fprintf(&b, "server counters (/metrics):\n")
	for _, series := range []string{
		`switchboard_requests_total{outcome="rate_limited"`,
		`switchboard_requests_total{outcome="too_large"`,
		`switchboard_requests_total{outcome="internal"`,
		`switchboard_auth_failures_total`,
		`switchboard_reloads_total`,
	} {
		for _, l := range strings.Split(metricsText, "\n") {
			if strings.HasPrefix(l, series) {
				fmt.Fprintf(&b, "  %s\n", l)
			}
		}
	}
	fmt.Fprintf(&b, "reloads: %s\n", strings.Join(reloadNotes, "; "))
	b.WriteString(abuseReport)
	fmt.Fprintf(&b, "invariants:\n")
	fmt.Fprintf(&b, "  5xx on voice routes                      %d (must be 0)\n", s.voice5xx.Load())
	fmt.Fprintf(&b, "  forged requests that heard a menu        %d (must be 0)\n", s.forgedMenu.Load())
	fmt.Fprintf(&b, "  valid requests that heard an error flow  %d (must be 0)\n", s.validRefused.Load())
	fmt.Fprintf(&b, "  transport errors, requests of normal size %d (must be 0)\n", s.transport.Load())
	fmt.Fprintf(&b, "  panics in the server log                 %d (must be 0)\n", panics)
	fmt.Fprintf(&b, "  shutdown on SIGTERM                      %s\n", shutdown)
	fmt.Fprintf(&b, "goroutines: start %.0f, end %.0f (idle)\n", startG, endG)
	fmt.Fprintf(&b, "RSS: start %s, end %s (idle)\n", mib(startRSS), mib(endRSS))
	fmt.Fprintf(&b, "samples under load (t, goroutines, RSS):")
	for i, sm := range s.samples {
		if i%4 == 0 {
			b.WriteString("\n ")
		}
		fmt.Fprintf(&b, "  %5s %4.0f %8s", sm.at.Round(time.Second), sm.goroutines, mib(sm.rssB))
	}
	b.WriteString("\n")
	if len(s.notes) > 0 {
		fmt.Fprintf(&b, "FAILURES:\n")
		for _, n := range s.notes {
			fmt.Fprintf(&b, "  %s\n", n)
		}
	}
	fmt.Print(b.String())
	return len(s.notes) == 0
}

// reloads rewrites the policy at 40% of the run, writes a broken flow at 50% (refused, the
// running flow stays), and a changed flow at 60%, each followed by SIGHUP. It checks each took
// effect (or did not) and sends back a line per step when the run ends.
func (s *soak) reloads(ctx context.Context, d time.Duration) <-chan []string {
	out := make(chan []string, 1)
	go func() {
		var notes []string
		wait := func(frac float64, began time.Time) bool {
			select {
			case <-ctx.Done():
				return false
			case <-time.After(time.Until(began.Add(time.Duration(frac * float64(d))))):
				return true
			}
		}
		began := time.Now()
		hup := func() { _ = s.cmd.Process.Signal(syscall.SIGHUP) }
		if wait(0.4, began) {
			// Block the stranger's number: a visible change, on a number the load does not use
			// for valid calls.
			policy := switchboard.DefaultPolicy + "\ng, caller:+15555550177, group:blocked\n"
			if err := writeAtomically(s.policy, policy, 0o644); err != nil {
				s.fail("reload", "writing the policy: %v", err)
			}
			hup()
			if s.eventually(func() bool { return s.heard("/ivr/welcome", "+15555550177") == "forbidden" }) {
				notes = append(notes, "policy reloaded at 40% (a newly blocked caller hears the forbidden flow)")
			} else {
				s.fail("reload", "the policy reload at 40%% did not take within 10 s")
			}
		}
		if wait(0.5, began) {
			broken := strings.Replace(switchboard.DemoFlow, `"1": sales`, `"1": nowhere`, 1)
			if err := writeAtomically(s.flow, broken, 0o644); err != nil {
				s.fail("reload", "writing the broken flow: %v", err)
			}
			hup()
			time.Sleep(3 * time.Second) // SIGHUP and the 2 s watcher both try it
			if s.heard("/ivr/welcome", otherNumber) == "menu" {
				notes = append(notes, "broken flow refused at 50% (the running flow kept answering)")
			} else {
				s.fail("reload", "after a broken flow was written the menu stopped answering")
			}
		}
		if wait(0.6, began) {
			changed := strings.Replace(switchboard.DemoFlow, "Thanks for calling Acme.", "Thanks for calling Acme, after a reload.", 1)
			if err := writeAtomically(s.flow, changed, 0o644); err != nil {
				s.fail("reload", "writing the flow: %v", err)
			}
			hup()
			if s.eventually(func() bool { return strings.Contains(s.body("/ivr/welcome", otherNumber), "after a reload") }) {
				notes = append(notes, "flow reloaded at 60% (the welcome menu says the new text)")
			} else {
				s.fail("reload", "the flow reload at 60%% did not take within 10 s")
			}
		}
		<-ctx.Done()
		out <- notes
	}()
	return out
}

func (s *soak) eventually(cond func() bool) bool {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// heard sends one valid call and names what it heard.
func (s *soak) heard(path, caller string) string {
	return classify(s.body(path, caller))
}

func (s *soak) body(path, caller string) string {
	params := callParams(caller)
	req, _ := http.NewRequest(http.MethodPost, s.base+path, strings.NewReader(params.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", principalstest.Sign(s.token, s.base+path, params))
	resp, err := s.client.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// classify names a voice answer: "menu" for any TwiML that is not an error flow, "forbidden" or
// "error" for the error flows, "not twiml" otherwise.
func classify(body string) string {
	if !strings.Contains(body, "<Response>") {
		return "not twiml"
	}
	for i, say := range errorSays {
		if strings.Contains(body, ">"+strings.ReplaceAll(say, "'", "&#39;")+"<") || strings.Contains(body, ">"+say+"<") {
			if i < 4 {
				return "forbidden"
			}
			return "error"
		}
	}
	return "menu"
}

// A request the load sends, and what it must hear.
type request struct {
	class   string // valid, forged, malformed, oversized, ops
	name    string
	method  string
	path    string
	body    io.Reader
	length  int64 // -1 for chunked
	header  http.Header
	expect  string // "menu", "error" (any error flow), or a status code for ops routes
	voice   bool
	bigBody bool
}

// one sends one request drawn from the mix and checks what came back.
func (s *soak) one(rng *mrand.Rand) {
	q := s.draw(rng)
	req, err := http.NewRequest(q.method, s.base+q.path, q.body)
	if err != nil {
		panic(err)
	}
	req.Header = q.header
	if q.length >= 0 {
		req.ContentLength = q.length
	} else {
		req.ContentLength = -1
	}
	s.total.Add(1)
	resp, err := s.client.Do(req)
	if err != nil {
		if q.bigBody {
			s.count(q, "connection closed early")
			return
		}
		s.count(q, "transport error")
		s.transport.Add(1)
		s.fail("transport "+q.name, "%s %s: %v", q.class, q.name, err)
		return
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !q.voice {
		outcome := strconv.Itoa(resp.StatusCode)
		s.count(q, outcome)
		if outcome != q.expect && !slices.Contains(strings.Split(q.expect, " or "), outcome) {
			s.fail("ops "+q.name, "%s: status %s, want %s", q.name, outcome, q.expect)
		}
		return
	}
	if resp.StatusCode >= 500 {
		s.voice5xx.Add(1)
		s.count(q, "5xx")
		s.fail("5xx "+q.name, "%s %s: status %d", q.class, q.name, resp.StatusCode)
		return
	}
	got := classify(string(b))
	if resp.StatusCode != http.StatusOK {
		got = "status " + strconv.Itoa(resp.StatusCode)
	}
	s.count(q, got)
	switch {
	case q.expect == "error" && got == "menu":
		s.forgedMenu.Add(1)
		s.fail("forged menu "+q.name, "%s %s heard a menu:\n%s", q.class, q.name, b)
	case q.expect == "menu" && got != "menu":
		s.validRefused.Add(1)
		s.fail("valid refused "+q.name, "%s %s heard %s:\n%s", q.class, q.name, got, b)
	case q.expect == "error" && got != "forbidden" && got != "error":
		s.fail("bad answer "+q.name, "%s %s heard %s:\n%s", q.class, q.name, got, b)
	}
}

func (s *soak) count(q request, outcome string) {
	s.mu.Lock()
	s.counts[fmt.Sprintf("%-9s %-26s %s", q.class, q.name, outcome)]++
	s.mu.Unlock()
}

// fail records a broken invariant, once per key with its first example.
func (s *soak) fail(key, format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.noted[key] {
		return
	}
	s.noted[key] = true
	msg := fmt.Sprintf(format, args...)
	if len(msg) > 600 {
		msg = msg[:600] + "…"
	}
	s.notes = append(s.notes, msg)
}

var (
	validDigits = []string{"1", "2", "3", "4", "5", "0", "7", "9", "*", "8", "12", strings.Repeat("1", 1000), "\xff\xfe", "1\x00"}
	bigPad      = strings.Repeat("x", 1<<20)
)

// draw picks a request: half valid, a fifth forged, the rest malformed, oversized and ops.
func (s *soak) draw(rng *mrand.Rand) request {
	form := func(q request, params url.Values, sig string) request {
		body := params.Encode()
		q.method, q.body, q.length, q.voice = http.MethodPost, strings.NewReader(body), int64(len(body)), true
		q.header = http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
		if sig != "" {
			q.header.Set("X-Twilio-Signature", sig)
		}
		return q
	}
	signed := func(q request, params url.Values) request {
		return form(q, params, principalstest.Sign(s.token, s.base+q.path, params))
	}
	gather := "/ivr/welcome/gather?i=" + strconv.Itoa(rng.IntN(3)) + "&n=" + strconv.Itoa(rng.IntN(3))
	p := rng.IntN(100)
	switch {
	case p < 50: // valid
		q := request{class: "valid", expect: "menu"}
		switch rng.IntN(6) {
		case 0:
			q.name, q.path = "welcome", "/ivr/welcome"
			return signed(q, callParams(otherNumber))
		case 1, 2:
			q.name, q.path = "welcome digits", gather
			return signed(q, callParams(otherNumber, "Digits", validDigits[rng.IntN(len(validDigits))]))
		case 3:
			q.name, q.path = "support speech", "/ivr/support/gather?i=0&n=0"
			return signed(q, callParams(otherNumber, "SpeechResult", "billing please"))
		case 4:
			q.name, q.path = "staff extension", "/ivr/staff/gather?i=0&n=0"
			return signed(q, callParams(staffNumber, "Digits", "0101"))
		default:
			q.name, q.path = "spanish GET", "/ivr/es/main?From=%2B15555550142"
			q.method, q.body, q.length, q.voice = http.MethodGet, nil, 0, true
			q.header = http.Header{"X-Twilio-Signature": {principalstest.Sign(s.token, s.base+q.path, nil)}}
			return q
		}
	case p < 70: // forged
		q := request{class: "forged", expect: "error", path: "/ivr/welcome"}
		switch rng.IntN(5) {
		case 0:
			q.name = "wrong token"
			return form(q, callParams(otherNumber), principalstest.Sign("not-the-token", s.base+q.path, callParams(otherNumber)))
		case 1:
			q.name = "no signature"
			return form(q, callParams(otherNumber), "")
		case 2:
			q.name = "tampered caller"
			q.path = "/ivr/staff"
			return form(q, callParams(staffNumber), principalstest.Sign(s.token, s.base+q.path, callParams(otherNumber)))
		case 3:
			q.name = "signed for another host"
			return form(q, callParams(otherNumber), principalstest.Sign(s.token, "https://evil.example"+q.path, callParams(otherNumber)))
		default:
			q.name = "forwarded https claim"
			q = form(q, callParams(otherNumber), principalstest.Sign(s.token, "https://ivr.example"+q.path, callParams(otherNumber)))
			q.header.Set("X-Forwarded-Proto", "https")
			q.header.Set("X-Forwarded-Host", "ivr.example")
			return q
		}
	case p < 85: // malformed
		q := request{class: "malformed", expect: "error", path: "/ivr/welcome/gather?i=0&n=0"}
		switch rng.IntN(5) {
		case 0:
			q.name = "bad percent escape"
			q = form(q, callParams(otherNumber), principalstest.Sign(s.token, s.base+q.path, callParams(otherNumber, "Digits", "1")))
			body := callParams(otherNumber).Encode() + "&Digits=%zz"
			q.body, q.length = strings.NewReader(body), int64(len(body))
			return q
		case 1:
			q.name = "signature not base64"
			return form(q, callParams(otherNumber, "Digits", "1"), "!!!not*base64???")
		case 2:
			q.name = "duplicate signature"
			q = signed(q, callParams(otherNumber, "Digits", "1"))
			q.header["X-Twilio-Signature"] = append(q.header["X-Twilio-Signature"], q.header.Get("X-Twilio-Signature"))
			return q
		case 3:
			q.name = "JSON without bodySHA256"
			q = form(q, nil, principalstest.Sign(s.token, s.base+q.path, nil))
			q.body, q.length = strings.NewReader(`{"Digits":"1"}`), 14
			q.header.Set("Content-Type", "application/json")
			return q
		default:
			q.name = "garbage body"
			b := make([]byte, 256)
			for i := range b {
				b[i] = byte(rng.IntN(256))
			}
			q = form(q, nil, principalstest.Sign(s.token, s.base+q.path, callParams(otherNumber)))
			q.body, q.length = bytes.NewReader(b), int64(len(b))
			return q
		}
	case p < 95: // oversized
		q := request{class: "oversized", expect: "error", path: "/ivr/welcome", bigBody: true}
		size := 100<<10 + rng.IntN(900<<10)
		body := "From=" + bigPad[:size]
		q = form(q, nil, principalstest.Sign(s.token, s.base+q.path, url.Values{"From": {bigPad[:size]}}))
		q.body = strings.NewReader(body)
		if rng.IntN(2) == 0 {
			q.name, q.length = "1 MB or less, with length", int64(len(body))
		} else {
			q.name, q.length = "1 MB or less, chunked", -1
		}
		return q
	default: // ops
		q := request{class: "ops", method: http.MethodGet, header: http.Header{}}
		switch rng.IntN(4) {
		case 0:
			q.name, q.path, q.expect = "healthz", "/healthz", "200"
		case 1:
			// 503 while the broken flow written at 50% is on disk: /readyz reports a failed
			// reload until a good one (the running configuration still answers calls).
			q.name, q.path, q.expect = "readyz", "/readyz", "200 or 503"
		case 2:
			q.name, q.path, q.expect = "metrics without a key", "/metrics", "401"
		default:
			q.name, q.path, q.expect = "metrics with a key", "/metrics", "200"
			q.header.Set("Authorization", "Bearer "+s.scrapeKey)
		}
		return q
	}
}

func callParams(caller string, extra ...string) url.Values {
	v := url.Values{
		"AccountSid": {"AC0123456789abcdef0123456789abcdef"},
		"CallSid":    {"CA" + randomHex(16)},
		"From":       {caller},
		"To":         {"+15555550100"},
		"Direction":  {"inbound"},
		"CallStatus": {"in-progress"},
	}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

// scrape returns go_goroutines and process_resident_memory_bytes from /metrics.
func (s *soak) scrape() (goroutines, rss float64, err error) {
	text := s.metricsText()
	if text == "" {
		return 0, 0, errors.New("no /metrics")
	}
	g, ok1 := metric(text, "go_goroutines")
	r, ok2 := metric(text, "process_resident_memory_bytes")
	if !ok1 || !ok2 {
		return 0, 0, errors.New("/metrics lacks go_goroutines or process_resident_memory_bytes")
	}
	return g, r, nil
}

func (s *soak) metricsText() string {
	req, _ := http.NewRequest(http.MethodGet, s.base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+s.scrapeKey)
	resp, err := s.client.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ""
	}
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func metric(text, name string) (float64, bool) {
	for _, l := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(l, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f, err == nil
		}
	}
	return 0, false
}

// thirdsPeak returns the peak RSS of the middle and the last third of the samples.
func thirdsPeak(ss []sample) (mid, last float64) {
	if len(ss) < 6 {
		return 0, 0
	}
	n := len(ss)
	for _, s := range ss[n/3 : 2*n/3] {
		mid = max(mid, s.rssB)
	}
	for _, s := range ss[2*n/3:] {
		last = max(last, s.rssB)
	}
	return mid, last
}

func mib(b float64) string { return fmt.Sprintf("%.1fMiB", b/(1<<20)) }

func writeAtomically(path, text string, perm os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), perm); err != nil {
		return err
	}
	if err := os.Chmod(tmp, perm); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil && d > 0 {
		return d
	}
	return def
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

func envString(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
