package authz

import (
	"errors"
	"fmt"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
)

// This is the only file that imports Casbin.

// engine is a Casbin enforcer over a validated model and policy. It is never changed after
// newEngine returns, so concurrent decisions need no lock, and it has no watcher: a reload builds
// a new Authorizer.
type engine struct {
	e *casbin.Enforcer
}

// newEngine builds the enforcer. routeMatch and the principal sets passed to decide supply the
// model's hasPrincipal and routeMatch functions.
func newEngine(modelText string, pol *policy, routeMatch func(route, pattern string) (bool, error)) (*engine, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, err
	}
	e, err := casbin.NewEnforcer(m, policyAdapter{pol})
	if err != nil {
		return nil, err
	}
	e.AddFunction("hasPrincipal", func(args ...any) (any, error) {
		if len(args) != 2 {
			return nil, fmt.Errorf("hasPrincipal takes 2 arguments, got %d", len(args))
		}
		set, ok1 := args[0].(*principalSet)
		name, ok2 := args[1].(string)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("hasPrincipal(r.sub, p.sub) got (%T, %T)", args[0], args[1])
		}
		return set.has(name), nil
	})
	e.AddFunction("routeMatch", func(args ...any) (any, error) {
		if len(args) != 2 {
			return nil, fmt.Errorf("routeMatch takes 2 arguments, got %d", len(args))
		}
		route, ok1 := args[0].(string)
		pattern, ok2 := args[1].(string)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("routeMatch(r.obj, p.obj) got (%T, %T)", args[0], args[1])
		}
		return routeMatch(route, pattern)
	})
	return &engine{e: e}, nil
}

// decide runs one Casbin decision for the principal set (already expanded through the g lines).
// rule is the index, among the policy's p lines, of the line Casbin names as the reason: the first
// matching deny line when it denies, the first matching allow line when it allows, -1 for a
// default deny.
func (g *engine) decide(set *principalSet, route, permission string) (allowed bool, rule int, err error) {
	allowed, reason, err := g.e.EnforceEx(set, route, permission)
	if err != nil || len(reason) == 0 {
		return allowed, -1, err
	}
	// The adapter loaded the p lines in order, and parsePolicy rejected duplicates and commas in
	// fields, so Casbin's own index of its rules is the line's index.
	i, ok := g.e.GetModel()["p"]["p"].PolicyMap[strings.Join(reason, model.DefaultSep)]
	if !ok {
		return allowed, -1, fmt.Errorf("casbin named a rule it does not hold: %q", reason)
	}
	return allowed, i, nil
}

// policyAdapter feeds Casbin the lines parsePolicy validated, in file order.
type policyAdapter struct{ pol *policy }

var errReadOnly = errors.New("authz: the policy is read-only; build a new Authorizer")

func (a policyAdapter) LoadPolicy(m model.Model) error {
	for _, r := range a.pol.rules {
		eft := "allow"
		if r.deny {
			eft = "deny"
		}
		if err := persist.LoadPolicyArray([]string{"p", r.sub, r.obj, r.act, eft}, m); err != nil {
			return err
		}
	}
	for _, g := range a.pol.groupings {
		if err := persist.LoadPolicyArray([]string{"g", g.member, g.group}, m); err != nil {
			return err
		}
	}
	return nil
}

func (policyAdapter) SavePolicy(model.Model) error                              { return errReadOnly }
func (policyAdapter) AddPolicy(string, string, []string) error                  { return errReadOnly }
func (policyAdapter) RemovePolicy(string, string, []string) error               { return errReadOnly }
func (policyAdapter) RemoveFilteredPolicy(string, string, int, ...string) error { return errReadOnly }
