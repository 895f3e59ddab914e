package framework

// Hardening: bad input, faults, abuse, secrets, start-up refusals and operations, mostly over a
// real loopback listener so that net/http's own limits and timeouts are part of what is tested.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
	"github.com/switchboard-ivr/switchboard/twiml"
)

// What each flow of demo.yaml says first, to tell which one answered.
const (
	sayForbidden       = "Sorry, this line cannot take your call." // verified but refused
	sayUnauthenticated = "We could not verify this call."          // forged or unsigned
	sayInternal        = "We're sorry, something went wrong."
	sayNotFound        = "That option is not available."
	sayInvalid         = "Sorry, that is not an option."
)

// Operator keys for the keys-file tests; only their hashes are written to disk.
const (
	scrapeKey = "monitor-key-7f3a9c1e5b2d4f6a8c0e1b3d5f7a9c1e"
	opsKey    = "operator-key-2b4d6f8a0c1e3b5d7f9a1c3e5b7d9f1a"
	rootKey   = "admin-key-9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"
)

// logCapture is an io.Writer that keeps every log line, safe for the server's goroutines.
type logCapture struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (c *logCapture) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.b.Write(p)
}

func (c *logCapture) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.b.String()
}

// lines returns the JSON log lines decoded.
func (c *logCapture) lines(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(c.String()), "\n") {
		if l == "" {
			continue
		}
		m := map[string]any{}
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %v\n%s", err, l)
		}
		out = append(out, m)
	}
	return out
}

// hardenedApp returns an App whose Twilio policy is built from tw (Tokens default to testToken)
// and whose JSON log, at debug level, is captured unless opts sets a Logger. opts may be nil; its
// Policies come after the Twilio policy.
func hardenedApp(t testing.TB, tw principals.TwilioOptions, opts *Options) (*App, *logCapture) {
	t.Helper()
	if len(tw.Tokens) == 0 && !tw.Disabled {
		tw.Tokens = []principals.Secret{principals.NewSecret(testToken)}
	}
	p, err := principals.NewTwilio(tw)
	if err != nil {
		t.Fatal(err)
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	o.Policies = append([]principals.Policy{p}, o.Policies...)
	logs := &logCapture{}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	app, err := New(&o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log:\n%s", logs)
		}
	})
	return app, logs
}

// listen serves app on a loopback port until the test ends and returns the address.
func listen(t testing.TB, app *App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// wireBytes returns r as an HTTP/1.1 client sends it.
func wireBytes(t testing.TB, r *http.Request) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := r.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// exchangeRaw sends raw on a new connection to addr (half-closing it after when halfClose) and
// returns the response and its body. Write errors are ignored: a server may answer and close
// before an oversized body is sent.
func exchangeRaw(t testing.TB, addr string, raw []byte, halfClose bool) (*http.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	go func() {
		_, _ = conn.Write(raw)
		if halfClose {
			_ = conn.(*net.TCPConn).CloseWrite()
		}
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no response: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the response body: %v", err)
	}
	return resp, string(body)
}

// heard names what a voice response is: "menu" (a Gather), or the flow its first <Say> belongs
// to. It fails the test unless the response is 200 text/xml with a <Response> root.
func heard(t testing.TB, code int, contentType, body string) string {
	t.Helper()
	if code != http.StatusOK {
		t.Fatalf("status %d, want 200 on a voice route; body:\n%s", code, body)
	}
	if contentType != twiml.ContentType {
		t.Fatalf("Content-Type %q, want %q; body:\n%s", contentType, twiml.ContentType, body)
	}
	n, err := parseXML(body)
	if err != nil || n == nil || n.Name != "Response" {
		t.Fatalf("not TwiML (%v):\n%s", err, body)
	}
	if says := n.says(); len(says) > 0 {
		switch says[0] {
		case sayForbidden, sayUnauthenticated: // both are refusals
			return "forbidden"
		case sayInternal:
			return "internal"
		case sayNotFound:
			return "not_found"
		case sayInvalid:
			return "invalid"
		}
	}
	if n.find("Gather") != nil {
		return "menu"
	}
	return fmt.Sprintf("other %q", n.says())
}

func heardRecorder(t testing.TB, w *httptest.ResponseRecorder) string {
	t.Helper()
	return heard(t, w.Code, w.Header().Get("Content-Type"), w.Body.String())
}

// sample scrapes app's metrics and returns the value of one series, written as in the exposition
// format (labels in alphabetical order), or 0 when it is absent.
func sample(t testing.TB, app *App, series string) float64 {
	t.Helper()
	w := httptest.NewRecorder()
	app.met.handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, l := range strings.Split(w.Body.String(), "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			var f float64
			if _, err := fmt.Sscan(v, &f); err != nil {
				t.Fatalf("series %s: %v", series, err)
			}
			return f
		}
	}
	return 0
}

// postRaw returns a form POST to target (under testHost) with a raw body and signature.
func postRaw(target, body, signature string) *http.Request {
	return principalstest.NewPOSTBody(testHost+target, body, signature)
}

