package flowtest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/flowtest"
	"github.com/switchboard-ivr/switchboard/framework/flow"
)

// header is the top of the test files below: the shop flow on a Monday morning.
const header = "flow: shop.yaml\npolicy: shop.csv\nat: \"2026-11-23T10:00:00-05:00\"\ncalls:\n"

// runOne places the one call of a test file made of header and call, and returns its line.
func runOne(t *testing.T, call string) (string, *flowtest.Result) {
	t.Helper()
	f, err := flowtest.Parse("testdata/t_test.yaml", []byte(header+call))
	if err != nil {
		t.Fatal(err)
	}
	rep := flowtest.Run(context.Background(), []*flowtest.File{f}, nil)
	if len(rep.Errors) > 0 {
		t.Fatal(rep.Errors)
	}
	if len(rep.Results) != 1 {
		t.Fatalf("%d results, want 1", len(rep.Results))
	}
	return rep.Results[0].Line(), &rep.Results[0]
}

func TestEachExpectationPassesAndFailsOnWhatTheCallDid(t *testing.T) {
	tests := []struct {
		name, given, want string
	}{
		{"say is a part of a Say", `{name: c, press: ["1"], expect: [{say: Please hold}]}`,
			"ok   testdata/t_test.yaml:5: c"},
		{"say in order fails when the text came before", `{name: c, press: ["1"], expect: [{say: Please hold}, {say: Welcome}]}`,
			`FAIL testdata/t_test.yaml:5:59: c: say: "Welcome": no SAY containing "Welcome" after event 5; event 1 is one, before what the expectation above matched`},
		{"say as a regexp", `{name: c, expect: [{say: "/^Welcome to the [a-z]+\\.$/"}]}`,
			"ok   testdata/t_test.yaml:5: c"},
		{"say names the nearest Say when none matches", `{name: c, press: ["1"], expect: [{say: Welcome}, {say: Goodbye}]}`,
			`FAIL testdata/t_test.yaml:5:55: c: say: "Goodbye": no SAY containing "Goodbye" after event 1; the nearest is event 2`},
		{"the nearest Say holds the longest beginning of the text", `{name: c, press: ["1"], expect: [{say: Please holdd}]}`,
			`FAIL testdata/t_test.yaml:5:39: c: say: "Please holdd": no SAY containing "Please holdd" in the call; the nearest is event 5`},
		{"dial is a whole number", `{name: c, press: ["2"], expect: [{dial: "+1555555011"}]}`,
			`FAIL testdata/t_test.yaml:5:39: c: dial: "+1555555011": no DIAL "+1555555011" in the call; the nearest is event 5`},
		{"dial matches a dial the callee did not answer", `{name: c, press: ["2"], dial_status: busy, expect: [{dial: "+15555550111"}]}`,
			"ok   testdata/t_test.yaml:5: c"},
		{"no_dial true fails on any dial", `{name: c, press: ["2"], expect: [{no_dial: true}]}`,
			"FAIL testdata/t_test.yaml:5:39: c: no_dial: true: event 5 is DIAL +15555550111"},
		{"no_say with text passes when it was never said", `{name: c, press: ["2"], expect: [{no_say: closed}]}`,
			"ok   testdata/t_test.yaml:5: c"},
		{"enqueue", `{name: c, say: [my order], expect: [{enqueue: orders}, {end: queue}]}`,
			"ok   testdata/t_test.yaml:5: c"},
		{"hangup", `{name: c, press: ["1"], at: "2026-11-22T10:00:00-05:00", expect: [{say: Orders are closed.}, {hangup: true}, {no_enqueue: true}]}`,
			"ok   testdata/t_test.yaml:5: c"},
		{"node is where the call ended", `{name: c, press: ["1"], expect: [{node: welcome}]}`,
			`FAIL testdata/t_test.yaml:5:39: c: node: "welcome": the call ended at node "orders"`},
		{"node must be a node of the flow", `{name: c, expect: [{node: order}]}`,
			`FAIL testdata/t_test.yaml:5:25: c: node: "order": the flow has no node named "order" (did you mean "orders"?)`},
		{"visit", `{name: c, press: ["1"], expect: [{visit: welcome}, {visit: orders}, {no_visit: vip}]}`,
			"ok   testdata/t_test.yaml:5: c"},
		{"visit fails with the path the call took", `{name: c, press: ["1"], expect: [{visit: vip}]}`,
			`FAIL testdata/t_test.yaml:5:39: c: visit: "vip": no request of the call reached it; the call went through welcome → orders`},
		{"a refused menu is not visited, and its error flow is heard", `{name: c, press: ["3"], expect: [{no_visit: vip}, {error: forbidden}, {say: Not for you.}]}`,
			"ok   testdata/t_test.yaml:5: c"},
		{"the policy lets a VIP in", `{name: c, from: "+15555550177", press: ["3"], expect: [{visit: vip}, {no_error: true}, {say: "Hello, VIP."}]}`,
			"ok   testdata/t_test.yaml:5: c"},
		{"no_error names the request that heard one", `{name: c, press: ["3"], expect: [{no_error: true}]}`,
			"FAIL testdata/t_test.yaml:5:39: c: no_error: true: request 3 (POST /ivr/vip) heard the forbidden flow"},
		{"error of another kind", `{name: c, forged: true, expect: [{error: not_found}]}`,
			"FAIL testdata/t_test.yaml:5:39: c: error: \"not_found\": the error flows heard were unauthenticated"},
		{"a forged call hears the unauthenticated flow, which falls back to forbidden", `{name: c, forged: true, expect: [{error: unauthenticated}, {say: Not for you.}]}`,
			"ok   testdata/t_test.yaml:5: c"},
		{"path starts the call elsewhere", `{name: c, path: /ivr/orders, expect: [{say: Please hold.}, {no_say: Welcome}]}`,
			"ok   testdata/t_test.yaml:5: c"},
		{"a path that is no route", `{name: c, path: /ivr/nowhere, expect: [{error: not_found}]}`,
			"ok   testdata/t_test.yaml:5: c"},
		{"answers keep their order", `{name: c, answers: [silence, {press: "9"}, {press: "1"}], expect: [{say: Not an option.}, {enqueue: orders}]}`,
			"ok   testdata/t_test.yaml:5: c"},
		{"hanging up ends the call", `{name: c, answers: [hangup], expect: [{end: hung up}, {no_dial: true}]}`,
			"ok   testdata/t_test.yaml:5: c"},
		{"end", `{name: c, press: ["2"], expect: [{end: "/^queue/"}]}`,
			"FAIL testdata/t_test.yaml:5:39: c: end: /^queue/: the call ended: end of the document, where Twilio hangs up"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, res := runOne(t, "  - "+tt.given+"\n")
			if got != tt.want {
				t.Errorf("got  %s\nwant %s\n%s", got, tt.want, strings.Join(res.Transcript(), "\n"))
			}
		})
	}
}

