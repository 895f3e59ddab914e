package authz

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/switchboard-ivr/switchboard/principals"
)

// Options configures an [Authorizer]. A nil *Options means every default.
type Options struct {
	// ModelName and PolicyName name the files in errors and in a decision's [Origin]. Optional;
	// New defaults to "model.conf" and "policy.csv", Load to the paths it read. NewFromPolicy
	// takes the policy's names from its lines' origins.
	ModelName, PolicyName string

	// CacheSize bounds the number of cached decisions. Optional; default 10,000. A negative value
	// turns the cache off, so that every decision runs Casbin.
	CacheSize int
}

// DefaultCacheSize is the number of decisions an Authorizer caches unless [Options] say otherwise.
const DefaultCacheSize = 10_000

// Authorizer decides requests against one model and policy. It is safe for concurrent use and
// never changes: to reload, build a new one and swap it in (an atomic.Pointer), which also starts
// a fresh decision cache.
type Authorizer struct {
	name      string // the policy's name, the origin of a default deny
	rules     []rule
	groupings []grouping
	routes    map[string]*routePattern // each rule's route pattern, compiled
	groups    map[string][]string      // member → its groups, in file order
	mentioned map[string]struct{}      // every name a p or g line holds
	grants    map[string]struct{}      // the permissions some allow line grants ("*" included)
	eng       *engine
	cache     *decisionCache // nil when turned off
	extra     sync.Map       // route patterns a refined matcher asks for that no rule holds
}

// Load reads a model and a policy file and builds an [Authorizer] with [New]. Errors name the
// files as given.
func Load(modelPath, policyPath string, opts *Options) (*Authorizer, error) {
	m, merr := os.ReadFile(modelPath)
	p, perr := os.ReadFile(policyPath)
	if err := errors.Join(merr, perr); err != nil {
		return nil, err
	}
	o := Options{}
	if opts != nil {
		o = *opts
	}
	if o.ModelName == "" {
		o.ModelName = modelPath
	}
	if o.PolicyName == "" {
		o.PolicyName = policyPath
	}
	return New(string(m), string(p), &o)
}

// New builds an [Authorizer] from the text of a model and a policy. The model must be
// Switchboard's (the default model.conf); only its matcher may be refined, and it must still
// compare principals with hasPrincipal(r.sub, p.sub). Every problem in either text is reported
// at once, joined with errors.Join, each an [*Error] naming the file and the line.
func New(modelText, policyText string, opts *Options) (*Authorizer, error) {
	name := "policy.csv"
	if opts != nil && opts.PolicyName != "" {
		name = opts.PolicyName
	}
	return NewFromPolicy(modelText, PolicyText(name, policyText), opts)
}

// NewFromPolicy builds an [Authorizer] from the text of a model and a policy as its source
// delivered it, each line with its [Origin]: decisions, explanations and errors name a line by
// its origin ("policy.csv:5", "policy-db rule 42"). See [New] for the rules.
func NewFromPolicy(modelText string, pol Policy, opts *Options) (*Authorizer, error) {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	if o.ModelName == "" {
		o.ModelName = "model.conf"
	}
	if pol.Name == "" {
		pol.Name = "policy"
	}
	if o.CacheSize == 0 {
		o.CacheSize = DefaultCacheSize
	}

	info, merr := checkModel(o.ModelName, modelText)
	parsed, perr := parsePolicy(pol, info.hasGroups)
	if err := errors.Join(merr, perr); err != nil {
		return nil, err
	}

	a := &Authorizer{
		name:      pol.Name,
		rules:     parsed.rules,
		groupings: parsed.groupings,
		routes:    parsed.routes,
		groups:    map[string][]string{},
		mentioned: map[string]struct{}{},
		grants:    map[string]struct{}{},
	}
	subjects := map[string]struct{}{}
	for _, r := range a.rules {
		a.mentioned[r.sub] = struct{}{}
		subjects[r.sub] = struct{}{}
		if !r.deny {
			a.grants[r.act] = struct{}{}
		}
	}
	for _, g := range a.groupings {
		a.mentioned[g.member] = struct{}{}
		a.mentioned[g.group] = struct{}{}
		a.groups[g.member] = append(a.groups[g.member], g.group)
	}
	if o.CacheSize > 0 {
		a.cache = newDecisionCache(o.CacheSize)
	}

	eng, err := newEngine(modelText, parsed, a.routeMatch)
	if err != nil {
		return nil, &Error{Origin: Origin{Source: o.ModelName}, Problem: err.Error()}
	}
	a.eng = eng
	// Evaluate the matcher once against every rule, so that a matcher Casbin cannot compile or
	// evaluate fails here rather than on a call.
	probe := &principalSet{names: slices.Sorted(maps.Keys(subjects))}
	probe.index()
	if _, _, err := eng.decide(probe, "/", "view"); err != nil {
		msg, _, _ := strings.Cut(err.Error(), "\n")
		return nil, &Error{Origin: Origin{Source: o.ModelName, Line: info.matcherLine}, Problem: "matcher: " + msg}
	}
	return a, nil
}