func TestBadInputNeverBreaksAVoiceRoute(t *testing.T) {
	const welcome, gather = "/ivr/welcome", "/ivr/welcome/gather?i=0&n=0"
	sign := func(target string, params url.Values) string {
		return principalstest.Sign(testToken, testHost+target, params)
	}
	signed := func(target string, params url.Values) *http.Request {
		return principalstest.NewPOST(testToken, testHost+target, params)
	}
	manyFields := func() url.Values {
		v := principalstest.CallParams(otherNumber)
		for range 10_000 {
			v.Add("a", "")
		}
		return v
	}
	big := strings.Repeat("Digits=1&", 10<<20/9)
	tests := []struct {
		name      string
		given     func(t *testing.T) []byte
		halfClose bool
		expect    string
	}{
		{name: "EmptyUnsignedBodyHearsTheForbiddenFlow", expect: "forbidden", given: func(t *testing.T) []byte {
			r := postRaw(welcome, "", "")
			r.Header.Del("X-Twilio-Signature")
			return wireBytes(t, r)
		}},
		{name: "EmptySignedBodyHearsTheMenu", expect: "menu", given: func(t *testing.T) []byte {
			return wireBytes(t, signed(welcome, url.Values{}))
		}},
		{name: "TruncatedFormHearsTheForbiddenFlow", halfClose: true, expect: "forbidden", given: func(t *testing.T) []byte {
			raw := string(wireBytes(t, signed(welcome, principalstest.CallParams(otherNumber))))
			return []byte(raw[:len(raw)-40]) // Content-Length promises 40 bytes more than arrive
		}},
		{name: "InvalidPercentEncodingInTheBodyHearsTheForbiddenFlow", expect: "forbidden", given: func(t *testing.T) []byte {
			body := principalstest.CallParams(otherNumber).Encode() + "&Digits=%zz"
			return wireBytes(t, postRaw(gather, body, sign(gather, principalstest.CallParams(otherNumber, "Digits", "%zz"))))
		}},
		{name: "InvalidPercentEncodingInASignedQueryHearsTheNotFoundFlow", expect: "not_found", given: func(t *testing.T) []byte {
			return wireBytes(t, signed("/ivr/welcome/gather?i=%zz&n=%", principalstest.CallParams(otherNumber, "Digits", "7")))
		}},
		{name: "TenMegabyteBodyHearsTheForbiddenFlow", expect: "forbidden", given: func(t *testing.T) []byte {
			return wireBytes(t, postRaw(welcome, big, sign(welcome, principalstest.CallParams(otherNumber))))
		}},
		{name: "TenMegabyteChunkedBodyHearsTheForbiddenFlow", expect: "forbidden", given: func(t *testing.T) []byte {
			r := postRaw(welcome, "", sign(welcome, principalstest.CallParams(otherNumber)))
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader(big)), -1
			r.TransferEncoding = []string{"chunked"}
			return wireBytes(t, r)
		}},
		{name: "TenThousandSignedFormFieldsHearTheMenu", expect: "menu", given: func(t *testing.T) []byte {
			return wireBytes(t, signed(welcome, manyFields()))
		}},
		{name: "TenThousandForgedFormFieldsHearTheForbiddenFlow", expect: "forbidden", given: func(t *testing.T) []byte {
			return wireBytes(t, postRaw(welcome, manyFields().Encode(), sign(welcome, principalstest.CallParams(otherNumber))))
		}},
		{name: "NULByteInASignedValueIsAnInvalidChoice", expect: "invalid", given: func(t *testing.T) []byte {
			return wireBytes(t, signed(gather, principalstest.CallParams(otherNumber, "Digits", "1\x00")))
		}},
		{name: "NULByteInASignedCallerKeepsTheMenuButNoCallerPrincipal", expect: "menu", given: func(t *testing.T) []byte {
			return wireBytes(t, signed(welcome, principalstest.CallParams(staffNumber+"\x00")))
		}},
		{name: "NonUTF8SignedDigitsAreAnInvalidChoice", expect: "invalid", given: func(t *testing.T) []byte {
			return wireBytes(t, signed(gather, principalstest.CallParams(otherNumber, "Digits", "\xff\xfe\xc0")))
		}},
		{name: "ThousandSignedDigitsAreAnInvalidChoice", expect: "invalid", given: func(t *testing.T) []byte {
			return wireBytes(t, signed(gather, principalstest.CallParams(otherNumber, "Digits", strings.Repeat("1", 1000))))
		}},
		{name: "WrongContentTypeForgedHearsTheForbiddenFlow", expect: "forbidden", given: func(t *testing.T) []byte {
			r := postRaw(welcome, principalstest.CallParams(otherNumber).Encode(), sign(welcome, principalstest.CallParams(staffNumber)))
			r.Header.Set("Content-Type", "text/plain")
			return wireBytes(t, r)
		}},
		{name: "WrongContentTypeOnASignedFormStillVerifiesTheSignedBytes", expect: "menu", given: func(t *testing.T) []byte {
			r := signed(welcome, principalstest.CallParams(otherNumber))
			r.Header.Set("Content-Type", "text/plain")
			return wireBytes(t, r)
		}},
		{name: "SignedGETWithABodyIsSignedByItsURLAlone", expect: "menu", given: func(t *testing.T) []byte {
			r := principalstest.NewGET(testToken, testHost+welcome)
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader("Digits=1")), 8
			return wireBytes(t, r)
		}},
		{name: "ForgedGETWithASignedLookingBodyHearsTheForbiddenFlow", expect: "forbidden", given: func(t *testing.T) []byte {
			r := principalstest.NewGET(testToken, testHost+welcome)
			r.Method = http.MethodGet
			r.URL.RawQuery = "From=" + url.QueryEscape(staffNumber) // not what was signed
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader("Digits=1")), 8
			return wireBytes(t, r)
		}},
		{name: "DuplicateSignatureHeaderHearsTheForbiddenFlowEvenWhenBothAreValid", expect: "forbidden", given: func(t *testing.T) []byte {
			r := signed(welcome, principalstest.CallParams(otherNumber))
			r.Header["X-Twilio-Signature"] = append(r.Header["X-Twilio-Signature"], r.Header.Get("X-Twilio-Signature"))
			return wireBytes(t, r)
		}},
		{name: "SignatureThatIsNotBase64HearsTheForbiddenFlow", expect: "forbidden", given: func(t *testing.T) []byte {
			return wireBytes(t, postRaw(welcome, principalstest.CallParams(otherNumber).Encode(), "!!not*base64~~"+strings.Repeat("?", 14)))
		}},
		{name: "JSONBodyWithoutBodySHA256HearsTheForbiddenFlow", expect: "forbidden", given: func(t *testing.T) []byte {
			r := postRaw(welcome, `{"Digits":"1"}`, sign(welcome, nil))
			r.Header.Set("Content-Type", "application/json")
			return wireBytes(t, r)
		}},
		{name: "SignedJSONBodyHearsTheMenu", expect: "menu", given: func(t *testing.T) []byte {
			return wireBytes(t, principalstest.NewJSON(testToken, testHost+welcome, []byte(`{"Digits":"1"}`)))
		}},
		{name: "UnknownMethodForgedHearsTheForbiddenFlow", expect: "forbidden", given: func(t *testing.T) []byte {
			r := postRaw(welcome, "", "")
			r.Method = http.MethodDelete
			return wireBytes(t, r)
		}},
		{name: "UnknownVoicePathSignedHearsTheNotFoundFlow", expect: "not_found", given: func(t *testing.T) []byte {
			return wireBytes(t, signed("/ivr/nowhere", principalstest.CallParams(otherNumber)))
		}},
	}
	app, logs := hardenedApp(t, principals.TwilioOptions{}, &Options{FailedAuthLimit: -1})
	addr := listen(t, app)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := exchangeRaw(t, addr, tt.given(t), tt.halfClose)
			if got := heard(t, resp.StatusCode, resp.Header.Get("Content-Type"), body); got != tt.expect {
				t.Errorf("heard %s, want %s; body:\n%s", got, tt.expect, body)
			}
		})
	}
	if strings.Contains(logs.String(), `"msg":"panic"`) {
		t.Error("a bad input made the server panic")
	}
	// The server still answers a plain call.
	resp, body := exchangeRaw(t, addr, wireBytes(t, signed(welcome, principalstest.CallParams(otherNumber))), false)
	if got := heard(t, resp.StatusCode, resp.Header.Get("Content-Type"), body); got != "menu" {
		t.Errorf("after the bad input, a good call heard %s", got)
	}
}

