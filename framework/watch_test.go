package framework

import (
	"context"
	"os"
	"testing"
	"time"
)

func TestWatchReloadsAChangedPolicyFile(t *testing.T) {
	dir := t.TempDir()
	policy := writeFile(t, dir, "policy.csv", defaultPolicy)
	app := newTestApp(t, &Options{PolicyFile: policy})
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
	if got := twimlOf(t, call(t, app, "/ivr/welcome", callParams(otherNumber))).says(); len(got) == 0 || got[0] != "Sorry, this line cannot take your call." {
		t.Errorf("after the watched reload the blocked caller heard %q", got)
	}
}
