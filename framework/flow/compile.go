package flow

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-ivr/switchboard/dialallow"
	"github.com/switchboard-ivr/switchboard/twiml"
)

// CompileOptions configure Compile. A nil *CompileOptions is valid.
type CompileOptions struct {
	// BasePath overrides the flow's base_path. Optional.
	BasePath string
	// URLPrefix is put before every URL the TwiML names on this server — gather, dial and record
	// actions, redirects to a menu or to a path such as /ivr/balance — but not before the routes
	// themselves: it is the path of a public URL (/acme in https://ivr.example.com/acme) that a
	// proxy strips before a request reaches this server, so that Twilio's next request stays
	// under it. Optional; none. A path such as /acme: a leading "/", no trailing "/".
	URLPrefix string
	// Validated says the caller has just checked the flow — Parse, Load or Flow.Validate found
	// no errors — and has not changed it since, so Compile skips checking it again (about a
	// tenth of a large flow's load time). Optional; when false, Compile checks the flow itself
	// and refuses one with errors.
	Validated bool
}

// Compiled is a flow rendered into routes: every document a call can receive was rendered once,
// at compile time, so serving one costs choosing among pre-rendered bytes. A Compiled is
// immutable and safe for concurrent use.
type Compiled struct {
	basePath string
	start    string
	routes   []*Route
	byPath   map[string]*Route
	edges    []Edge
	parent   map[string]string // graph.parent: where each node's back key goes
	global   [numErrorKinds][]byte
	prefixes []prefixFlows // longest prefix first
	maxCall  int           // Flow.MaxCallSeconds
	lang     string        // the language this Compiled renders in
	one      []string      // Languages of a flow of one language: {lang}, made once
	lt       *langTable    // nil in a flow of one language
	alt      []*Compiled   // the flow in each of its languages, this one first; nil with one
	vars     map[string]*Variable
	backends []BackendConfig
	entries  []string // Flow.Start, then Flow.Entries
	allow    dialallow.List
	calls    Callbacks // Flow.Callbacks
}

type prefixFlows struct {
	prefix string
	flows  [numErrorKinds][]byte
}

// Compile validates f (warnings are ignored; any error is returned, joined) and renders it.
//
// Every node gets the route base_path/<name>; a gather node also gets <route>/gather, which the
// gather's action and the <Redirect> after it (Twilio does not call the action on silence) point
// to, with the invalid and no-input counts in the query (i= and n=), which Twilio signs. A dial
// with no_answer reports to <route>/dialed, a record to <route>/recorded. Going to another node
// is always a <Redirect> to its route, never its TwiML inline, so that the authorizer checks the
// target's permission.
func Compile(f *Flow, opts *CompileOptions) (*Compiled, error) {
	if f == nil {
		return nil, errors.New("flow: Compile of a nil *Flow")
	}
	base := f.basePath()
	if opts != nil && opts.BasePath != "" {
		if !pathRe.MatchString(opts.BasePath) {
			return nil, fmt.Errorf("flow: CompileOptions.BasePath %q: must be a path such as /ivr", opts.BasePath)
		}
		base = opts.BasePath
	}
	prefix := ""
	if opts != nil && opts.URLPrefix != "" {
		if !pathRe.MatchString(opts.URLPrefix) {
			return nil, fmt.Errorf("flow: CompileOptions.URLPrefix %q: must be a path such as /acme: a leading \"/\", no trailing \"/\"", opts.URLPrefix)
		}
		prefix = opts.URLPrefix
	}
	g := buildGraph(f)
	if opts == nil || !opts.Validated {
		c := &checker{f: f, opts: &Options{}}
		c.fields()
		c.structure()
		c.languages()
		c.graph(g)
		if err := c.probs.Err(); err != nil {
			return nil, err
		}
	}
	return compile(f, g, base, prefix)
}

// BasePath returns the path every route starts with, such as "/ivr".
func (c *Compiled) BasePath() string { return c.basePath }

// Start returns the route of the start node, where calls enter.
func (c *Compiled) Start() string { return c.start }

// MaxCallSeconds returns the flow's max_call_seconds: 0 when it sets none.
func (c *Compiled) MaxCallSeconds() int { return c.maxCall }

// Entries returns the names of the menus a call may enter from outside the flow: start first,
// then the flow's entries. The caller must not modify them.
func (c *Compiled) Entries() []string { return c.entries }

// DialAllow returns the flow's dial_allow list: the zero List (only premium-rate prefixes
// refused) when it sets none.
func (c *Compiled) DialAllow() dialallow.List { return c.allow }

// Callbacks returns the callbacks the flow asks Twilio for (its callbacks: section).
func (c *Compiled) Callbacks() Callbacks { return c.calls }

