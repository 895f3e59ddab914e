package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-ivr/switchboard/caller"
	"github.com/switchboard-ivr/switchboard/console"
	"github.com/switchboard-ivr/switchboard/principals"
)

// A keys file with an admin's key and an operator's.
const (
	adminKey    = "console-admin-key-0123456789abcdef"
	operatorKey = "console-operator-key-0123456789abc"
)

func keysFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "keys")
	text := "ada " + principals.HashAPIKey(adminKey) + " admins\n" + "otto " + principals.HashAPIKey(operatorKey) + " operators\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func get(t *testing.T, method, url, key, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestServeConsoleAsksForAdmin(t *testing.T) {
	r := startServe(t, []string{"--console", "--keys", keysFile(t)}, map[string]string{envToken: testToken})
	defer r.stop(t)
	base := "http://" + r.addr + consolePath
	tests := []struct {
		name, method, path, key, body string
		want                          int
		wantJSONProblem               bool
	}{
		{"AStrangerGetsAJSONProblem", http.MethodGet, "/", "", "", http.StatusUnauthorized, true},
		{"AWrongKeyGetsAJSONProblem", http.MethodGet, "/", "not-a-key", "", http.StatusUnauthorized, true},
		{"AnOperatorIsRefused", http.MethodGet, "/api/state", operatorKey, "", http.StatusForbidden, true},
		{"AnOperatorCannotCall", http.MethodPost, "/api/call", operatorKey, `{"answers":[]}`, http.StatusForbidden, true},
		{"AnAdminGetsThePage", http.MethodGet, "/", adminKey, "", http.StatusOK, false},
		{"AnAdminCanCall", http.MethodPost, "/api/call", adminKey, `{"answers":[{"press":"2"},{"press":"1"}]}`, http.StatusOK, false},
		{"TheBarePathRedirects", http.MethodGet, "", adminKey, "", http.StatusMovedPermanently, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, h, body := get(t, tt.method, base+tt.path, tt.key, tt.body)
			if code != tt.want {
				t.Fatalf("%d, want %d: %s", code, tt.want, body)
			}
			if tt.wantJSONProblem != strings.HasPrefix(h.Get("Content-Type"), "application/problem+json") {
				t.Errorf("content type %q", h.Get("Content-Type"))
			}
			if strings.Contains(body, testToken) || strings.Contains(body, adminKey) {
				t.Error("the answer holds a token or a key")
			}
		})
	}
	code, _, page := get(t, http.MethodGet, base+"/", adminKey, "")
	if code != http.StatusOK || strings.Contains(page, "caller-attested:&#43;15555550123") || !strings.Contains(page, "caller-attested:&#43;1555***0123") {
		t.Errorf("the console of a server that masks numbers shows them in full, or not at all")
	}
}

func TestServeConsoleListsRecentCallsMasked(t *testing.T) {
	r := startServe(t, []string{"--console", "--keys", keysFile(t)}, map[string]string{envToken: testToken})
	defer r.stop(t)
	call := caller.Call{URL: "http://" + r.addr + "/ivr/welcome", Token: principals.NewSecret(testToken), From: "+15555550123",
		CallSid: "CAfedcba9876543210fedcba9876543210", StirVerstat: "TN-Validation-Passed-A",
		Answers: []caller.Answer{caller.Press("6"), caller.Press("2468"), caller.Press("0101")}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := call.Run(ctx); err != nil {
		t.Fatal(err)
	}
	code, _, body := get(t, http.MethodGet, "http://"+r.addr+consolePath+"/api/recent", adminKey, "")
	if code != http.StatusOK {
		t.Fatalf("%d %s", code, body)
	}
	var calls []struct {
		SID   string
		Steps []struct{ Path, Digits, Decision string }
	}
	if err := json.Unmarshal([]byte(body), &calls); err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 || calls[0].SID != call.CallSid || len(calls[0].Steps) < 4 {
		t.Fatalf("recent calls: %s", body)
	}
	for _, secret := range []string{"0101", "2468", "+15555550123", testToken} {
		if strings.Contains(body, secret) {
			t.Errorf("recent calls show %s:\n%s", secret, body)
		}
	}
	if !strings.Contains(body, `"digits":"REDACTED"`) || !strings.Contains(body, "+1555***0123") {
		t.Errorf("recent calls lack the redacted extension or the masked caller:\n%s", body)
	}
}

func TestConsoleListensOnlyOnLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:8081", ":8081", "192.0.2.1:8081", "example.com:8081"} {
		if code, _, stderr := runCLI(t, "console", "--addr", addr); code != 2 || !strings.Contains(stderr, "not a loopback address") {
			t.Errorf("--addr %s: exit %d, %s", addr, code, stderr)
		}
	}
}

