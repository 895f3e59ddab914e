package pgpolicy_test

import (
	"fmt"

	"github.com/switchboard-ivr/switchboard/framework/pgpolicy"
)

func ExampleParseRule() {
	r, err := pgpolicy.ParseRule(" g,caller:+15555550199 , group:blocked")
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Type, r.Fields)
	fmt.Print(pgpolicy.Text([]pgpolicy.Rule{r}))

	_, err = pgpolicy.ParseRule("p, twilio, /ivr/*, view")
	fmt.Println(err)
	// Output:
	// g [caller:+15555550199 group:blocked]
	// g, caller:+15555550199, group:blocked
	// "p, twilio, /ivr/*, view": a p rule has 4 fields after p (subject, route, permission, allow|deny), not 3
}