// panicPolicy is an authentication policy that panics on requests carrying X-Boom.
type panicPolicy struct{}

func (panicPolicy) Authenticate(r *http.Request) (principals.Identity, bool, error) {
	if r.Header.Get("X-Boom") != "" {
		panic("policy exploded")
	}
	return principals.Identity{}, false, nil
}

func TestPanicAnywhereAnswersTheInternalFlowAndTheServerKeepsServing(t *testing.T) {
	opts := writeConfig(t).options()
	opts.Policies = []principals.Policy{panicPolicy{}}
	app, logs := hardenedApp(t, principals.TwilioOptions{}, opts)
	if err := app.Voice(http.MethodPost, "/ivr/boom", "view", func(*http.Request) (twiml.Response, error) {
		panic("handler exploded")
	}); err != nil {
		t.Fatal(err)
	}
	if err := app.Handle(http.MethodPost, "/calls", "call", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("json handler exploded")
	})); err != nil {
		t.Fatal(err)
	}
	addr := listen(t, app)
	tests := []struct {
		name       string
		given      *http.Request
		expectFlow string // on a voice route
		expectCode int    // elsewhere
		expectLog  string
	}{
		{
			name:       "PanicInAVoiceHandler",
			given:      principalstest.NewPOST(testToken, testHost+"/ivr/boom", principalstest.CallParams(otherNumber)),
			expectFlow: "internal", expectLog: "handler exploded",
		},
		{
			name: "PanicInAnAuthenticationPolicyOnAVoiceRoute",
			given: func() *http.Request {
				r := principalstest.NewPOST(testToken, testHost+"/ivr/welcome", principalstest.CallParams(otherNumber))
				r.Header.Set("X-Boom", "1")
				return r
			}(),
			expectFlow: "internal", expectLog: "policy exploded",
		},
		{
			name: "PanicInAnAuthenticationPolicyOnAJSONRoute",
			given: func() *http.Request {
				r := httptest.NewRequest(http.MethodGet, testHost+"/healthz", nil)
				r.Header.Set("X-Boom", "1")
				return r
			}(),
			expectCode: http.StatusInternalServerError, expectLog: "policy exploded",
		},
		{
			name: "PanicInAJSONHandler",
			given: func() *http.Request {
				r := httptest.NewRequest(http.MethodPost, testHost+"/calls", nil)
				r.Header.Set("Authorization", "Bearer "+opsKey)
				return r
			}(),
			expectCode: http.StatusInternalServerError, expectLog: "json handler exploded",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := exchangeRaw(t, addr, wireBytes(t, tt.given), false)
			if tt.expectFlow != "" {
				if got := heard(t, resp.StatusCode, resp.Header.Get("Content-Type"), body); got != tt.expectFlow {
					t.Errorf("heard %s, want %s", got, tt.expectFlow)
				}
			} else if resp.StatusCode != tt.expectCode || !strings.Contains(resp.Header.Get("Content-Type"), "json") {
				t.Errorf("status %d %s, want %d JSON; body %s", resp.StatusCode, resp.Header.Get("Content-Type"), tt.expectCode, body)
			}
			var found bool
			for _, l := range logs.lines(t) {
				if l["msg"] == "panic" && strings.Contains(fmt.Sprint(l["error"]), tt.expectLog) {
					found = true
					if st := fmt.Sprint(l["stack"]); !strings.Contains(st, "goroutine") || !strings.Contains(st, "hardening_test.go") {
						t.Errorf("panic logged without a stack reaching the panic site:\n%s", st)
					}
				}
			}
			if !found {
				t.Errorf("no panic line with %q in the log", tt.expectLog)
			}
			// The server keeps serving.
			resp, body = exchangeRaw(t, addr, wireBytes(t, principalstest.NewPOST(testToken, testHost+"/ivr/welcome", principalstest.CallParams(otherNumber))), false)
			if got := heard(t, resp.StatusCode, resp.Header.Get("Content-Type"), body); got != "menu" {
				t.Errorf("after the panic a good call heard %s", got)
			}
		})
	}
}

