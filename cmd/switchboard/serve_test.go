package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer that the server's goroutines may write while a test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env returns a getenv that knows only vars, so the test never reads the real environment.
func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

// running is a serve() started by startServe.
type running struct {
	addr   string
	stdout *syncBuffer
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan int
}

// startServe runs serve on a loopback port with flags args and environment vars, and waits until
// it listens.
func startServe(t *testing.T, args []string, vars map[string]string) *running {
	t.Helper()
	cfg, err := parseServe(append([]string{"--addr", "127.0.0.1:0"}, args...), env(vars), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{stdout: &syncBuffer{}, logs: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	ready := make(chan string, 1)
	go func() { r.done <- serve(ctx, cfg, r.stdout, r.logs, func(addr string) { ready <- addr }) }()
	select {
	case r.addr = <-ready:
	case code := <-r.done:
		cancel()
		t.Fatalf("serve exited %d before listening:\n%s", code, r.logs)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("serve did not start listening within 10 s")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(15 * time.Second):
		}
	})
	return r
}

// stop cancels the server's context and returns its exit status.
func (r *running) stop(t *testing.T) int {
	t.Helper()
	r.cancel()
	select {
	case code := <-r.done:
		r.done <- code // for the cleanup
		return code
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not shut down within 15 s of its context ending")
		return -1
	}
}

// simulateLine returns the arguments of the `switchboard simulate` line serve printed.
func simulateLine(t *testing.T, stdout string) []string {
	t.Helper()
	for _, line := range strings.Split(stdout, "\n") {
		if _, rest, ok := strings.Cut(line, "go run ./cmd/switchboard "); ok && strings.HasPrefix(rest, "simulate ") {
			return strings.Fields(rest)
		}
	}
	t.Fatalf("serve printed no simulate line:\n%s", stdout)
	return nil
}

func TestServePrintedSimulateLineCompletesACallToADial(t *testing.T) {
	r := startServe(t, nil, nil)
	args := simulateLine(t, r.stdout.String())
	if !strings.Contains(strings.Join(args, " "), "--url http://"+r.addr+"/ivr/welcome --token ") {
		t.Errorf("the simulate line does not call the server it printed: %q (listening on %s)", args, r.addr)
	}
	code, stdout, stderr := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("simulate exited %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "\nDIAL +") {
		t.Errorf("the call did not reach a DIAL:\n%s", stdout)
	}
	if code := r.stop(t); code != 0 {
		t.Errorf("serve exited %d after its context ended, want 0:\n%s", code, r.logs)
	}
	if logs := r.logs.String(); !strings.Contains(logs, "msg=stopped") {
		t.Errorf("no clean shutdown in the log:\n%s", logs)
	}
}

func TestServeWithATokenPrintsNoDevelopmentToken(t *testing.T) {
	r := startServe(t, nil, map[string]string{envToken: testToken})
	if out := r.stdout.String(); strings.Contains(out, "simulate") || strings.Contains(out, testToken) {
		t.Errorf("serve printed with a token set:\n%s", out)
	}
	code, stdout, stderr := runCLI(t, "simulate", "--url", "http://"+r.addr+"/ivr/welcome", "--token", testToken, "--press", "0")
	if code != 0 || lastLine(stdout) != "DIAL +15555550100" {
		t.Errorf("exit %d\n%s%s", code, stdout, stderr)
	}
	if code := r.stop(t); code != 0 {
		t.Errorf("serve exited %d", code)
	}
}

func TestServeRefusesToStart(t *testing.T) {
	tests := []struct {
		name  string
		given []string
		env   map[string]string
		want  string // in the log (which quotes the error, so no quotes here)
	}{
		{"PublicURLWithoutAToken", []string{"--public-url", "https://ivr.example.com"}, nil, "TWILIO_AUTH_TOKEN is empty"},
		{"BrokenFlow", []string{"--flow", "testdata/validate/broken.yaml"}, nil, "broken.yaml:9:14: menus.welcome.gather.options"},
		{"BadTrustedProxy", []string{"--trusted-proxy", "not-a-cidr"}, map[string]string{envToken: testToken}, "not-a-cidr"},
		{"PublicURLWithoutAStateKey", []string{"--public-url", "https://ivr.example.com"}, map[string]string{envToken: testToken}, "SWITCHBOARD_STATE_KEY is empty"},
		{"ShortStateKey", nil, map[string]string{envToken: testToken, envStateKey: "abcd"}, "SWITCHBOARD_STATE_KEY: callstate: the key is 2 bytes"},
		{"StateKeyNotHex", nil, map[string]string{envToken: testToken, envStateKey: "not hex"}, "must be hex digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseServe(append([]string{"--addr", "127.0.0.1:0"}, tt.given...), env(tt.env), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			var stdout, logs bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			code := serve(ctx, cfg, &stdout, &logs, func(addr string) { t.Errorf("serve listened on %s", addr) })
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if !strings.Contains(logs.String(), "refusing to start") || !strings.Contains(logs.String(), tt.want) {
				t.Errorf("log does not say %q:\n%s", tt.want, logs.String())
			}
			if stdout.Len() > 0 {
				t.Errorf("printed before refusing:\n%s", stdout.String())
			}
		})
	}
}

func TestServeMakesAStateKeyForDevelopmentAndPrintsIt(t *testing.T) {
	r := startServe(t, nil, map[string]string{envToken: testToken})
	out := r.stdout.String()
	if !strings.Contains(out, envStateKey+"=") {
		t.Errorf("no development state key printed:\n%s", out)
	}
	r2 := startServe(t, nil, map[string]string{envToken: testToken, envStateKey: strings.Repeat("ab", 32)})
	if strings.Contains(r2.stdout.String(), envStateKey) {
		t.Errorf("printed a state key although one was set:\n%s", r2.stdout.String())
	}
}

func TestServeRefusesASecondaryStateKeyAlone(t *testing.T) {
	_, err := parseServe(nil, env(map[string]string{envStateKey2: strings.Repeat("ab", 32)}), io.Discard)
	if err == nil || !strings.Contains(err.Error(), envStateKey2+" is set without "+envStateKey) {
		t.Errorf("parseServe = %v", err)
	}
}

// The flow's TwiML names its routes under the path of --public-url.
func TestPublicPathIsThePathOfThePublicURL(t *testing.T) {
	for given, want := range map[string]string{
		"":                                  "",
		"https://ivr.example.com":           "",
		"https://ivr.example.com/":          "",
		"https://ivr.example.com/acme":      "/acme",
		"https://ivr.example.com/acme/":     "/acme",
		"https://ivr.example.com/acme/ivr2": "/acme/ivr2",
	} {
		if got := publicPath(given); got != want {
			t.Errorf("publicPath(%q) = %q, want %q", given, got, want)
		}
	}
}
