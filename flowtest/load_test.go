package flowtest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/flowtest"
	"github.com/switchboard-ivr/switchboard/framework/flow"
)

func TestMistakesInATestFileAreReportedTogetherWithTheirPositions(t *testing.T) {
	tests := []struct {
		name  string
		given string
		want  []string
	}{
		{"empty", "", []string{"t_test.yaml:1:1: the file is empty"}},
		{"not a mapping", "- a\n", []string{"t_test.yaml:1:1: a test file is a mapping with flow: and calls:, got a list"}},
		{"bad YAML", "flow: [a\n", []string{"t_test.yaml:2: invalid YAML: did not find expected ',' or ']'"}},
		{"two documents", "flow: a\n---\nflow: b\n", []string{`t_test.yaml:2:1: a test file holds one YAML document; remove this "---" and what follows`}},
		{"no calls", "flow: menu.yaml\n", []string{"t_test.yaml:1:1: calls: is missing: a test file places at least one call"}},
		{"unknown top key", "flow: menu.yaml\nflows: x\ncalls: [{name: a, expect: [{hangup: true}]}]\n",
			[]string{`t_test.yaml:2:1: unknown key "flows" (did you mean "flow"?)`}},
		{"a call without name or expect", "flow: m.yaml\ncalls:\n  - press: [\"1\"]\n",
			[]string{
				"t_test.yaml:3:5: calls[0]: name: is missing: every call has a name, printed with its result",
				"t_test.yaml:3:5: calls[0]: expect: is missing: a call with no expectation tests nothing",
			}},
		{"wrong values", "flow: m.yaml\nat: tomorrow\ncalls:\n  - name: a\n    from: 555-0100\n    dial_status: ringing\n    direction: sideways\n    path: ivr/x\n    expect: [{hangup: true}]\n",
			[]string{
				`t_test.yaml:2:5: at: must be a time in RFC 3339, such as "2026-12-06T12:00:00-05:00"; got "tomorrow"`,
				`t_test.yaml:5:11: calls[0].from: must be an E.164 phone number: + then 8 to 15 digits, like +15555550142; got "555-0100"`,
				`t_test.yaml:6:18: calls[0].dial_status: must be one of completed, answered, busy, no-answer, failed, canceled; got "ringing"`,
				`t_test.yaml:7:16: calls[0].direction: must be inbound or outbound-api; got "sideways"`,
				`t_test.yaml:8:11: calls[0].path: must be a route's path such as /ivr/reminder; got "ivr/x"`,
			}},
		{"agent endings that are not handoff data", "flow: m.yaml\ncalls:\n  - name: a\n    agent_end: '{reason'\n    agent_failed: maybe\n    expect: [{hangup: true}]\n",
			[]string{
				`t_test.yaml:4:16: calls[0].agent_end: must be handoff data: a mapping such as {reason: transfer}, or JSON; got "{reason"`,
				`t_test.yaml:5:19: calls[0].agent_failed: must be true or false, got "maybe"`,
			}},
		{"press and say together", "flow: m.yaml\ncalls:\n  - {name: a, press: [\"2\"], say: [billing], expect: [{hangup: true}]}\n",
			[]string{`t_test.yaml:3:29: calls[0]: press, say and answers together lose the order of the answers: use answers: [{press: "2"}, {say: billing}]`}},
		{"duplicate names and keys", "flow: m.yaml\ncalls:\n  - {name: a, expect: [{hangup: true}]}\n  - {name: a, name: b, expect: [{hangup: true}]}\n",
			[]string{
				`t_test.yaml:4:5: calls[1].name: another call is named "a" (line 3); names must be unique`,
				`t_test.yaml:4:15: calls[1]: duplicate key "name" (first at line 4)`,
			}},
		{"expectations", "flow: m.yaml\ncalls:\n  - name: a\n    expect:\n      - sai: hi\n      - {say: a, dial: b}\n      - say: \"/[/\"\n      - record: false\n      - no_dial: false\n      - error: forbiden\n      - say: \"\"\n      - node: [a]\n",
			[]string{
				`t_test.yaml:5:9: calls[0].expect[0]: unknown key "sai" (did you mean "say"?)`,
				`t_test.yaml:6:9: calls[0].expect[1]: one expectation per item, so that their order is clear: - {say: …} then - {dial: …}`,
				"t_test.yaml:7:14: calls[0].expect[2].say: bad regular expression: missing closing ]: `[`",
				`t_test.yaml:8:17: calls[0].expect[3].record: record: false is not an expectation; to say it never happens, write no_record: true`,
				`t_test.yaml:9:18: calls[0].expect[4].no_dial: no_dial: false expects nothing; remove it`,
				`t_test.yaml:10:16: calls[0].expect[5].error: must be true or one of unauthenticated, forbidden, not_found, internal, denied; got "forbiden" (did you mean "forbidden"?)`,
				`t_test.yaml:11:14: calls[0].expect[6].say: must not be empty; true matches anything`,
				`t_test.yaml:12:15: calls[0].expect[7].node: must be a string, got a list`,
			}},
		{"answers", "flow: m.yaml\ncalls:\n  - name: a\n    answers: [{press: \"1\"}, shout, {press: \"1\", say: x}, {sing: la}]\n    expect: [{hangup: true}]\n",
			[]string{
				`t_test.yaml:4:29: calls[0].answers[1]: unknown answer "shout": an answer is {press: digits}, {say: words}, silence or hangup`,
				`t_test.yaml:4:36: calls[0].answers[2]: an answer is one of {press: digits} or {say: words}`,
				`t_test.yaml:4:59: calls[0].answers[3]: unknown key "sing"`,
			}},
		{"aliases", "flow: m.yaml\ncalls:\n  - name: a\n    press: &p [\"1\"]\n    expect: [{hangup: true}]\n  - name: b\n    press: *p\n    expect: [{hangup: true}]\n",
			[]string{`t_test.yaml:7:12: calls[1].press: aliases (*name) are not supported in a test file; write the value out`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := flowtest.Parse("t_test.yaml", []byte(tt.given))
			if err == nil {
				t.Fatal("Parse succeeded")
			}
			got := strings.Split(err.Error(), "\n")
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			var p flow.Problem
			if !errors.As(err, &p) || p.Pos.File != "t_test.yaml" {
				t.Errorf("the error is not a flow.Problem in t_test.yaml: %#v", err)
			}
		})
	}
}

