package authz

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard"
)

func TestRulesFromADatabaseAreNamedByTheirID(t *testing.T) {
	row := func(id, text string) Line { return Line{Text: text, Origin: Origin{Source: "policy-db", ID: id}} }
	pol := Policy{Name: "policy-db", Lines: []Line{
		row("7", "p, twilio, /ivr/*, view, allow"),
		row("9", "p, group:blocked, /ivr/*, *, deny"),
		row("12", "g, caller:+15555550199, group:blocked"),
	}}
	a, err := NewFromPolicy(switchboard.DefaultModel, pol, nil)
	if err != nil {
		t.Fatal(err)
	}
	caller := []string{"caller:+15555550199", "twilio"}
	if got := a.Decide(caller, "/ivr/welcome", "view").Reason(); got != `denied by policy-db rule 9 "p, group:blocked, /ivr/*, *, deny"` {
		t.Errorf("Reason() = %s", got)
	}
	x := a.Explain(caller, "/ivr/welcome", "view")
	want := "denied by policy-db rule 9 \"p, group:blocked, /ivr/*, *, deny\"\n" +
		"  groups: group:blocked\n" +
		"  allow policy-db rule 7 \"p, twilio, /ivr/*, view, allow\" via twilio\n" +
		"  deny  policy-db rule 9 \"p, group:blocked, /ivr/*, *, deny\" via caller:+15555550199 → group:blocked\n"
	if x.String() != want {
		t.Errorf("Explain:\n%s\nwant:\n%s", x, want)
	}
	if d := a.Decide([]string{"system.Everyone"}, "/ivr/welcome", "view"); d.Origin.String() != "policy-db" {
		t.Errorf("a default deny's origin is %q, want the policy's name", d.Origin)
	}

	pol.Lines = append(pol.Lines, row("15", "p, twilio, /ivr/*, view, allow"), row("16", "p, twilio, /ivr/*, view, Allow"))
	_, err = NewFromPolicy(switchboard.DefaultModel, pol, nil)
	want = "policy-db rule 15: duplicate of policy-db rule 7\npolicy-db rule 16: effect \"Allow\" must be allow or deny"
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
	var e *Error
	if !errors.As(err, &e) || e.ID != "15" {
		t.Errorf("the first problem's origin is %+v, want rule 15", e)
	}
}

func TestAFileThatIsNotAPolicyIsReportedInBriefWithoutItsContent(t *testing.T) {
	var text strings.Builder
	for i := range 200 {
		fmt.Fprintf(&text, "SECRET_%03d=aVeryLongSecretValueThatMustNotBePrinted\n", i)
	}
	_, err := New(switchboard.DefaultModel, text.String(), nil)
	if err == nil {
		t.Fatal("loaded")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != maxProblems+1 || lines[len(lines)-1] != "policy.csv: and 150 more problems" {
		t.Errorf("%d lines, the last %q; want %d and a count of the rest", len(lines), lines[len(lines)-1], maxProblems+1)
	}
	if lines[0] != `policy.csv:1: unknown section "SECRET_000=a"…: a line starts with p or g` {
		t.Errorf("first line %q", lines[0])
	}
	if strings.Contains(err.Error(), "LongSecret") {
		t.Error("the error prints the file's content")
	}
}