func TestHandlerPastItsDeadlineAnswersTheInternalFlow(t *testing.T) {
	app, _ := hardenedApp(t, principals.TwilioOptions{}, &Options{HandlerTimeout: 50 * time.Millisecond})
	if err := app.Voice(http.MethodPost, "/ivr/slow", "view", func(r *http.Request) (twiml.Response, error) {
		<-r.Context().Done() // a handler that only stops when told to
		return twiml.Response{}, r.Context().Err()
	}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	w := call(t, app, "/ivr/slow", principalstest.CallParams(otherNumber))
	if got := heardRecorder(t, w); got != "internal" {
		t.Errorf("heard %s, want internal", got)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("answered after %v; the deadline is 50ms", d)
	}
	if n := sample(t, app, `switchboard_requests_total{outcome="timeout",route="/ivr/slow"}`); n != 1 {
		t.Errorf("requests{outcome=timeout} = %v, want 1", n)
	}
}

// configFiles writes a flow, model, policy and keys file that load, and returns their paths.
type configFiles struct{ dir, flow, model, policy, keys string }

func writeConfig(t testing.TB) configFiles {
	t.Helper()
	dir := t.TempDir()
	c := configFiles{dir: dir,
		flow: filepath.Join(dir, "flow.yaml"), model: filepath.Join(dir, "model.conf"),
		policy: filepath.Join(dir, "policy.csv"), keys: filepath.Join(dir, "keys"),
	}
	put(t, c.flow, demoFlow, 0o644)
	put(t, c.model, defaultModel, 0o644)
	put(t, c.policy, defaultPolicy, 0o644)
	put(t, c.keys, fmt.Sprintf("monitor %s monitoring\noperator %s operators\nadmin %s admins\n",
		principals.HashAPIKey(scrapeKey), principals.HashAPIKey(opsKey), principals.HashAPIKey(rootKey)), 0o600)
	return c
}

func (c configFiles) options() *Options {
	return &Options{Flow: File(c.flow), Model: File(c.model), Policy: File(c.policy), Credentials: []CredentialSource{APIKeysFile(c.keys)}}
}

// put writes text to path with perm, whatever the umask.
func put(t testing.TB, path, text string, perm os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil {
		t.Fatal(err)
	}
}

func TestBrokenReloadKeepsTheRunningConfigurationAndNamesEveryProblem(t *testing.T) {
	brokenFlow := strings.Replace(demoFlow, `"1": sales`, `"1": nowhere`, 1)
	brokenPolicy := defaultPolicy + "\np, twilio\n"
	brokenModel := strings.Replace(defaultModel, "[matchers]", "[matchers_oops]", 1)
	brokenKeys := "monitor not-a-hash monitoring\n"
	tests := []struct {
		name        string
		breakIt     func(c configFiles)
		expect      []string // each must be in the error
		expectKeys  bool     // the keys still open /metrics: only a keys file that loads keeps them
		expectFlows bool     // the flow and policy in force are the ones loaded before
	}{
		{name: "BrokenFlow", breakIt: func(c configFiles) { put(t, c.flow, brokenFlow, 0o644) }, expect: []string{"flow.yaml", "nowhere"}, expectKeys: true, expectFlows: true},
		{name: "BrokenPolicy", breakIt: func(c configFiles) { put(t, c.policy, brokenPolicy, 0o644) }, expect: []string{"policy.csv"}, expectKeys: true, expectFlows: true},
		{name: "BrokenModel", breakIt: func(c configFiles) { put(t, c.model, brokenModel, 0o644) }, expect: []string{"model.conf"}, expectKeys: true, expectFlows: true},
		{name: "PolicyFileRemoved", breakIt: func(c configFiles) { _ = os.Remove(c.policy) }, expect: []string{"policy.csv", "no such file"}, expectKeys: true, expectFlows: true},
		{name: "BrokenKeys", breakIt: func(c configFiles) { put(t, c.keys, brokenKeys, 0o600) }, expect: []string{"keys:1", "sha256"}},
		{name: "KeysFileMadeReadableByOthers", breakIt: func(c configFiles) { _ = os.Chmod(c.keys, 0o644) }, expect: []string{"keys", "chmod 600"}},
		{name: "KeysFileRemoved", breakIt: func(c configFiles) { _ = os.Remove(c.keys) }, expect: []string{"keys", "no such file"}},
		{name: "FlowFileRemoved", breakIt: func(c configFiles) { _ = os.Remove(c.flow) }, expect: []string{"flow.yaml"}, expectKeys: true, expectFlows: true},
		{name: "EverythingBrokenAtOnce", breakIt: func(c configFiles) {
			put(t, c.flow, brokenFlow, 0o644)
			put(t, c.policy, brokenPolicy, 0o644)
			put(t, c.keys, brokenKeys, 0o600)
		}, expect: []string{"nowhere", "policy.csv", "keys:1"}, expectFlows: true},
	}
	scrape := func(app *App) int {
		r := httptest.NewRequest(http.MethodGet, testHost+"/metrics", nil)
		r.Header.Set("Authorization", "Bearer "+scrapeKey)
		return send(app, r).Code
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := writeConfig(t)
			app, _ := hardenedApp(t, principals.TwilioOptions{}, c.options())
			if code := scrape(app); code != http.StatusOK {
				t.Fatalf("before the reload the monitoring key got %d", code)
			}
			before := app.state.Load()
			tt.breakIt(c)
			err := app.Reload()
			if err == nil {
				t.Fatal("Reload accepted a broken configuration")
			}
			for _, want := range tt.expect {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the error does not name %q:\n%v", want, err)
				}
			}
			after := app.state.Load()
			if kept := after.flow == before.flow && after.authz == before.authz; kept != tt.expectFlows {
				t.Errorf("the flow and policy loaded before are in force: %v, want %v", kept, tt.expectFlows)
			}
			if got := heardRecorder(t, call(t, app, "/ivr/welcome", principalstest.CallParams(otherNumber))); got != "menu" {
				t.Errorf("after the failed reload a call heard %s", got)
			}
			if code := scrape(app); (code == http.StatusOK) != tt.expectKeys {
				t.Errorf("after the failed reload the monitoring key got %d; keys in force: want %v", code, tt.expectKeys)
			}
			if n := sample(t, app, `switchboard_reloads_total{result="failed"}`); n != 1 {
				t.Errorf("reloads{result=failed} = %v, want 1", n)
			}
			w := send(app, httptest.NewRequest(http.MethodGet, testHost+"/readyz", nil))
			if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), tt.expect[0]) {
				t.Errorf("/readyz after the failed reload: %d %s; want 503 naming %q", w.Code, w.Body, tt.expect[0])
			}
		})
	}
}

