package framework

import (
	"context"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

func TestWatchReloadsAChangedPolicyFile(t *testing.T) {
	dir := t.TempDir()
	policy := writeFile(t, dir, "policy.csv", defaultPolicy)
	app := newTestApp(t, &Options{Policy: File(policy)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { app.Watch(ctx, 10*time.Millisecond); close(done) }()
	defer func() { cancel(); <-done }()

	before := app.Authorizer()
	writeFile(t, dir, "policy.csv", defaultPolicy+"\ng, caller:"+otherNumber+", group:blocked\n")
	// Make sure the modification time moves even on coarse file systems.
	future := time.Now().Add(2 * time.Second)
	if err := os.Chtimes(policy, future, future); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for app.Authorizer() == before {
		if time.Now().After(deadline) {
			t.Fatal("Watch did not reload the changed policy within 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := twimlOf(t, call(t, app, "/ivr/welcome", principalstest.CallParams(otherNumber))).says(); len(got) == 0 || got[0] != "Sorry, this line cannot take your call." {
		t.Errorf("after the watched reload the blocked caller heard %q", got)
	}
}

func TestListenAndServeServesUntilTheContextEnds(t *testing.T) {
	app := newTestApp(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0") // find a free loopback port, then hand it over
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- app.ListenAndServe(ctx, addr) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("/healthz answered %d", resp.StatusCode)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ListenAndServe did not answer on %s: %v", addr, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("ListenAndServe returned %v after its context ended, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ListenAndServe did not return after its context ended")
	}
	if err := app.ListenAndServe(context.Background(), "not an address"); err == nil {
		t.Error("ListenAndServe on a bad address returned nil")
	}
}