// Decision is the answer to one request, with the policy line that decided it.
type Decision struct {
	Allowed bool
	Denied  bool   // an explicit deny line matched; false for a default deny
	Rule    string // the deciding policy line as written, "p, twilio, /ivr/*, view, allow"; "" for a default deny
	// Origin is where Rule came from: its file and line, or its database rule's ID. For a
	// default deny, the policy's name alone.
	Origin
	Err error // Casbin could not evaluate the matcher: the request is refused

	principals []string
	route      string
	permission string
}

// Reason explains the decision in one line for a log, such as
//
//	allowed by policy.csv:5 "p, twilio, /ivr/*, view, allow"
//	denied by policy.csv:13 "p, group:blocked, /ivr/*, *, deny"
//	denied by policy-db rule 42 "p, group:blocked, /ivr/*, *, deny"
//	no policy line grants "view" on /ivr/welcome to [system.Everyone]
//
// Caller numbers among the request's principals are masked; the policy line is quoted as written.
func (d Decision) Reason() string {
	switch {
	case d.Err != nil:
		return "refused: the policy could not be evaluated: " + d.Err.Error()
	case d.Allowed:
		return fmt.Sprintf("allowed by %s %q", d.Origin, d.Rule)
	case d.Denied:
		return fmt.Sprintf("denied by %s %q", d.Origin, d.Rule)
	default:
		return fmt.Sprintf("no policy line grants %q on %s to %v", d.permission, d.route, principals.NewSet(d.principals...).Masked())
	}
}

// String returns [Decision.Reason].
func (d Decision) String() string { return d.Reason() }

// Decide reports whether the principals may use permission on route. route is the route pattern
// the framework registered ("/ivr/welcome"), not the request's path. principals is best sorted
// (principals.Set.Names()) so that equal sets share a cache entry; the answer does not depend on
// the order.
//
// Decide runs Casbin once per distinct (route, permission, principals the policy names) and
// answers from the cache after that, without allocating.
func (a *Authorizer) Decide(principals []string, route, permission string) Decision {
	var o outcome
	if a.cache == nil {
		o = a.evaluate(principals, route, permission)
	} else {
		kp := keyPool.Get().(*[]byte)
		key := a.appendKey((*kp)[:0], principals, route, permission)
		var ok bool
		if o, ok = a.cache.get(key); !ok {
			o = a.evaluate(principals, route, permission)
			a.cache.put(string(key), o)
		}
		*kp = key
		keyPool.Put(kp)
	}
	d := Decision{Allowed: o.allowed, Origin: Origin{Source: a.name}, Err: o.err, principals: principals, route: route, permission: permission}
	if o.rule >= 0 {
		r := &a.rules[o.rule]
		d.Denied = !o.allowed && r.deny
		d.Rule, d.Origin = r.text, r.origin
	}
	return d
}

// appendKey appends the cache key of a request: the route and the permission, length-prefixed,
// then each principal the policy mentions, NUL-terminated (parsePolicy rejects control
// characters in names, so none holds a NUL). Principals the policy never names cannot match a
// line nor reach a group, so leaving them out keeps a fresh caller number from missing the cache.
func (a *Authorizer) appendKey(b []byte, ps []string, route, permission string) []byte {
	b = binary.AppendUvarint(b, uint64(len(route)))
	b = append(b, route...)
	b = binary.AppendUvarint(b, uint64(len(permission)))
	b = append(b, permission...)
	for _, p := range ps {
		if _, ok := a.mentioned[p]; ok {
			b = append(b, p...)
			b = append(b, 0)
		}
	}
	return b
}