func TestLoadResolvesFilesAgainstTheTestFile(t *testing.T) {
	f, err := flowtest.Load("testdata/shop_test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if f.Flow != "testdata/shop.yaml" || f.Policy != "testdata/shop.csv" || f.Model != "" {
		t.Errorf("Flow, Policy, Model = %q, %q, %q", f.Flow, f.Policy, f.Model)
	}
	if _, err := flowtest.Load("testdata/missing_test.yaml"); err == nil || !strings.HasPrefix(err.Error(), "testdata/missing_test.yaml: cannot read the test file: ") {
		t.Errorf("Load of a missing file: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(header + "  - {name: a, press: [\"1\"], expect: [{say: hi}, {no_dial: true}]}\n"))
	f.Add([]byte("calls:\n  - name: a\n    answers: [silence, {say: x}]\n    expect: [{error: true}, {say: \"/a+/\"}]\n"))
	f.Add([]byte("flow: [\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := flowtest.Parse("f_test.yaml", data)
		if err != nil {
			// Every problem names the file, and a line when the input has one.
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "f_test.yaml:") {
					t.Fatalf("a problem without its position: %q", line)
				}
			}
			return
		}
		if len(file.Calls) == 0 {
			t.Fatal("a file with no call parsed")
		}
		for _, c := range file.Calls {
			if strings.TrimSpace(c.Name) == "" || len(c.Expect) == 0 {
				t.Fatalf("a call without a name or an expectation parsed: %+v", c)
			}
			for _, e := range c.Expect {
				if e.Pos.Line == 0 || e.String() == "" {
					t.Fatalf("an expectation without a position: %+v", e)
				}
			}
		}
	})
}