func TestTheTranscriptAroundAFailureMarksItsEvent(t *testing.T) {
	_, res := runOne(t, `  - {name: c, press: ["2"], expect: [{no_dial: true}]}`+"\n")
	want := []string{
		"  1  SAY Welcome to the shop.",
		"  2  SAY For orders, press 1 or say orders. For the shop floor, press 2.",
		"  3  GATHER pressed 2",
		"  4  SAY Connecting you.",
		"> 5  DIAL +15555550111",
		"  (the call ended: end of the document, where Twilio hangs up)",
	}
	if got := res.Transcript(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Transcript():\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAFlowBuiltInGoServesAFileThatNamesNone(t *testing.T) {
	f, err := flowtest.Parse("t_test.yaml", []byte("calls:\n  - {name: c, expect: [{say: Hi from Go.}, {hangup: true}]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	rep := flowtest.Run(context.Background(), []*flowtest.File{f}, nil)
	if len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Error(), "the file names no flow") {
		t.Errorf("without Options.Flow: errors %v, want the file names no flow", rep.Errors)
	}
	// Built from YAML here only for brevity: any *flow.Flow will do.
	goFlow, problems := flow.Parse("go.yaml", []byte("version: 1\nstart: hi\nmenus:\n  hi: {say: Hi from Go., hangup: true}\n"), nil)
	if err := problems.Err(); err != nil {
		t.Fatal(err)
	}
	rep = flowtest.Run(context.Background(), []*flowtest.File{f}, &flowtest.Options{Flow: goFlow})
	if rep.Failed() != 0 || len(rep.Results) != 1 {
		var b strings.Builder
		_ = rep.WriteText(&b)
		t.Errorf("with Options.Flow:\n%s", b.String())
	}
}

func TestAFlowThatDoesNotLoadFailsItsFileWithEveryProblem(t *testing.T) {
	f, err := flowtest.Parse("testdata/t_test.yaml", []byte("flow: ../../sandbox/testdata/broken.yaml\ncalls:\n  - {name: c, expect: [{hangup: true}]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	rep := flowtest.Run(context.Background(), []*flowtest.File{f}, nil)
	if rep.Failed() != 1 || len(rep.Results) != 0 {
		t.Fatalf("Failed() = %d with %d results, want 1 and 0", rep.Failed(), len(rep.Results))
	}
	if msg := rep.Errors[0].Error(); !strings.Contains(msg, "sandbox/testdata/broken.yaml:3:") || !strings.Contains(msg, "sandbox/testdata/broken.yaml:5:") {
		t.Errorf("error %q does not name every problem with its position", msg)
	}
}

func TestCoverageCountsMenusOptionsAndErrorFlowsPerCall(t *testing.T) {
	f, err := flowtest.Parse("testdata/t_test.yaml", []byte(header+
		"  - {name: a, press: [\"1\"], expect: [{enqueue: orders}]}\n"+
		"  - {name: b, say: [orders please], expect: [{enqueue: orders}]}\n"+
		"  - {name: c, press: [\"3\"], expect: [{error: forbidden}]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	rep := flowtest.Run(context.Background(), []*flowtest.File{f}, nil)
	var b strings.Builder
	if err := rep.WriteCoverage(&b); err != nil {
		t.Fatal(err)
	}
	want := "coverage of testdata/shop.yaml: 2 of 3 menus, 2 of 3 options, 1 of 1 error flows\n" +
		"    menus never reached: vip\n" +
		"    options never chosen: welcome 2\n"
	if b.String() != want {
		t.Errorf("coverage:\n%s\nwant\n%s", b.String(), want)
	}
	cov := rep.Coverage[0]
	if got := cov.Options[0]; got != (flowtest.Covered{Name: "welcome 1", Calls: 2}) {
		t.Errorf("the option both calls chose (by keypad, then by voice): %+v", got)
	}
}