// evaluate asks Casbin, with the principals the policy mentions and every group they reach.
func (a *Authorizer) evaluate(ps []string, route, permission string) outcome {
	named := make([]string, 0, len(ps))
	for _, p := range ps {
		if _, ok := a.mentioned[p]; ok {
			named = append(named, p)
		}
	}
	set := a.expand(named, nil)
	allowed, rule, err := a.eng.decide(set, route, permission)
	if err != nil {
		return outcome{rule: -1, err: err}
	}
	return outcome{allowed: allowed, rule: rule}
}

// principalSet is a request's principals and every group they reach through g lines. Casbin's
// matcher receives it as r.sub and tests it with hasPrincipal.
type principalSet struct {
	names []string
	set   map[string]struct{} // filled by index for large sets
}

func (s *principalSet) index() {
	if len(s.names) > 8 {
		s.set = make(map[string]struct{}, len(s.names))
		for _, n := range s.names {
			s.set[n] = struct{}{}
		}
	}
}

func (s *principalSet) has(name string) bool {
	if s.set != nil {
		_, ok := s.set[name]
		return ok
	}
	return slices.Contains(s.names, name)
}

// expand follows the g lines from ps, breadth first, to every group they reach (cycles are
// harmless). When via is not nil it records, for each group reached, the member it was reached
// from.
func (a *Authorizer) expand(ps []string, via map[string]string) *principalSet {
	s := &principalSet{names: slices.Clone(ps)}
	seen := make(map[string]struct{}, len(ps))
	for _, p := range ps {
		seen[p] = struct{}{}
	}
	for i := 0; i < len(s.names); i++ {
		member := s.names[i]
		for _, g := range a.groups[member] {
			if _, ok := seen[g]; ok {
				continue
			}
			seen[g] = struct{}{}
			s.names = append(s.names, g)
			if via != nil {
				via[g] = member
			}
		}
	}
	s.index()
	return s
}

// routeMatch is the model's routeMatch(r.obj, p.obj): Casbin's keyMatch2 with every pattern
// compiled once.
func (a *Authorizer) routeMatch(route, pattern string) (bool, error) {
	if p, ok := a.routes[pattern]; ok {
		return p.match(route), nil
	}
	if p, ok := a.extra.Load(pattern); ok {
		return p.(*routePattern).match(route), nil
	}
	p, err := compileRoute(pattern)
	if err != nil {
		return false, err
	}
	a.extra.Store(pattern, &p)
	return p.match(route), nil
}

func (r *rule) grants(permission string) bool { return r.act == permission || r.act == "*" }

// Grants reports whether some allow line grants permission, or "*", to anybody: a route asking
// for a permission nobody is granted can never be reached.
func (a *Authorizer) Grants(permission string) bool {
	_, one := a.grants[permission]
	_, all := a.grants["*"]
	return one || all
}

// Open reports whether every caller, whoever they are, may use permission on route: the policy
// allows it to system.Everyone and no line denies it to anybody. A flow's forbidden or
// unauthenticated flow may send a refused caller to such a route without risk of refusing them
// again (flow.Options.Open).
func (a *Authorizer) Open(route, permission string) bool {
	if _, deny := a.Subjects(route, permission); len(deny) > 0 {
		return false
	}
	return a.Decide([]string{principals.Everyone}, route, permission).Allowed
}

// Subjects returns the subjects (principals and groups, sorted, each once) of the allow lines
// and of the deny lines that match route and permission, as `switchboard routes` lists them.
func (a *Authorizer) Subjects(route, permission string) (allow, deny []string) {
	for i := range a.rules {
		r := &a.rules[i]
		if !r.grants(permission) || !a.routes[r.obj].match(route) {
			continue
		}
		if r.deny {
			deny = append(deny, r.sub)
		} else {
			allow = append(allow, r.sub)
		}
	}
	slices.Sort(allow)
	slices.Sort(deny)
	return slices.Compact(allow), slices.Compact(deny)
}

// Rules returns the number of p lines in the policy.
func (a *Authorizer) Rules() int { return len(a.rules) }

// Groupings returns the number of g lines in the policy.
func (a *Authorizer) Groupings() int { return len(a.groupings) }