func TestConsoleServesTheDemoUntilStopped(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan int, 1)
	var stdout, stderr syncBuffer
	go func() {
		c, err := console.New(nil)
		if err != nil {
			t.Error(err)
		}
		done <- serveConsole(ctx, c, c.Watch, "127.0.0.1:0", &stdout, &stderr, func(addr string) { ready <- addr })
	}()
	var addr string
	select {
	case addr = <-ready:
	case code := <-done:
		t.Fatalf("console exited %d: %s", code, stderr.String())
	}
	code, _, page := get(t, http.MethodGet, "http://"+addr+"/", "", "")
	if code != http.StatusOK || !strings.Contains(page, "digraph flow {") || !strings.Contains(stdout.String(), "http://"+addr+"/") {
		t.Errorf("GET /: %d; stdout %q", code, stdout.String())
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("console exited %d after its context ended: %s", code, stderr.String())
	}
}

func TestConsoleServerShowsARunningServersConsoleWithTheKeyAdded(t *testing.T) {
	r := startServe(t, []string{"--console", "--keys", keysFile(t)}, map[string]string{envToken: testToken})
	defer r.stop(t)
	proxy, err := consoleProxy("http://"+r.addr, adminKey)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan int, 1)
	go func() {
		done <- serveConsole(ctx, proxy, nil, "127.0.0.1:0", io.Discard, io.Discard, func(a string) { ready <- a })
	}()
	addr := <-ready
	code, _, page := get(t, http.MethodGet, "http://"+addr+"/", "", "")
	if code != http.StatusOK || !strings.Contains(page, "digraph flow {") || !strings.Contains(page, `data-recent="true"`) {
		t.Errorf("GET / through the proxy: %d", code)
	}
	if code, _, body := get(t, http.MethodPost, "http://"+addr+"/api/call", "", `{"answers":[{"press":"2"},{"press":"1"}]}`); code != http.StatusOK || !strings.Contains(body, "DIAL +15555550112") {
		t.Errorf("a call through the proxy: %d %s", code, body)
	}
	if strings.Contains(page, adminKey) {
		t.Error("the page holds the key")
	}
	// The page's Graphviz comes through the server too, whole, under the page's CSP.
	code, h, js := get(t, http.MethodGet, "http://"+addr+"/static/vendor/viz-global.js", "", "")
	// (Go's client asks for gzip and unpacks it, as a browser does.)
	if code != http.StatusOK || !strings.HasPrefix(js, "/*!\nViz.js ") || len(js) < 1<<20 || !strings.Contains(h.Get("Content-Security-Policy"), "'wasm-unsafe-eval'") {
		t.Errorf("GET viz-global.js through the proxy: %d, %d bytes, CSP %q", code, len(js), h.Get("Content-Security-Policy"))
	}
	cancel()
	<-done

	for _, tt := range []struct{ server, key, want string }{
		{"http://" + r.addr, "", envConsoleKey},
		{"ftp://example.com", adminKey, "absolute http"},
	} {
		if _, err := consoleProxy(tt.server, tt.key); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("consoleProxy(%q, key %v): %v, want an error naming %s", tt.server, tt.key != "", err, tt.want)
		}
	}
}