func TestGracefulShutdownFinishesTheRequestInFlight(t *testing.T) {
	app, _ := hardenedApp(t, principals.TwilioOptions{}, nil)
	started := make(chan struct{})
	if err := app.Voice(http.MethodPost, "/ivr/slow", "view", func(*http.Request) (twiml.Response, error) {
		close(started)
		time.Sleep(300 * time.Millisecond)
		return twiml.Response{Verbs: []twiml.Verb{twiml.Say{Text: "Finished."}}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- app.Serve(ctx, ln) }()

	type result struct {
		resp *http.Response
		body string
	}
	got := make(chan result, 1)
	go func() {
		resp, body := exchangeRaw(t, addr, wireBytes(t, principalstest.NewPOST(testToken, testHost+"/ivr/slow", principalstest.CallParams(otherNumber))), false)
		got <- result{resp, body}
	}()
	<-started
	cancel() // SIGTERM, as serve wires it
	res := <-got
	if res.resp.StatusCode != http.StatusOK || !strings.Contains(res.body, "Finished.") {
		t.Errorf("the request in flight got %d %q, want its answer", res.resp.StatusCode, res.body)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve returned %v, want nil after a clean shutdown", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after the request finished")
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("the listener still accepts connections after shutdown")
	}
}

// withServerTimeouts shortens the server timeouts for one test.
func withServerTimeouts(t *testing.T, header, read time.Duration) {
	t.Helper()
	oldHeader, oldRead := readHeaderTimeout, readTimeout
	readHeaderTimeout, readTimeout = header, read
	t.Cleanup(func() { readHeaderTimeout, readTimeout = oldHeader, oldRead })
}

func TestSlowlorisClientIsCutOffByTheHeaderTimeout(t *testing.T) {
	withServerTimeouts(t, 200*time.Millisecond, time.Second)
	app, _ := hardenedApp(t, principals.TwilioOptions{}, nil)
	addr := listen(t, app)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	header := "POST /ivr/welcome HTTP/1.1\r\nHost: ivr.test\r\nX-Slow: " + strings.Repeat("a", 200) + "\r\n\r\n"
	start := time.Now()
	sent := make(chan int, 1)
	go func() {
		n := 0
		for ; n < len(header); n++ {
			if _, err := conn.Write([]byte{header[n]}); err != nil {
				break
			}
			time.Sleep(20 * time.Millisecond) // the whole header would take 4 s
		}
		sent <- n
	}()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = io.ReadAll(conn) // the server writes at most a 408, then closes
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the connection was still open after %v", time.Since(start))
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("cut off after %v, want about 200ms", d)
	}
	conn.Close()
	if n := <-sent; n >= len(header) {
		t.Error("the whole header was sent before the server cut the client off")
	}
}

