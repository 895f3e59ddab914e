package authz

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-ivr/switchboard"
	"github.com/switchboard-ivr/switchboard/principals"
)

var benchSizes = []int{10, 1_000, 10_000}

// benchPolicy returns a policy of n p lines whose deciding lines (the default policy's) come
// last. Of the filler lines, which never match a benchmark's route, 30% name twilio so that the
// route matcher runs on them, 5% deny; one filler line in twenty puts a caller in a group.
func benchPolicy(n int) string {
	var b strings.Builder
	deciding := strings.Count(switchboard.DefaultPolicy, "\np, ")
	for i := range n - deciding {
		sub := fmt.Sprintf("key:filler-%d", i)
		if i%10 < 3 {
			sub = principals.Twilio
		}
		eft := "allow"
		if i%20 == 0 {
			eft = "deny"
			fmt.Fprintf(&b, "g, caller:+1444%07d, group:filler-%d\n", i, i%50)
		}
		fmt.Fprintf(&b, "p, %s, /filler/%d/*, view, %s\n", sub, i, eft)
	}
	b.WriteString(switchboard.DefaultPolicy)
	return b.String()
}

var (
	callersOnce sync.Once
	callers     []string // distinct caller principals, built before any timer starts
)

func freshCallers() []string {
	callersOnce.Do(func() {
		callers = make([]string, 1<<18)
		for i := range callers {
			callers[i] = principals.Caller(fmt.Sprintf("+1555%07d", i))
		}
	})
	return callers
}

func benchAuthorizer(b *testing.B, n int, opts *Options) *Authorizer {
	b.Helper()
	a, err := New(switchboard.DefaultModel, benchPolicy(n), opts)
	if err != nil {
		b.Fatal(err)
	}
	if a.Rules() != n {
		b.Fatalf("%d rules, want %d", a.Rules(), n)
	}
	return a
}

// BenchmarkDecide decides {caller:+1555…, system.Everyone, twilio} on /ivr/welcome "view" with a
// different caller number every iteration, and, in the
// staff case, a caller whose group holds "staff" through a g line.
func BenchmarkDecide(b *testing.B) {
	callers := freshCallers()
	for _, n := range benchSizes {
		a := benchAuthorizer(b, n, nil)
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			ps := []string{"", principals.Everyone, principals.Twilio}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				ps[0] = callers[i&(len(callers)-1)]
				i++
				if d := a.Decide(ps, "/ivr/welcome", "view"); !d.Allowed {
					b.Fatal(d.Reason())
				}
			}
		})
		b.Run(fmt.Sprintf("rules=%d/staff", n), func(b *testing.B) {
			ps := []string{"caller:+15555550123", principals.Everyone, principals.Twilio}
			b.ReportAllocs()
			for b.Loop() {
				if d := a.Decide(ps, "/ivr/staff", "staff"); !d.Allowed {
					b.Fatal(d.Reason())
				}
			}
		})
	}
}

// BenchmarkDecideParallel is BenchmarkDecide on every CPU at 10,000 rules.
func BenchmarkDecideParallel(b *testing.B) {
	callers := freshCallers()
	a := benchAuthorizer(b, 10_000, nil)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		ps := []string{"", principals.Everyone, principals.Twilio}
		i := 0
		for pb.Next() {
			ps[0] = callers[i&(len(callers)-1)]
			i += 7
			if d := a.Decide(ps, "/ivr/welcome", "view"); !d.Allowed {
				b.Error(d.Reason())
				return
			}
		}
	})
}

// BenchmarkDecideUncached is the cost of a cache miss: one Casbin decision over every rule.
func BenchmarkDecideUncached(b *testing.B) {
	for _, n := range benchSizes {
		a := benchAuthorizer(b, n, &Options{CacheSize: -1})
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			ps := []string{"caller:+15555550100", principals.Everyone, principals.Twilio}
			b.ReportAllocs()
			for b.Loop() {
				if d := a.Decide(ps, "/ivr/welcome", "view"); !d.Allowed {
					b.Fatal(d.Reason())
				}
			}
		})
	}
}

// BenchmarkNew is the cost of building an Authorizer, that is of a reload.
func BenchmarkNew(b *testing.B) {
	for _, n := range benchSizes {
		policy := benchPolicy(n)
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := New(switchboard.DefaultModel, policy, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
