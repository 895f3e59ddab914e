package flow

import (
	"errors"
	"testing"
)

func TestCheckStateRefusesCountersTheCompilerNeverEmits(t *testing.T) {
	c := demo(t)
	tests := []struct {
		path, query string
		ok          bool
	}{
		{"/ivr/welcome/gather", "i=0&n=0", true},
		{"/ivr/welcome/gather", "i=1&n=1", true},
		{"/ivr/welcome/gather", "", true},
		{"/ivr/welcome/gather", "n=1&st=abc&id=9", true},
		{"/ivr/welcome/gather", "i=2&n=0", false}, // max_invalid 2: i is 0 or 1
		{"/ivr/welcome/gather", "i=0&n=2", false},
		{"/ivr/welcome/gather", "i=a&n=0", false},
		{"/ivr/welcome/gather", "i=+1&n=0", false},
		{"/ivr/welcome/gather", "i=00&n=0", false},
		{"/ivr/welcome/gather", "i=0&n=0&n=1", false},
		{"/ivr/welcome/gather", "i=0&n=", false},
		{"/ivr/welcome/gather", "i=10000&n=0", false},
		{"/ivr/sales/dialed", "", true},
		{"/ivr/sales/dialed", "s=9", false},
		{"/ivr/sales/dialed", "s=x", false},
		{"/ivr/staff_login/pin", "a=1", true},
		{"/ivr/staff_login/pin", "a=3", false},
		{"/ivr/staff_login/pin", "a=-1", false},
		{"/ivr/welcome", "i=x", true}, // the entry route reads no state
	}
	for _, tt := range tests {
		r := c.Route(tt.path)
		if r == nil {
			t.Fatalf("no route %s", tt.path)
		}
		err := r.CheckState(tt.query)
		if (err == nil) != tt.ok {
			t.Errorf("%s?%s: CheckState = %v, want ok %v", tt.path, tt.query, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrState) {
			t.Errorf("%s?%s: %v does not wrap ErrState", tt.path, tt.query, err)
		}
	}
}

// FuzzCheckState: no query panics CheckState, and one it accepts reads the same counters that
// Respond's lenient reader finds (so nothing accepted is reset by the clamp).
func FuzzCheckState(f *testing.F) {
	for _, q := range []string{"i=0&n=0", "i=1&n=1", "i=x", "i=0&i=1", "s=1", "a=2", "i", "&&", "i=9999"} {
		f.Add(q)
	}
	c := demo(f)
	routes := []*Route{c.Route("/ivr/welcome/gather"), c.Route("/ivr/sales/dialed"), c.Route("/ivr/staff_login/pin")}
	f.Fuzz(func(t *testing.T, q string) {
		for _, r := range routes {
			if r.CheckState(q) != nil || r.kind != routeGather {
				continue
			}
			if i, n := queryInt(q, "i"), queryInt(q, "n"); i >= r.n.maxI || n >= r.n.maxN {
				t.Fatalf("accepted %q, whose counters i=%d n=%d are out of range", q, i, n)
			}
		}
	})
}