func TestSlowBodyIsCutOffByTheReadTimeout(t *testing.T) {
	withServerTimeouts(t, time.Second, 300*time.Millisecond)
	app, _ := hardenedApp(t, principals.TwilioOptions{}, nil)
	addr := listen(t, app)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := principalstest.CallParams(otherNumber).Encode()
	fmt.Fprintf(conn, "POST /ivr/welcome HTTP/1.1\r\nHost: ivr.test\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: %s\r\nContent-Length: %d\r\n\r\n",
		principalstest.Sign(testToken, testHost+"/ivr/welcome", principalstest.CallParams(otherNumber)), len(body))
	start := time.Now()
	go func() {
		for i := range len(body) {
			if _, err := conn.Write([]byte{body[i]}); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		b, _ := io.ReadAll(resp.Body)
		if got := heard(t, resp.StatusCode, resp.Header.Get("Content-Type"), string(b)); got != "forbidden" {
			t.Errorf("a body cut off heard %s, want forbidden", got)
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the slow body held the connection for %v, want about 300ms", d)
	}
}

func TestOversizedHeadersAreRefusedWith431(t *testing.T) {
	app, _ := hardenedApp(t, principals.TwilioOptions{}, nil)
	addr := listen(t, app)
	r := principalstest.NewPOST(testToken, testHost+"/ivr/welcome", principalstest.CallParams(otherNumber))
	r.Header.Set("X-Padding", strings.Repeat("a", 2*maxHeaderBytes))
	resp, _ := exchangeRaw(t, addr, wireBytes(t, r), false)
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("status %d, want 431", resp.StatusCode)
	}
}

// forged returns a POST to /ivr/welcome from peer whose signature does not verify.
func forged(peer string) *http.Request {
	r := principalstest.NewPOST("not-the-token", testHost+"/ivr/welcome", principalstest.CallParams(otherNumber))
	r.RemoteAddr = peer
	return r
}

func TestFailedSignaturesAreRateLimitedPerSourceAddress(t *testing.T) {
	app, _ := hardenedApp(t, principals.TwilioOptions{}, &Options{FailedAuthLimit: 1}) // a burst of 2
	limited := func() float64 {
		return sample(t, app, `switchboard_requests_total{outcome="rate_limited",route="/ivr/welcome"}`)
	}
	for i := range 3 {
		if got := heardRecorder(t, send(app, forged("192.0.2.1:4000"))); got != "forbidden" {
			t.Fatalf("forged request %d heard %s", i, got)
		}
	}
	if n := limited(); n != 1 {
		t.Fatalf("after 3 forged requests from one address, %v were rate-limited, want 1", n)
	}
	if heardRecorder(t, send(app, forged("192.0.2.2:4000"))); limited() != 1 {
		t.Error("another address was limited by the first one's failures")
	}
	for i := range 3 { // one IPv6 client rotating through its own /64
		send(app, forged(fmt.Sprintf("[2001:db8:1:2::%x]:4000", i+1)))
	}
	if n := limited(); n != 2 {
		t.Errorf("three failures from one IPv6 /64 under different addresses: %v rate-limited in all, want 2", n)
	}
	for i := range 50 {
		r := principalstest.NewPOST(testToken, testHost+"/ivr/welcome", principalstest.CallParams(otherNumber))
		r.RemoteAddr = "192.0.2.1:4001"
		if got := heardRecorder(t, send(app, r)); got != "menu" {
			t.Fatalf("valid request %d from the limited address heard %s; valid requests are never limited", i, got)
		}
	}
}

func TestForwardedHeadersChangeNothingUnlessThePeerIsATrustedProxy(t *testing.T) {
	const proxy = "192.0.2.10"
	newApp := func(t *testing.T) *App {
		app, _ := hardenedApp(t,
			principals.TwilioOptions{TrustedProxies: []netip.Prefix{netip.MustParsePrefix(proxy + "/32")}},
			&Options{FailedAuthLimit: 1, TrustedProxies: []netip.Prefix{netip.MustParsePrefix(proxy + "/32")}})
		return app
	}
	viaProxy := func(rawURL, peer string) *http.Request {
		r := principalstest.NewPOST(testToken, rawURL, principalstest.CallParams(otherNumber))
		return principalstest.ViaProxy(r, netip.MustParseAddrPort(peer+":443"), "ivr.internal")
	}
	t.Run("SignatureForTheForwardedURLFromAnUntrustedPeerIsRejected", func(t *testing.T) {
		app := newApp(t)
		if got := heardRecorder(t, send(app, viaProxy("https://ivr.example/ivr/welcome", "198.51.100.7"))); got != "forbidden" {
			t.Errorf("heard %s, want forbidden", got)
		}
	})
	t.Run("SignatureForTheForwardedURLFromATrustedProxyVerifies", func(t *testing.T) {
		app := newApp(t)
		if got := heardRecorder(t, send(app, viaProxy("https://ivr.example/ivr/welcome", proxy))); got != "menu" {
			t.Errorf("heard %s, want menu", got)
		}
	})
	t.Run("ForwardedHeadersFromAnUntrustedPeerDoNotSpoilAValidSignature", func(t *testing.T) {
		app := newApp(t)
		r := principalstest.NewPOST(testToken, testHost+"/ivr/welcome", principalstest.CallParams(otherNumber))
		r.RemoteAddr = "198.51.100.7:5000"
		r.Header.Set("X-Forwarded-Proto", "https")
		r.Header.Set("X-Forwarded-Host", "evil.example")
		r.Header.Set("X-Forwarded-For", "203.0.113.9")
		if got := heardRecorder(t, send(app, r)); got != "menu" {
			t.Errorf("heard %s, want menu", got)
		}
	})
	limitedAfter := func(t *testing.T, app *App, peer string, xff func(i int) string) float64 {
		t.Helper()
		for i := range 3 {
			r := forged(peer + ":5000")
			r.Header.Set("X-Forwarded-For", xff(i))
			send(app, r)
		}
		return sample(t, app, `switchboard_requests_total{outcome="rate_limited",route="/ivr/welcome"}`)
	}
	t.Run("XForwardedForFromAnUntrustedPeerDoesNotEscapeTheRateLimit", func(t *testing.T) {
		app := newApp(t)
		if n := limitedAfter(t, app, "198.51.100.7", func(i int) string { return fmt.Sprintf("203.0.113.%d", i) }); n != 1 {
			t.Errorf("%v rate-limited, want 1: the peer is the client whatever it forwards", n)
		}
	})
	t.Run("XForwardedForFromATrustedProxyNamesTheClient", func(t *testing.T) {
		app := newApp(t)
		if n := limitedAfter(t, app, proxy, func(i int) string { return fmt.Sprintf("203.0.113.%d", i) }); n != 0 {
			t.Errorf("%v rate-limited, want 0: three clients behind the proxy failed once each", n)
		}
		if n := limitedAfter(t, app, proxy, func(int) string { return "1.2.3.4, 203.0.113.50" }); n != 1 {
			t.Errorf("%v rate-limited, want 1: one client behind the proxy failed three times (a spoofed left-most hop changes nothing)", n)
		}
	})
}

func TestReplayedRequestHearsTheForbiddenFlow(t *testing.T) {
	app, _ := hardenedApp(t, principals.TwilioOptions{}, &Options{Replay: NewMemoryReplayCache(time.Minute, 0)})
	req := func(token string) *http.Request {
		r := principalstest.NewPOST(testToken, testHost+"/ivr/welcome", principalstest.CallParams(otherNumber))
		if token != "" {
			r.Header.Set("I-Twilio-Idempotency-Token", token)
		}
		return r
	}
	steps := []struct {
		name   string
		given  *http.Request
		expect string
	}{
		{"FirstRequestIsServed", req("tok-1"), "menu"},
		{"SameRequestAgainIsRefused", req("tok-1"), "forbidden"},
		{"SameSignatureWithAnotherIdempotencyTokenIsServed", req("tok-2"), "menu"},
		{"WithoutAToken", req(""), "menu"},
		{"WithoutATokenAgainIsRefused", req(""), "forbidden"},
	}
	for _, s := range steps {
		if got := heardRecorder(t, send(app, s.given)); got != s.expect {
			t.Errorf("%s: heard %s, want %s", s.name, got, s.expect)
		}
	}
}

func TestReplayProtectionWithSignatureCheckingOffDoesNotRefuseTheSecondCall(t *testing.T) {
	app, _ := hardenedApp(t, principals.TwilioOptions{Disabled: true}, &Options{Replay: NewMemoryReplayCache(time.Minute, 0)})
	for i := range 3 {
		r := httptest.NewRequest(http.MethodPost, testHost+"/ivr/welcome", strings.NewReader(principalstest.CallParams(otherNumber, "CallSid", fmt.Sprintf("CA%032d", i)).Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if got := heardRecorder(t, send(app, r)); got != "menu" {
			t.Errorf("unsigned call %d heard %s, want the menu: with no verified signature there is nothing to replay", i, got)
		}
	}
}

func TestKeysFileReadableByOtherUsersIsRefusedAtStart(t *testing.T) {
	for _, tt := range []struct {
		mode   os.FileMode
		refuse bool
	}{
		{0o600, false}, {0o400, false}, {0o640, true}, {0o644, true}, {0o604, true}, {0o660, true}, {0o666, true},
	} {
		t.Run(fmt.Sprintf("%#o", tt.mode), func(t *testing.T) {
			c := writeConfig(t)
			if err := os.Chmod(c.keys, tt.mode); err != nil {
				t.Fatal(err)
			}
			_, err := New(&Options{Credentials: []CredentialSource{APIKeysFile(c.keys)}, Logger: slog.New(slog.DiscardHandler)})
			switch {
			case !tt.refuse && err != nil:
				t.Errorf("refused: %v", err)
			case tt.refuse && err == nil:
				t.Error("a keys file other users can read was accepted")
			case tt.refuse && (!strings.Contains(err.Error(), c.keys) || !strings.Contains(err.Error(), "chmod 600")):
				t.Errorf("the refusal does not name the file and the fix: %v", err)
			}
		})
	}
}

func TestFlowThatThePolicyRefusesToTwilioIsRefusedAtStart(t *testing.T) {
	tests := []struct {
		name   string
		policy string
		refuse bool
	}{
		{"NoLineForTwilio", "p, group:staff, /ivr/*, staff, allow\n", true},
		{"TwilioDeniedEverything", defaultPolicy + "p, twilio, /ivr/*, *, deny\n", true},
		{"TwilioGrantedAnotherPermission", "p, twilio, /ivr/*, call, allow\n", true},
		{"TwilioGrantedOneBranch", "p, twilio, /ivr/support/*, view, allow\n", false},
		{"DefaultPolicy", defaultPolicy, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			policy := filepath.Join(t.TempDir(), "policy.csv")
			put(t, policy, tt.policy, 0o644)
			_, err := New(&Options{Policy: File(policy), Logger: slog.New(slog.DiscardHandler)})
			if tt.refuse != (err != nil) {
				t.Fatalf("refused: %v, want %v", err, tt.refuse)
			}
			if tt.refuse && (!strings.Contains(err.Error(), "the flow and the policy disagree") || !strings.Contains(err.Error(), "p, twilio, /ivr/*, view, allow")) {
				t.Errorf("the refusal does not say why and how to fix it: %v", err)
			}
		})
	}
}

// FuzzVoiceRouteNeverAnswers5xx sends arbitrary bodies, content types and signatures to a voice
// route: whatever arrives, the caller hears TwiML with a 200.
func FuzzVoiceRouteNeverAnswers5xx(f *testing.F) {
	valid := principalstest.CallParams(otherNumber, "Digits", "1")
	f.Add("/ivr/welcome/gather?i=0&n=0", valid.Encode(), "application/x-www-form-urlencoded", principalstest.Sign(testToken, testHost+"/ivr/welcome/gather?i=0&n=0", valid))
	f.Add("/ivr/welcome", "Digits=%zz", "application/json", "not base64")
	f.Add("/ivr/staff/gather?i=9&n=-1", "Digits=\x00\xff", "text/plain", "")
	f.Add("/ivr/welcome?bodySHA256=00", "{}", "application/json", strings.Repeat("A", 27)+"=")
	app, _ := hardenedApp(f, principals.TwilioOptions{}, &Options{FailedAuthLimit: -1, Logger: slog.New(slog.DiscardHandler)})
	f.Fuzz(func(t *testing.T, target, body, contentType, signature string) {
		u, err := url.ParseRequestURI(target)
		if err != nil || !strings.HasPrefix(u.Path, "/ivr/") || strings.ContainsAny(target, " \r\n\t#") {
			t.Skip()
		}
		r := httptest.NewRequest(http.MethodPost, testHost+target, strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		r.Header.Set("X-Twilio-Signature", signature)
		heardRecorder(t, send(app, r))
	})
}
