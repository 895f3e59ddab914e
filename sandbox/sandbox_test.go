package sandbox_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-ivr/switchboard/caller"
	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/sandbox"
	"github.com/switchboard-ivr/switchboard/twiml"
)

func newDemo(t *testing.T, opts *sandbox.Options) *sandbox.Sandbox {
	t.Helper()
	sb, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return sb
}

// hop is what a test checks of one Request.
type hop struct {
	path, node, option, errorFlow, decision string
}

func hops(res sandbox.Result) []hop {
	out := make([]hop, len(res.Requests))
	for i, r := range res.Requests {
		out[i] = hop{r.Path, r.Node, r.Option, r.ErrorFlow, r.Decision}
	}
	return out
}

func TestCallsSeeTheRouteNodeOptionAndErrorFlowOfEachRequest(t *testing.T) {
	sb := newDemo(t, nil)
	tests := []struct {
		name     string
		given    caller.Call
		wantHops []hop
		wantNode string
		wantLast string // the last line of the transcript
	}{
		{
			name:  "keypad to billing",
			given: caller.Call{Answers: []caller.Answer{caller.Press("2"), caller.Press("1")}},
			wantHops: []hop{
				{"/ivr/welcome", "welcome", "", "", "allow"},
				{"/ivr/welcome/gather", "welcome", "2", "", "allow"},
				{"/ivr/support", "support", "", "", "allow"},
				{"/ivr/support/gather", "support", "1", "", "allow"},
			},
			wantNode: "support",
			wantLast: "DIAL +15555550112",
		},
		{
			name:  "a synonym chooses its option",
			given: caller.Call{Answers: []caller.Answer{caller.Press("2"), caller.Say("my invoice")}},
			wantHops: []hop{
				{"/ivr/welcome", "welcome", "", "", "allow"},
				{"/ivr/welcome/gather", "welcome", "2", "", "allow"},
				{"/ivr/support", "support", "", "", "allow"},
				{"/ivr/support/gather", "support", "1", "", "allow"},
			},
			wantNode: "support",
			wantLast: "DIAL +15555550112",
		},
		{
			name:  "an invalid choice is no option",
			given: caller.Call{Answers: []caller.Answer{caller.Press("7"), caller.Press("0")}},
			wantHops: []hop{
				{"/ivr/welcome", "welcome", "", "", "allow"},
				{"/ivr/welcome/gather", "welcome", "", "", "allow"},
				{"/ivr/welcome/gather", "welcome", "0", "", "allow"},
			},
			wantNode: "welcome",
			wantLast: "DIAL +15555550100",
		},
		{
			name:     "a blocked caller hears the denied flow",
			given:    caller.Call{From: "+15555550199"},
			wantHops: []hop{{"/ivr/welcome", "welcome", "", "denied", "deny"}},
			wantNode: "welcome",
			wantLast: "HANGUP",
		},
		{
			name:  "a stranger pressing 6 hears the staff menu's own forbidden flow",
			given: caller.Call{Answers: []caller.Answer{caller.Press("6")}},
			wantHops: []hop{
				{"/ivr/welcome", "welcome", "", "", "allow"},
				{"/ivr/welcome/gather", "welcome", "6", "", "allow"},
				{"/ivr/staff_login", "staff_login", "", "forbidden", "deny"},
			},
			wantNode: "staff_login",
			wantLast: "DIAL +15555550100",
		},
		{
			name:     "a forged call hears the unauthenticated flow",
			given:    caller.Call{Token: principals.NewSecret("not the sandbox's token")},
			wantHops: []hop{{"/ivr/welcome", "welcome", "", "unauthenticated", "deny"}},
			wantNode: "welcome",
			wantLast: "DIAL +15555550100",
		},
		{
			name:     "a path no route answers is not found",
			given:    caller.Call{URL: sandbox.Host + "/ivr/nowhere"},
			wantHops: []hop{{"/ivr/nowhere", "", "", "not_found", ""}},
			wantNode: "welcome",
			wantLast: "DIAL +15555550100",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := sb.Call(context.Background(), tt.given)
			if err != nil {
				t.Fatalf("Call: %v\n%s", err, res.Transcript)
			}
			got := hops(res)
			if len(got) > len(tt.wantHops) {
				got = got[:len(tt.wantHops)]
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.wantHops) {
				t.Errorf("requests:\n got %v\nwant %v", got, tt.wantHops)
			}
			if n := res.Node(); n != tt.wantNode {
				t.Errorf("Node() = %q, want %q", n, tt.wantNode)
			}
			lines := res.Lines()
			if len(lines) == 0 || !strings.HasPrefix(lines[len(lines)-1], tt.wantLast) {
				t.Errorf("the call ended with %q, want %q\n%s", lines, tt.wantLast, res.Transcript)
			}
			if !strings.HasPrefix(string(res.Requests[0].Body), "<?xml") {
				t.Errorf("Body of the first request is not TwiML: %q", res.Requests[0].Body)
			}
		})
	}
}

