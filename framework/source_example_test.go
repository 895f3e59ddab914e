package framework_test

import (
	"context"
	"fmt"

	"github.com/switchboard-ivr/switchboard/framework"
)

// A policy a program embeds, checked the way an App loads it; a nil model is the built-in one.
func ExampleLoadAuthorizer() {
	policy := framework.Text("acme.csv", "p, twilio, /ivr/*, view, allow\n"+
		"p, group:blocked, /ivr/*, *, deny\n"+
		"g, caller:+15555550199, group:blocked\n")
	az, err := framework.LoadAuthorizer(context.Background(), nil, policy)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(az.Decide([]string{"caller:+15555550199", "twilio"}, "/ivr/welcome", "view").Reason())

	_, err = framework.LoadAuthorizer(context.Background(), nil, framework.Text("typo.csv", "p, twilio, /ivr/*, view, alow\n"))
	fmt.Println(err)
	// Output:
	// denied by acme.csv:2 "p, group:blocked, /ivr/*, *, deny"
	// typo.csv:1: effect "alow" must be allow or deny
}