// Routes returns every route, sorted by path. The caller must not modify them.
func (c *Compiled) Routes() []*Route { return c.routes }

// Route returns the route whose Path is exactly path (no query), or nil.
func (c *Compiled) Route(path string) *Route { return c.byPath[path] }

// Edges returns the flow's edges for drawing it, in a stable order.
func (c *Compiled) Edges() []Edge { return c.edges }

// Parent returns the menu a caller at menu name reaches with navigation's back key: the menu
// from which a breadth-first walk from the start menu first reaches name, following every edge
// but error flows (a redirect to one of the flow's own routes counts as a goto), a menu's edges
// in the order [Compiled.Edges] lists them. It returns "" for the start menu (where back repeats
// it) and for a menu the walk never reaches.
func (c *Compiled) Parent(name string) string { return c.parent[name] }

// ErrorFlow returns the pre-rendered TwiML a caller hears when a request for path (a query is
// ignored) fails with kind. The flow is the first set of: the error flows of the node owning the
// route, those of the longest by_prefix entry that path falls under (the prefix itself or below
// a "/"), the flow's own, then the built-in one ("We're sorry…", then dial call_center, or hang
// up without one; the built-in Denied flow always hangs up). An unset Unauthenticated falls back
// to Forbidden at the end of that chain. The caller must not modify the bytes.
func (c *Compiled) ErrorFlow(path string, kind ErrorKind) []byte {
	if kind < 0 || kind >= numErrorKinds {
		kind = Internal
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if r := c.byPath[path]; r != nil {
		return r.n.errs[kind]
	}
	for i := range c.prefixes {
		if underPrefix(path, c.prefixes[i].prefix) {
			return c.prefixes[i].flows[kind]
		}
	}
	return c.global[kind]
}

// FlowLevelErrorFlow is [Compiled.ErrorFlow] without the node's own error flows: those of the
// longest by_prefix entry that path falls under, else the flow's own, else the built-in one. A
// request that did not authenticate hears these, so that what a stranger hears never tells a
// menu's path from any other. The caller must not modify the bytes.
func (c *Compiled) FlowLevelErrorFlow(path string, kind ErrorKind) []byte {
	if kind < 0 || kind >= numErrorKinds {
		kind = Internal
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	for i := range c.prefixes {
		if underPrefix(path, c.prefixes[i].prefix) {
			return c.prefixes[i].flows[kind]
		}
	}
	return c.global[kind]
}

func underPrefix(path, prefix string) bool {
	return path == prefix || (len(path) > len(prefix) && path[len(prefix)] == '/' && path[:len(prefix)] == prefix)
}

// compiler renders one flow.
type compiler struct {
	f       *Flow
	g       *graph
	base    string // routes start with it
	prefix  string // URLs in the TwiML start with it, then base (CompileOptions.URLPrefix)
	probs   Problems
	out     *Compiled
	nodes   map[string]*node
	builtin [numErrorKinds][]byte // the built-in error flows
	langs   []language            // the flow's languages, the default first
	lang    *language             // the one being rendered
}

// twimlMaxSize is twiml.MaxSize, for files that do not import twiml.
const twimlMaxSize = twiml.MaxSize

// newCompiler returns a compiler of f in its default language; compileIn picks another.
func newCompiler(f *Flow, g *graph, base, prefix string) *compiler {
	langs := languagesOf(f)
	return &compiler{f: f, g: g, base: base, prefix: prefix, nodes: make(map[string]*node, len(f.Menus)),
		langs: langs, lang: &langs[0],
		out: &Compiled{basePath: base, start: routePath(base, f.Start), byPath: make(map[string]*Route, len(f.Menus)*2), maxCall: f.MaxCallSeconds, lang: langs[0].tag,
			entries: append([]string{f.Start}, f.Entries...), calls: f.Callbacks}}
}

// compile renders f once in each of its languages: N languages × the flow's documents, bounded
// by the flow and never by requests. The default language's Compiled holds the others, and
// each of its routes holds the route's node in every language.
func compile(f *Flow, g *graph, base, prefix string) (*Compiled, error) {
	langs := languagesOf(f)
	var out *Compiled
	var probs Problems
	seen := map[string]bool{}
	for i := range langs {
		c := newCompiler(f, g, base, prefix)
		c.lang = &c.langs[i]
		c.out.lang = c.lang.tag
		one, err := c.compileOne()
		for _, p := range c.probs { // each language finds the flow's own problems again
			if k := p.String(); !seen[k] {
				seen[k] = true
				probs = append(probs, p)
			}
		}
		if err != nil {
			if c.probs.Err() == nil {
				return nil, err
			}
			continue
		}
		if out == nil {
			out = one
		}
		if len(langs) > 1 {
			out.alt = append(out.alt, one)
		}
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	out.one = []string{out.lang}
	if len(langs) > 1 {
		lt := &langTable{byCalled: make(map[string]int, len(f.Languages.ByCalled))}
		for _, l := range langs {
			if l.idx > 0 && l.dflt {
				lt.named = l.idx
				continue
			}
			lt.tags = append(lt.tags, l.tag)
		}
		for num, tag := range f.Languages.ByCalled {
			lt.byCalled[num] = slices.Index(lt.tags, tag)
		}
		for _, one := range out.alt {
			one.lt, one.alt = lt, out.alt
			for _, r := range one.routes {
				r.lt = lt
				r.ns = make([]*node, len(out.alt))
				for i, other := range out.alt {
					r.ns[i] = other.byPath[r.Path].n
				}
			}
		}
	}
	return out, nil
}

// compileOne renders the flow in c.lang.
func (c *compiler) compileOne() (*Compiled, error) {
	f, g := c.f, c.g
	allow, err := dialallow.Parse(f.DialAllow)
	if err != nil {
		return nil, err // validated: unreachable unless a Flow built in Go skipped validation
	}
	c.out.allow = allow
	c.out.vars = f.Variables // which variables are sensitive: splitVars encrypts them
	c.errorTables()
	for _, name := range sortedKeys(f.Menus) {
		if n := f.Menus[name]; n != nil {
			c.node(name, n)
		}
	}
	slices.SortFunc(c.out.routes, func(a, b *Route) int { return strings.Compare(a.Path, b.Path) })
	for _, name := range sortedKeys(f.Backends) {
		if b := f.Backends[name]; b != nil {
			c.out.backends = append(c.out.backends, BackendConfig{Name: name, URL: b.URL, Timeout: b.timeout()})
		}
	}
	if usesInput(f) {
		for _, r := range c.out.routes {
			r.saveInput = true
		}
	}
	c.out.edges = make([]Edge, len(g.edges))
	for i, e := range g.edges {
		c.out.edges[i] = e.Edge
	}
	c.out.parent = g.parent
	if err := c.probs.Err(); err != nil {
		return nil, err
	}
	return c.out, nil
}

func routePath(base, name string) string { return base + "/" + name }

// url returns the URL the TwiML names for path, a path on this server: path under the URL prefix.
func (c *compiler) url(path string) string {
	if c.prefix == "" {
		return path
	}
	return c.prefix + path
}

// number returns the <Number> of a dial: with the status callback when the flow asks for it.
func (c *compiler) number(n string) twiml.Number {
	if !c.f.Callbacks.Status {
		return twiml.Number{Number: n}
	}
	return twiml.Number{Number: n, StatusCallback: c.url(CallbackPath + "/status"), StatusCallbackEvent: StatusEvents}
}

// redirectURL returns the URL a redirect step names: an absolute URL as it is, a path on this
// server under the URL prefix, and a path under the base path with the call's language.
func (nc *nodeCompiler) redirectURL(target string) string {
	if strings.HasPrefix(target, "/") && !strings.HasPrefix(target, "//") {
		if underPrefix(target, nc.c.base) || strings.HasPrefix(target, nc.c.base+"?") {
			return nc.link(target)
		}
		return nc.c.url(target)
	}
	return target
}

// voice is the voice and language prompts inherit in one context.
type voice struct{ voice, language string }

func (v voice) with(voiceName, language string) voice {
	if voiceName != "" {
		v.voice = voiceName
	}
	if language != "" {
		v.language = language
	}
	return v
}

// render renders verbs, reporting a document Twilio would refuse against path.
func (c *compiler) render(path string, verbs []twiml.Verb) []byte {
	b, err := twiml.Response{Verbs: verbs}.Render()
	if err != nil {
		msg := err.Error()
		if errors.Is(err, twiml.ErrTooLarge) {
			msg = fmt.Sprintf("renders to more than %d bytes of TwiML, Twilio's limit; shorten its prompts or options", twiml.MaxSize)
		}
		c.probs = append(c.probs, Problem{Pos: c.f.pos.at(path), Path: path, Message: msg})
	}
	return b
}

// errorTables renders the flow-level and by_prefix error flows, each kind resolved through its
// fallbacks. The node-level tables are built with each node.
func (c *compiler) errorTables() {
	def := c.lang.voice
	builtin := &c.builtin
	for k := range numErrorKinds {
		verbs := []twiml.Verb{twiml.Say{Text: builtinText(textErrors+builtinKey(k), c.lang.tag), Voice: def.voice, Language: def.language}}
		if c.f.CallCenter != "" && k != Denied {
			verbs = append(verbs, twiml.Dial{TimeLimit: c.f.MaxCallSeconds, Nouns: []twiml.Noun{c.number(c.f.CallCenter)}})
		} else {
			verbs = append(verbs, twiml.Hangup{})
		}
		builtin[k] = c.render("errors", verbs)
	}
	var none [numErrorKinds][]byte
	global := c.errorLevel("errors", &c.f.Errors, def, none)
	c.out.global = finishErrors(global, c.builtin)
	for _, prefix := range sortedKeys(c.f.Errors.ByPrefix) {
		e := c.f.Errors.ByPrefix[prefix]
		if e == nil {
			continue
		}
		lvl := c.errorLevel(joinKey(joinKey("errors", "by_prefix"), prefix), e, def, global)
		c.out.prefixes = append(c.out.prefixes, prefixFlows{prefix, finishErrors(lvl, c.builtin)})
	}
	slices.SortStableFunc(c.out.prefixes, func(a, b prefixFlows) int { return len(b.prefix) - len(a.prefix) })
}

// errorLevel renders the kinds set at one level, falling back to the parent level's for the
// others. Unset kinds stay nil so that finishErrors can apply the Forbidden fallback last.
func (c *compiler) errorLevel(path string, e *ErrorFlows, v voice, parent [numErrorKinds][]byte) [numErrorKinds][]byte {
	v = c.override(v, e.Voice, e.Language)
	out := parent
	nc := &nodeCompiler{c: c, voice: v, lang: c.lang}
	for k, a := range e.kinds() {
		if a != nil {
			out[k] = c.render(path, nc.action(a))
		}
	}
	return out
}

// finishErrors fills the kinds still unset: Unauthenticated from Forbidden, the rest built in.
func finishErrors(lvl, builtin [numErrorKinds][]byte) [numErrorKinds][]byte {
	for k := range numErrorKinds {
		if lvl[k] == nil && k != Unauthenticated {
			lvl[k] = builtin[k]
		}
	}
	if lvl[Unauthenticated] == nil {
		lvl[Unauthenticated] = lvl[Forbidden]
	}
	return lvl
}

// unresolvedFor returns the flow-level error flows a route's node falls back on, before
// finishErrors: the longest by_prefix match over the flow's own, unset kinds nil.
func (c *compiler) unresolvedFor(route string) [numErrorKinds][]byte {
	def := c.lang.voice
	// Recompute the chain for this route: global, then the longest prefix. Rendering is cheap
	// and only happens for nodes that override their errors.
	var none [numErrorKinds][]byte
	lvl := c.errorLevel("errors", &c.f.Errors, def, none)
	best := ""
	for prefix := range c.f.Errors.ByPrefix {
		if underPrefix(route, prefix) && len(prefix) > len(best) {
			best = prefix
		}
	}
	if e := c.f.Errors.ByPrefix[best]; best != "" && e != nil {
		lvl = c.errorLevel(joinKey(joinKey("errors", "by_prefix"), best), e, def, lvl)
	}
	return lvl
}

// node is a compiled node: every document its routes can answer with.
type node struct {
	name         string
	entry        []byte    // the body, or the hours-open branch
	closed       []byte    // the hours-closed branch
	hours        *schedule // nil when the node has no hours
	maxI         int       // gather: the invalid choice that is exhausted
	maxN         int       // gather: the silence that is exhausted
	invalid      [][]byte  // gather: after an invalid choice, indexed i*maxN+n for the new counts
	noInput      [][]byte  // gather: after silence, indexed i*maxN+n for the new counts
	exhausted    []byte
	options      []option // DTMF keys, sorted
	words        []option // speech words, longest first
	nav          []option // navigation keys
	other        []byte   // gather: input that matches no option, when the gather has other
	dialed       [][]byte // per dial site: the no_answer branch
	hangup       []byte   // a dial that was answered and ended
	recorded     [][]byte // per record site: the then branch
	pin          *PINCheck
	pinMax       int        // pin: the wrong PIN (or silence) that fails
	pinRetry     [][]byte   // pin: after the a-th wrong PIN, indexed a
	pinOK        []byte     // pin: a right PIN, to then
	pinFailed    []byte     // pin: too many wrong PINs, or a locked-out caller
	agent        bool       // the node hands calls to an agent
	agentEnd     []option   // agent: handoff value → destination, but default
	agentDefault []byte     // agent: any other handoff value
	agentError   []byte     // agent: a failed session, retried as often as it may be
	agentRetry   [][]byte   // agent without on_error: connect again, indexed by the retry (from 1)
	fetch        *FetchCall // fetch: what the server fetches on entry
	fetchFailed  []byte     // fetch: on_error, or the internal error flow
	dyn          *dyn       // nil for a node whose every document is pre-rendered
	errs         [numErrorKinds][]byte
}

type option struct {
	key string
	out []byte
}

// nodeCompiler renders the documents of one node.
type nodeCompiler struct {
	c       *compiler
	name    string // "" when rendering a flow-level error flow, which owns no routes
	route   string
	path    string // the node's field path, for problems
	voice   voice
	lang    *language // the language it renders in: the compiler's, or one a destination switched to
	cn      *node
	perm    string
	n       *Node
	dials   []*Dial
	records []*Record
	sites   map[any]int // index of each dial or record in dials or records
	// inErrors says the compiler renders the node's own error flows, where templates are refused.
	inErrors bool
}

func (c *compiler) node(name string, n *Node) {
	path := joinKey("menus", name)
	route := routePath(c.base, name)
	v := c.override(c.lang.voice, n.Voice, n.Language)
	cn := &node{name: name}
	c.nodes[name] = cn
	perm := n.Permission
	if perm == "" {
		perm = DefaultPermission
	}
	nc := &nodeCompiler{c: c, name: name, route: route, path: path, voice: v, lang: c.lang, cn: cn, perm: perm, n: n}
	nc.addRoute("", routeEntry)

	// Error flows first: they need no sites.
	if n.Errors != nil {
		lvl := c.errorLevel(joinKey(path, "errors"), n.Errors, v, c.unresolvedFor(route))
		cn.errs = finishErrors(lvl, c.builtin)
	} else {
		cn.errs = c.routeErrors(route)
	}
	if n.Fetch != nil {
		nc.fetch(joinKey(path, "fetch"), n.Fetch)
	}

	if h := n.Hours; h != nil {
		s, err := newSchedule(h)
		if err != nil {
			c.probs = append(c.probs, Problem{Pos: c.f.pos.at(joinKey(path, "hours")), Path: joinKey(path, "hours"), Message: err.Error()})
		}
		cn.hours = s
		cn.closed = c.render(joinKey(joinKey(path, "hours"), "closed"), nc.action(h.Closed))
		if h.Open != nil {
			cn.entry = c.render(joinKey(joinKey(path, "hours"), "open"), nc.action(h.Open))
		}
	}
	if cn.entry == nil {
		cn.entry = c.render(path, nc.body())
	}
	nc.branches()
}

// addRoute adds the node's route with suffix ("" for the node's own, "/gather"…).
func (nc *nodeCompiler) addRoute(suffix string, kind routeKind) {
	p := nc.route + suffix
	_, pin := nc.n.Do.(*PIN) // digits entered on a pin node are a PIN: never logged
	r := &Route{Path: p, Node: nc.name, Permission: nc.perm, Sensitive: nc.n.Sensitive || pin, kind: kind, n: nc.cn}
	nc.c.out.routes = append(nc.c.out.routes, r)
	nc.c.out.byPath[p] = r
}

// body returns the verbs of the node's own Say and Do, the one place a menu-only step renders.
func (nc *nodeCompiler) body() []twiml.Verb {
	return nc.prompts(nc.n.Say, nc.step(nc.n.Do, true))
}

// branches renders what the node's dial and record sites lead to. Rendering a dial's or a
// record's branch may reveal more of either (a record in a no_answer in a then…), so it renders
// until no site is left without its branch.
func (nc *nodeCompiler) branches() {
	c, cn, path := nc.c, nc.cn, nc.path
	for len(cn.dialed) < len(nc.dials) || len(cn.recorded) < len(nc.records) {
		for i := len(cn.dialed); i < len(nc.dials); i++ {
			cn.dialed = append(cn.dialed, c.render(joinKey(path, "dial"), nc.action(nc.dials[i].NoAnswer)))
		}
		for i := len(cn.recorded); i < len(nc.records); i++ {
			var verbs []twiml.Verb
			if t := nc.records[i].Then; t != nil {
				verbs = nc.action(t)
			} else {
				verbs = []twiml.Verb{twiml.Hangup{}}
			}
			cn.recorded = append(cn.recorded, c.render(joinKey(path, "record"), verbs))
		}
	}
	if len(nc.dials) > 0 {
		cn.hangup = c.render(path, []twiml.Verb{twiml.Hangup{}})
		nc.addRoute("/dialed", routeDialed)
	}
	if len(nc.records) > 0 {
		nc.addRoute("/recorded", routeRecorded)
	}
}

// routeErrors resolves the flow-level error flows for a route without its own.
func (c *compiler) routeErrors(route string) [numErrorKinds][]byte {
	for _, p := range c.out.prefixes {
		if underPrefix(route, p.prefix) {
			return p.flows
		}
	}
	return c.out.global
}

// gather compiles a node's gather: the documents of its /gather route, which it adds, and the
// verbs that start it, which follow the node's Say on entry.
func (nc *nodeCompiler) gather(path string, g *Gather) []twiml.Verb {
	f, cn := nc.c.f, nc.cn
	cn.maxI = firstPositive(g.MaxInvalid, f.Defaults.MaxInvalid, DefaultMaxInvalid)
	cn.maxN = firstPositive(g.MaxNoInput, f.Defaults.MaxNoInput, DefaultMaxNoInput)
	tg := nc.gatherVerb(g)
	nc.gatherOptions(path, g, &tg)
	ex := g.Exhausted
	if ex == nil {
		ex = &Action{Do: Hangup{}}
		if f.CallCenter != "" {
			ex = &Action{Do: &Dial{Number: CallCenter}}
		} else {
			ex.Say = Prompts{nc.c.builtinPrompt(textGoodbye)}
		}
	}
	cn.exhausted = nc.c.render(joinKey(path, "exhausted"), nc.action(ex))

	withGather := func(say Prompts, i, n int) []twiml.Verb {
		url := nc.link(nc.route + "/gather?i=" + strconv.Itoa(i) + "&n=" + strconv.Itoa(n))
		gv := tg
		gv.Action = url
		return append(nc.prompts(say, nil), gv, twiml.Redirect{URL: url})
	}
	invalid, noInput := g.Invalid, g.NoInput
	if len(invalid) == 0 {
		invalid = Prompts{nc.c.builtinPrompt(textInvalid)}
	}
	if len(noInput) == 0 {
		noInput = Prompts{nc.c.builtinPrompt(textNoInput)}
	}
	cn.invalid = make([][]byte, cn.maxI*cn.maxN)
	cn.noInput = make([][]byte, cn.maxI*cn.maxN)
	for i := range cn.maxI {
		for n := range cn.maxN {
			if i > 0 {
				cn.invalid[i*cn.maxN+n] = nc.c.render(path, withGather(invalid, i, n))
			}
			if n > 0 {
				cn.noInput[i*cn.maxN+n] = nc.c.render(path, withGather(noInput, i, n))
			}
		}
	}
	nc.addRoute("/gather", routeGather)
	return withGather(nil, 0, 0)
}

// pin compiles a node's pin step: the documents of its /pin route, which it adds, and the verbs
// that ask for the PIN on entry. The attempt count travels in the action URL (?a=), as a gather's
// counts do; the server checks the digits and tells Respond the outcome.
func (nc *nodeCompiler) pin(path string, p *PIN) []twiml.Verb {
	f, cn := nc.c.f, nc.cn
	cn.pin = &PINCheck{Secret: p.Secret, Grants: p.Grants}
	cn.pinMax = firstPositive(p.MaxAttempts, DefaultMaxPINs)
	prompt, wrong := p.Prompt, p.Wrong
	if len(prompt) == 0 {
		prompt = Prompts{nc.c.builtinPrompt(textPINPrompt)}
	}
	if len(wrong) == 0 {
		wrong = Prompts{nc.c.builtinPrompt(textPINWrong)}
	}
	ask := func(say Prompts, a int) []twiml.Verb {
		url := nc.link(nc.route + "/pin?a=" + strconv.Itoa(a))
		g := twiml.Gather{
			Action:      url,
			Timeout:     firstPositive(p.Timeout, f.Defaults.Timeout, DefaultTimeout),
			FinishOnKey: "#",
			Prompts:     nc.promptList(prompt),
		}
		return append(nc.prompts(say, nil), g, twiml.Redirect{URL: url})
	}
	cn.pinRetry = make([][]byte, cn.pinMax)
	for a := 1; a < cn.pinMax; a++ {
		cn.pinRetry[a] = nc.c.render(path, ask(wrong, a))
	}
	cn.pinOK = nc.c.render(joinKey(path, "then"), nc.action(p.Then))
	failed := p.Failed
	if failed == nil {
		failed = &Action{Say: Prompts{nc.c.builtinPrompt(textGoodbye)}, Do: Hangup{}}
	}
	cn.pinFailed = nc.c.render(joinKey(path, "failed"), nc.action(failed))
	nc.addRoute("/pin", routePIN)
	return ask(nil, 0)
}

// gatherVerb returns the <Gather> of g, without its action: input, timeout, digits and the
// navigation keys, which it compiles.
func (nc *nodeCompiler) gatherVerb(g *Gather) twiml.Gather {
	f, cn := nc.c.f, nc.cn
	input := g.input()
	tg := twiml.Gather{
		Timeout:     firstPositive(g.Timeout, f.Defaults.Timeout, DefaultTimeout),
		NumDigits:   g.NumDigits,
		FinishOnKey: g.FinishOnKey,
		Prompts:     nc.promptList(g.Prompt),
	}
	switch input {
	case "speech":
		tg.Input = "speech"
		tg.NumDigits = 0
	case "both":
		tg.Input = "dtmf speech"
	}
	if input != "dtmf" {
		tg.Language = nc.voice.language
		tg.Hints = g.Hints
	}
	if input == "speech" {
		return tg
	}
	nav := f.Navigation
	for _, k := range []struct{ key, to string }{
		{nav.Repeat, nc.link(nc.route)},
		{nav.Back, nc.backTarget()},
		{nav.Main, nc.link(nc.c.out.start)},
	} {
		if k.key != "" {
			cn.nav = append(cn.nav, option{k.key, nc.c.render(joinKey("navigation", k.key), nc.prompts(nil, []twiml.Verb{twiml.Redirect{URL: k.to}}))})
		}
	}
	if tg.NumDigits == 0 && g.Other == nil {
		tg.NumDigits = 1
		for key := range g.Options {
			if len(key) != 1 {
				tg.NumDigits = 0
			}
		}
		for _, o := range cn.nav {
			if len(o.key) != 1 {
				tg.NumDigits = 0
			}
		}
	}
	return tg
}

// gatherOptions renders what each option leads to, by key or by word, and the default hints.
func (nc *nodeCompiler) gatherOptions(path string, g *Gather, tg *twiml.Gather) {
	cn, input := nc.cn, g.input()
	op := joinKey(path, "options")
	for _, key := range sortedKeys(g.Options) {
		a := g.Options[key]
		out := nc.c.render(joinKey(op, key), nc.action(&a))
		if input == "speech" {
			cn.words = append(cn.words, option{normalizeWord(key), out})
		} else {
			cn.options = append(cn.options, option{key, out})
		}
		if input != "dtmf" {
			for _, w := range g.Synonyms[key] {
				cn.words = append(cn.words, option{normalizeWord(w), out})
			}
		}
	}
	slices.SortStableFunc(cn.words, func(a, b option) int {
		if len(a.key) != len(b.key) {
			return len(b.key) - len(a.key)
		}
		return strings.Compare(a.key, b.key)
	})
	if g.Other != nil {
		cn.other = nc.c.render(joinKey(path, "other"), nc.action(g.Other))
	}
	if input != "dtmf" && len(tg.Hints) == 0 {
		for _, w := range cn.words {
			tg.Hints = append(tg.Hints, w.key)
		}
		slices.Sort(tg.Hints)
	}
}

// backTarget is where the back key goes: the static parent, or the start node at the top (where
// back repeats).
func (nc *nodeCompiler) backTarget() string {
	if p := nc.c.g.parent[nc.name]; p != "" {
		return nc.link(routePath(nc.c.base, p))
	}
	return nc.link(nc.c.out.start)
}

func firstPositive(vs ...int) int {
	for _, v := range vs {
		if v > 0 {
			return v
		}
	}
	return 0
}

// promptList returns the prompts in the node's voice.
func (nc *nodeCompiler) promptList(ps Prompts) []twiml.Prompt {
	out := make([]twiml.Prompt, 0, len(ps))
	for _, p := range ps {
		switch {
		case p.Say != "" && p.Language == nc.lang.tag && nc.lang.multi:
			// A prompt pinned to one of a multi-language flow's languages offers that
			// language ("Para español, oprima 5"): a call already in it does not hear it.
		case p.Say != "" || len(p.Translations) > 0:
			// A say with no default-language text is one said after a switch of language,
			// in the new language only (the checker sees to it): say it in that language,
			// and nothing in the others.
			text, v := nc.say(p.Say, p.Translations)
			if p.Language != "" { // a prompt in a language of its own: that text, always
				text, v = p.Say, nc.voice
			}
			if text == "" {
				continue
			}
			v = v.with(p.Voice, p.Language)
			out = append(out, twiml.Say{Text: nc.sayText(text), Voice: v.voice, Language: v.language, Loop: p.Loop})
		case p.Play != "":
			out = append(out, twiml.Play{URL: p.Play, Loop: p.Loop})
		case p.Pause > 0:
			out = append(out, twiml.Pause{Length: p.Pause})
		}
	}
	return out
}

// prompts returns the verbs of ps, in the node's voice, then tail.
func (nc *nodeCompiler) prompts(ps Prompts, tail []twiml.Verb) []twiml.Verb {
	out := make([]twiml.Verb, 0, len(ps)+len(tail))
	for _, p := range nc.promptList(ps) {
		out = append(out, p)
	}
	return append(out, tail...)
}

// action returns the verbs of a destination: its prompts, then its step. A destination that
// switches the call's language renders in that language, its URLs carrying it; with no step it
// re-enters the menu (from an error flow, the start menu).
func (nc *nodeCompiler) action(a *Action) []twiml.Verb {
	if a == nil {
		return []twiml.Verb{twiml.Hangup{}}
	}
	if a.SetLanguage == "" {
		return nc.prompts(a.Say, nc.step(a.Do, false))
	}
	sw, done := nc.inLanguage(a.SetLanguage)
	defer done()
	tail := sw.step(a.Do, false)
	if a.Do == nil {
		to := nc.c.out.start
		if nc.name != "" {
			to = nc.route
		}
		tail = []twiml.Verb{twiml.Redirect{URL: sw.link(to)}}
	}
	return sw.prompts(a.Say, tail)
}

// override returns v with a node's or an error flow's own voice and language, which hold in the
// flow's default language only: in another, the call's language and its voice speak.
func (c *compiler) override(v voice, voiceName, language string) voice {
	if !c.lang.dflt {
		return v
	}
	return v.with(voiceName, language)
}

// step returns the verbs of one step, with one case for each kind, registering dial and record
// sites with the node; menu says the step is the node's own, which alone may take a menu-only
// kind. A kind without a case here is a problem, so a flow that holds one does not compile (and
// TestEveryKindRenders fails).
func (nc *nodeCompiler) step(s Step, menu bool) []twiml.Verb {
	switch s := s.(type) {
	case nil:
		return nil
	case Goto:
		return []twiml.Verb{twiml.Redirect{URL: nc.link(routePath(nc.c.base, string(s)))}}
	case *Dial:
		number := s.Number
		if number == CallCenter {
			number = nc.c.f.CallCenter
		}
		limit := s.TimeLimit
		if limit == 0 {
			limit = nc.c.f.MaxCallSeconds
		}
		td := twiml.Dial{Timeout: s.Timeout, CallerID: s.CallerID, TimeLimit: limit, Nouns: []twiml.Noun{nc.c.number(number)}}
		if s.NoAnswer != nil && nc.name != "" {
			td.Action = nc.link(nc.site(nc.route+"/dialed", siteIndex(nc, &nc.dials, s)))
		}
		return []twiml.Verb{td}
	case *Record:
		tr := twiml.Record{MaxLength: s.MaxLength, Transcribe: s.Transcribe, FinishOnKey: s.FinishOnKey}
		if nc.c.f.Callbacks.Recording {
			tr.RecordingStatusCallback = nc.c.url(CallbackPath + "/recording")
		}
		if nc.c.f.Callbacks.Transcription && s.Transcribe {
			tr.TranscribeCallback = nc.c.url(CallbackPath + "/transcription")
		}
		if nc.name != "" {
			tr.Action = nc.link(nc.site(nc.route+"/recorded", siteIndex(nc, &nc.records, s)))
		}
		return []twiml.Verb{tr}
	case *Enqueue:
		return []twiml.Verb{twiml.Enqueue{Name: s.Name, WaitURL: s.WaitURL}}
	case Redirect:
		return []twiml.Verb{twiml.Redirect{URL: nc.redirectURL(string(s))}}
	case Hangup:
		return []twiml.Verb{twiml.Hangup{}}
	case *Gather:
		if menu {
			return nc.gather(joinKey(nc.path, "gather"), s)
		}
	case *PIN:
		if menu {
			return nc.pin(joinKey(nc.path, "pin"), s)
		}
	case *Agent:
		if menu {
			return nc.agent(joinKey(nc.path, "agent"), s)
		}
	case *Switch:
		if menu {
			return nc.switchStep(joinKey(nc.path, "switch"), s)
		}
	}
	nc.c.probs = append(nc.c.probs, Problem{Pos: nc.c.f.pos.at(nc.path), Path: nc.path,
		Message: fmt.Sprintf("flow: cannot compile a %s step here", s.Kind())})
	return nil
}

func (nc *nodeCompiler) site(url string, i int) string {
	if i == 0 {
		return url
	}
	return url + "?s=" + strconv.Itoa(i)
}

// siteIndex returns the index of a dial or record among the node's, adding it when new.
func siteIndex[T any](nc *nodeCompiler, sites *[]*T, s *T) int {
	if i, ok := nc.sites[s]; ok {
		return i
	}
	if nc.sites == nil {
		nc.sites = map[any]int{}
	}
	*sites = append(*sites, s)
	nc.sites[s] = len(*sites) - 1
	return len(*sites) - 1
}