func TestTheClockDecidesBusinessHours(t *testing.T) {
	sunday := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	sb := newDemo(t, &sandbox.Options{Now: func() time.Time { return sunday }})
	res, err := sb.Call(context.Background(), caller.Call{Answers: []caller.Answer{caller.Press("1")}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.String(), "SAY Sales is closed right now.") {
		t.Errorf("on a Sunday, sales should be closed:\n%s", res.Transcript)
	}
}

func TestCallsInParallelSeeOnlyTheirOwnRequests(t *testing.T) {
	sb := newDemo(t, nil)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			c := caller.Call{Answers: []caller.Answer{caller.Press("2"), caller.Press("1")}}
			want := 4
			if i%2 == 1 {
				c = caller.Call{From: "+15555550199"}
				want = 1
			}
			res, err := sb.Call(context.Background(), c)
			if err != nil {
				t.Error(err)
				return
			}
			if len(res.Requests) != want {
				t.Errorf("call %d made %d requests, want %d: %v", i, len(res.Requests), want, hops(res))
			}
		})
	}
	wg.Wait()
}

func TestListenServesCallsOverLoopback(t *testing.T) {
	sb := newDemo(t, nil)
	origin, stop, err := sb.Listen(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if !strings.HasPrefix(origin, "http://127.0.0.1:") {
		t.Errorf("origin %q is not on loopback", origin)
	}
	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	res, err := sb.Call(context.Background(), caller.Call{URL: origin + sb.Start(), Client: client, Answers: []caller.Answer{caller.Press("0")}})
	if err != nil {
		t.Fatal(err)
	}
	if got := hops(res); len(got) != 2 || got[1].option != "0" {
		t.Errorf("requests over loopback: %v", got)
	}
	stop()
	if _, err := client.Get(origin + "/healthz"); err == nil {
		t.Error("the server still answers after stop")
	}
}

func TestABrokenFlowIsRefusedWithItsPosition(t *testing.T) {
	_, err := sandbox.New(&sandbox.Options{Flow: framework.File("testdata/broken.yaml")})
	if err == nil || !strings.Contains(err.Error(), "testdata/broken.yaml:") {
		t.Fatalf("New = %v, want an error naming testdata/broken.yaml:line:col", err)
	}
}

func ExampleSandbox_Call() {
	sb, err := sandbox.New(nil) // the built-in demo flow and policy
	if err != nil {
		panic(err)
	}
	res, err := sb.Call(context.Background(), caller.Call{Answers: []caller.Answer{caller.Press("2"), caller.Press("1")}})
	if err != nil {
		panic(err)
	}
	for _, r := range res.Requests {
		fmt.Printf("%s node=%s option=%q\n", r.Path, r.Node, r.Option)
	}
	fmt.Println(res.Lines()[len(res.Lines())-1])
	// Output:
	// /ivr/welcome node=welcome option=""
	// /ivr/welcome/gather node=welcome option="2"
	// /ivr/support node=support option=""
	// /ivr/support/gather node=support option="1"
	// DIAL +15555550112
}

func TestSetupAddsTheProgramsOwnRoutes(t *testing.T) {
	sb := newDemo(t, &sandbox.Options{Setup: func(app *framework.App) error {
		return app.Voice(http.MethodPost, "/ivr/balance", "view", func(*http.Request) (twiml.Response, error) {
			return twiml.Response{Verbs: []twiml.Verb{twiml.Say{Text: "Your balance is $1.00."}}}, nil
		})
	}})
	res, err := sb.Call(context.Background(), caller.Call{URL: sandbox.Host + "/ivr/balance"})
	if err != nil {
		t.Fatal(err)
	}
	if got := hops(res); len(got) != 1 || got[0] != (hop{"/ivr/balance", "", "", "", "allow"}) {
		t.Errorf("requests: %v", got)
	}
	if res.String() != "SAY Your balance is $1.00.\n" {
		t.Errorf("heard:\n%s", res.Transcript)
	}
	if _, err := sandbox.New(&sandbox.Options{Setup: func(*framework.App) error { return errors.New("no ledger") }}); err == nil || err.Error() != "no ledger" {
		t.Errorf("a failing Setup: New = %v", err)
	}
}
