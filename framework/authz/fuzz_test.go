package authz

import (
	"errors"
	"testing"

	"github.com/switchboard-ivr/switchboard"
)

// FuzzPolicy feeds the policy parser arbitrary text: it never panics, every problem it reports
// carries a line, and a policy it accepts can decide.
func FuzzPolicy(f *testing.F) {
	f.Add(switchboard.DefaultPolicy)
	f.Add("p, twilio, /ivr/*, view, allow\ng, a, b, c\n")
	f.Add(`p, "tw""ilio", /ivr/:menu/*, *, deny`)
	f.Add("p, twilio, /ivr/(, view, allow\r\n\x00")
	f.Fuzz(func(t *testing.T, policy string) {
		a, err := New(switchboard.DefaultModel, policy, nil)
		if err != nil {
			errs := []error{err}
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				errs = j.Unwrap()
			}
			for _, e := range errs {
				var pe *Error
				if !errors.As(e, &pe) || pe.Line < 1 || pe.Source != "policy.csv" {
					t.Fatalf("problem without a line: %v", e)
				}
			}
			return
		}
		d := a.Decide([]string{"system.Everyone", "twilio"}, "/ivr/welcome", "view")
		if d.Err != nil {
			t.Fatalf("accepted policy fails to decide: %v", d.Err)
		}
		_ = a.Explain([]string{"system.Everyone", "twilio"}, "/ivr/welcome", "view")
	})
}
