package authz_test

import (
	"fmt"

	"github.com/switchboard-ivr/switchboard"
	"github.com/switchboard-ivr/switchboard/framework/authz"
	"github.com/switchboard-ivr/switchboard/principals"
)

func Example() {
	a, err := authz.New(switchboard.DefaultModel, switchboard.DefaultPolicy, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d rules, %d groupings\n", a.Rules(), a.Groupings())

	caller := principals.NewSet(principals.Everyone, principals.Authenticated, principals.Twilio, principals.Caller("+15555550142"))
	fmt.Println(a.Decide(caller.Names(), "/ivr/welcome", "view").Reason())
	fmt.Println(a.Decide(caller.Names(), "/ivr/staff", "staff").Reason())

	blocked := principals.NewSet(principals.Everyone, principals.Authenticated, principals.Twilio, principals.Caller("+15555550199"))
	fmt.Print(a.Explain(blocked.Names(), "/ivr/welcome", "view"))
	// Output:
	// 10 rules, 2 groupings
	// allowed by policy.csv:6 "p, twilio, /ivr/*, view, allow"
	// no policy line grants "staff" on /ivr/staff to [caller:+1555***0142 system.Authenticated system.Everyone twilio]
	// denied by policy.csv:13 "p, group:blocked, /ivr/*, *, deny"
	//   groups: group:blocked
	//   allow policy.csv:6 "p, twilio, /ivr/*, view, allow" via twilio
	//   deny  policy.csv:13 "p, group:blocked, /ivr/*, *, deny" via caller:+15555550199 → group:blocked
}

func ExampleNew_errors() {
	_, err := authz.New(switchboard.DefaultModel, "p, twilio, /ivr/*, view, Allow\ng, caller:+15550000001, group:staff, acme\n", nil)
	fmt.Println(err)
	// Output:
	// policy.csv:1: effect "Allow" must be allow or deny
	// policy.csv:2: g line has 3 fields after g, want 2: g, member, group
}

// A policy whose lines come from a database: each carries its row's id as its origin, which the
// decision names.
func ExampleNewFromPolicy() {
	row := func(id, text string) authz.Line {
		return authz.Line{Text: text, Origin: authz.Origin{Source: "policy-db", ID: id}}
	}
	a, err := authz.NewFromPolicy(switchboard.DefaultModel, authz.Policy{Name: "policy-db", Lines: []authz.Line{
		row("41", "p, twilio, /ivr/*, view, allow"),
		row("42", "p, group:blocked, /ivr/*, *, deny"),
		row("43", "g, caller:+15555550199, group:blocked"),
	}}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.Decide([]string{"caller:+15555550199", "twilio"}, "/ivr/welcome", "view").Reason())
	// Output:
	// denied by policy-db rule 42 "p, group:blocked, /ivr/*, *, deny"
}
