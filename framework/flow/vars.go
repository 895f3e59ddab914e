package flow

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"

	"github.com/switchboard-ivr/switchboard/internal/didyoumean"
	"github.com/switchboard-ivr/switchboard/internal/varname"
	"github.com/switchboard-ivr/switchboard/prompttext"
	"github.com/switchboard-ivr/switchboard/twiml"
)

// Fetch timeouts: the default, and the most a backend may take, well inside the 15 s Twilio
// waits for an answer (the rest of the request needs time too).
const (
	DefaultFetchTimeout = 3 * time.Second
	MaxFetchTimeout     = 10 * time.Second
)

// The types a variable may have.
const (
	TypeString  = "string"
	TypeNumber  = "number"
	TypeBoolean = "boolean"
)

// builtinVars are the variables every call has without a fetch: they may not be declared.
var builtinVars = []string{VarCaller, VarCalled, VarDigits, VarSpeech}

// validVarName reports whether s names a variable: an identifier of at most 64 bytes
// ([A-Za-z_][A-Za-z0-9_]*), as a backend's JSON field and a template's .name can spell it.
func validVarName(s string) bool { return varname.Valid(s) }

// validBackendURL: https://, or http:// to a loopback host only (a backend on the same machine,
// or a test): a call's data never crosses a network in clear.
func validBackendURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		h := u.Hostname()
		if h == "localhost" {
			return true
		}
		ip := net.ParseIP(h)
		return ip != nil && ip.IsLoopback()
	}
	return false
}

// validFetchTimeout: a Go duration above 0 and at most MaxFetchTimeout.
func validFetchTimeout(s string) bool {
	d, err := time.ParseDuration(s)
	return err == nil && d > 0 && d <= MaxFetchTimeout
}

// timeout returns the backend's timeout, DefaultFetchTimeout when unset.
func (b *Backend) timeout() time.Duration {
	if d, err := time.ParseDuration(b.Timeout); err == nil && d > 0 {
		return d
	}
	return DefaultFetchTimeout
}

// varType returns the declared type, TypeString by default.
func (v *Variable) varType() string {
	if v == nil || v.Type == "" {
		return TypeString
	}
	return v.Type
}

// checkValue reports whether s is a value of type t: a finite number, true or false, or any
// string.
func checkValue(t, s string) error {
	switch t {
	case TypeNumber:
		if _, ok := parseNumber(s); !ok {
			return fmt.Errorf("%.40q is not a number", s)
		}
	case TypeBoolean:
		if s != "true" && s != "false" {
			return fmt.Errorf("%.40q is not true or false", s)
		}
	}
	return nil
}

func parseNumber(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
}

// variableRules: a default is a value of the variable's type.
func variableRules(sl validator.StructLevel) {
	v := sl.Current().Interface().(Variable)
	if v.Default != nil {
		if err := checkValue(v.varType(), *v.Default); err != nil {
			broken(sl, "default", "the default of a %s variable: %v", v.varType(), err)
		}
	}
}

// FetchCall is what the entry route of a node with a fetch asks the server to do before
// [Route.Respond]: POST the call to the backend named Backend (URL, within Timeout), then pass
// the answer through [FetchCall.Accept].
type FetchCall struct {
	Backend string        // the name under backends
	URL     string        // the backend's URL
	Timeout time.Duration // the backend's timeout
	sets    []varSpec
}

type varSpec struct {
	name, typ string
	def       *string
}

// ErrAnswer is wrapped by the error [FetchCall.Accept] returns: the backend's answer lacks a
// variable the fetch sets (and the variable has no default), or holds one that is not of its
// declared type.
var ErrAnswer = errors.New("flow: the backend's answer does not fit the variables the fetch sets")

// Accept returns the variables a backend's answer sets: each the fetch names, checked against
// its declared type, its default when the answer lacks it. Other fields of the answer are
// ignored. A missing field without a default, or a value of the wrong type, is an error wrapping
// [ErrAnswer]: the call goes to the fetch's on_error.
func (fc *FetchCall) Accept(answer map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(fc.sets))
	for _, s := range fc.sets {
		v, ok := answer[s.name]
		if !ok {
			if s.def == nil {
				return nil, fmt.Errorf("%w: no field %q", ErrAnswer, s.name)
			}
			v = *s.def
		}
		if checkValue(s.typ, v) != nil {
			// The value is not in the error: it may be a sensitive one, and errors are logged.
			return nil, fmt.Errorf("%w: field %q is not a %s", ErrAnswer, s.name, s.typ)
		}
		out[s.name] = v
	}
	return out, nil
}

// Fetch returns what the server must fetch before [Route.Respond] on the entry route of a node
// with a fetch, or nil on any other route.
func (r *Route) Fetch() *FetchCall {
	if r.kind != routeEntry {
		return nil
	}
	return r.n.fetch
}

// Dynamic reports whether the route's answers depend on the call's variables (a prompt that
// uses one, a switch, a fetch): the server then passes them in [Input].Vars. The routes of every
// other node answer pre-rendered bytes.
func (r *Route) Dynamic() bool {
	for _, n := range r.ns { // in a flow of several languages, a template in any of them
		if n.dyn != nil {
			return true
		}
	}
	return r.n.dyn != nil
}

// SavesInput reports whether the server must keep the digits or speech a request to this route
// carries in the call's variables (digits, speech) for later nodes: it is a gather route of a
// flow that reads them (a switch on them, a prompt that says them).
func (r *Route) SavesInput() bool { return r.kind == routeGather && r.saveInput }

// Sensitive reports whether the variable name must never appear in clear in a URL: it is
// declared sensitive, or it is the caller's digits or speech.
func (c *Compiled) SensitiveVar(name string) bool {
	if name == VarDigits || name == VarSpeech {
		return true
	}
	v := c.vars[name]
	return v != nil && v.Sensitive
}

// dyn is what a node renders per request: its prompts' templates, spliced into pre-rendered
// documents at markers, its switch, and the variables' defaults.
type dyn struct {
	tmpls    []*prompttext.Template // by marker index
	defaults map[string]string      // declared defaults, under the call's variables
	sw       *compiledSwitch
}

// Markers stand for a template's text in a pre-rendered document: markOpen, the template's
// index in decimal, markClose. They are private-use characters, which the compiler removes from
// every static text, so no other text can hold one; twiml writes them as they are.
const (
	markOpen  = "\uE000"
	markClose = "\uE001"
)

// staticText returns a static prompt text without the marker characters, which would otherwise
// be read as a template's place.
func staticText(s string) string {
	if !strings.ContainsAny(s, markOpen+markClose) {
		return s
	}
	return strings.NewReplacer(markOpen, "\uFFFD", markClose, "\uFFFD").Replace(s)
}

// sayText returns the text a say prompt renders with at compile time: the text itself when it
// uses no variable, else a marker that [Route.Answer] replaces with the rendered template. A
// template outside a node (a flow-level error flow) is a problem: nothing renders it.
func (nc *nodeCompiler) sayText(s string) string {
	if prompttext.Static(s) {
		return staticText(s)
	}
	if nc.cn == nil || nc.inErrors {
		nc.c.probs = append(nc.c.probs, Problem{Pos: nc.c.f.pos.at(nc.path), Path: nc.path,
			Message: "error flows cannot use variables ({{ … }}): they answer before any fetch"})
		return staticText(s)
	}
	t, err := prompttext.Parse(nc.name, s)
	if err != nil {
		nc.c.probs = append(nc.c.probs, Problem{Pos: nc.c.f.pos.at(nc.path), Path: nc.path, Message: err.Error()})
		return staticText(s)
	}
	d := nc.dynamic()
	d.tmpls = append(d.tmpls, t)
	return markOpen + strconv.Itoa(len(d.tmpls)-1) + markClose
}

// dynamic returns the node's dyn, making it.
func (nc *nodeCompiler) dynamic() *dyn {
	if nc.cn.dyn == nil {
		d := &dyn{defaults: map[string]string{}}
		for name, v := range nc.c.f.Variables {
			if v != nil && v.Default != nil {
				d.defaults[name] = *v.Default
			}
		}
		nc.cn.dyn = d
	}
	return nc.cn.dyn
}

// fetch compiles a node's fetch: what the server calls, and the document of its failure.
func (nc *nodeCompiler) fetch(path string, f *Fetch) {
	c, cn := nc.c, nc.cn
	b := c.f.Backends[f.Backend]
	if b == nil {
		c.probs = append(c.probs, Problem{Pos: c.f.pos.at(joinKey(path, "backend")), Path: joinKey(path, "backend"), Message: fmt.Sprintf("no backend is named %q", f.Backend)})
		return
	}
	fc := &FetchCall{Backend: f.Backend, URL: b.URL, Timeout: b.timeout()}
	for _, name := range f.Sets {
		v := c.f.Variables[name]
		fc.sets = append(fc.sets, varSpec{name: name, typ: v.varType(), def: defaultOf(v)})
	}
	cn.fetch = fc
	nc.dynamic()
	if f.OnError != nil {
		cn.fetchFailed = c.render(joinKey(path, "on_error"), nc.action(f.OnError))
	} else {
		cn.fetchFailed = cn.errs[Internal]
	}
}

func defaultOf(v *Variable) *string {
	if v == nil {
		return nil
	}
	return v.Default
}

// ErrRender is wrapped by the error [Route.Answer] returns when a prompt's template does not
// render with the call's variables (a variable no fetch set and without a default, a function
// given a value it cannot format) or the document grows past Twilio's limit.
var ErrRender = errors.New("flow: a prompt does not render with the call's variables")

// Answer is [Route.Respond] for a server that reports errors: on a dynamic route it renders the
// prompts' templates with in.Vars over the declared defaults, escaped for TwiML; a template that
// fails returns the internal error flow's document and an error wrapping [ErrRender]. Routes of
// static nodes answer pre-rendered bytes as Respond does, and never fail.
func (r *Route) Answer(in Input) ([]byte, error) {
	n := r.node(&in)
	d := n.dyn
	if d == nil {
		return r.Respond(in), nil
	}
	vars := d.vars(in.Vars)
	in.Vars, in.picking = vars, true
	b := r.Respond(in)
	out, err := d.expand(b, vars)
	if err != nil {
		return n.errs[Internal], err
	}
	return out, nil
}

// vars returns the declared defaults overlaid with the call's variables.
func (d *dyn) vars(call map[string]string) map[string]string {
	if len(d.defaults) == 0 {
		return call
	}
	out := make(map[string]string, len(d.defaults)+len(call))
	maps.Copy(out, d.defaults)
	maps.Copy(out, call)
	return out
}

// expand replaces every marker in doc with its template rendered over vars and escaped: a sayas
// becomes a <say-as> element in the <Say> the marker stands in.
func (d *dyn) expand(doc []byte, vars map[string]string) ([]byte, error) {
	i := strings.Index(string(doc), markOpen) // no copy: the conversion is only read
	if i < 0 {
		return doc, nil
	}
	out := make([]byte, 0, len(doc)+256)
	for i >= 0 {
		out = append(out, doc[:i]...)
		doc = doc[i+len(markOpen):]
		j := strings.Index(string(doc), markClose)
		if j < 0 {
			return nil, fmt.Errorf("%w: an unterminated marker", ErrRender)
		}
		k, err := strconv.Atoi(string(doc[:j]))
		if err != nil || k < 0 || k >= len(d.tmpls) {
			return nil, fmt.Errorf("%w: marker %q", ErrRender, doc[:j])
		}
		doc = doc[j+len(markClose):]
		parts, err := d.tmpls[k].Parts(vars)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrRender, err)
		}
		for _, p := range parts { // inside a <Say>: text, and <say-as> elements for sayas
			if out, err = twiml.AppendSayPart(out, p); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrRender, err)
			}
		}
		if len(out) > twiml.MaxSize {
			return nil, fmt.Errorf("%w: over %d bytes of TwiML", ErrRender, twiml.MaxSize)
		}
		i = strings.Index(string(doc), markOpen)
	}
	out = append(out, doc...)
	if len(out) > twiml.MaxSize {
		return nil, fmt.Errorf("%w: over %d bytes of TwiML", ErrRender, twiml.MaxSize)
	}
	return out, nil
}

// varUse is one use of a variable: where, and whether in a fetch's on_error (which runs
// without what the fetch would have set).
type varUse struct {
	name, path string
	onError    bool
	optional   bool // a switch: an unset variable is a case of its own (exists: false, or default)
}

// varUses returns every variable a node uses, in its prompts' templates and its switch, with the
// path of each use. Templates that do not parse are reported as problems.
func (c *checker) varUses(path string, n *Node) []varUse {
	var out []varUse
	walkPrompts(reflect.ValueOf(n).Elem(), path, func(p, say, voice, lang string) {
		if prompttext.Static(say) {
			return
		}
		onError := strings.HasPrefix(p, joinKey(joinKey(path, "fetch"), "on_error"))
		if strings.HasPrefix(p, joinKey(path, "errors")) {
			c.errorf(p, "error flows cannot use variables ({{ … }}): they answer before any fetch")
			return
		}
		t, err := prompttext.Parse("say", say)
		if err != nil {
			c.errorf(p, "the text's {{ … }} does not parse: %s", templateErr(err))
			return
		}
		for _, name := range t.Vars() {
			out = append(out, varUse{name: name, path: p, onError: onError})
		}
		for _, u := range t.Uses() {
			c.formats(p, u.Func, u.Var)
		}
		if t.SaysAs() {
			c.sayAsVoice(p, c.promptVoice(voice, lang, n))
		}
	})
	if s, ok := n.Do.(*Switch); ok {
		out = append(out, varUse{name: s.On, path: joinKey(joinKey(path, "switch"), "on"), optional: true})
	}
	return out
}

// walkPrompts calls fn with the path, text and own voice (empty when it has none) of every say
// prompt under v, and the language of a translation (empty for the default language's text).
func walkPrompts(v reflect.Value, path string, fn func(path, say, voice, lang string)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkPrompts(v.Elem(), path, fn)
		}
	case reflect.Struct:
		if v.Type() == typePrompt {
			p := v.Interface().(Prompt)
			if p.Say != "" {
				fn(joinKey(path, "say"), p.Say, p.Voice, "")
			}
			for _, lang := range sortedKeys(p.Translations) { // each language's text may use variables too
				fn(joinKey(joinKey(path, "say"), lang), p.Translations[lang], p.Voice, lang)
			}
			return
		}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := yamlName(f)
			switch {
			case f.Anonymous:
				walkPrompts(v.Field(i), path, fn)
			case f.Name == "Do" && t == typeAction:
				if s, ok := v.Field(i).Interface().(Step); ok && s != nil {
					walkPrompts(v.Field(i), joinKey(path, s.Kind().String()), fn)
				}
			case name != "":
				walkPrompts(v.Field(i), joinKey(path, name), fn)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			walkPrompts(v.Index(i), joinIndex(path, i), fn)
		}
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			walkPrompts(v.MapIndex(k), joinKey(path, k.String()), fn)
		}
	}
}

// variables checks the backends, variables, fetches and every use of a variable: each is
// declared (or built in) and, unless it has a default, set by a fetch on every path that reaches
// the node that uses it.
func (c *checker) variables(g *graph) {
	f := c.f
	for _, name := range sortedKeys(f.Variables) {
		if slices.Contains(builtinVars, name) {
			c.keyErrorf(joinKey("variables", name), "%q is built in (the caller's number, the number called, their last digits or speech): choose another name", name)
		}
	}
	for _, e := range []struct {
		path string
		e    *ErrorFlows
	}{{"errors", &f.Errors}} {
		walkPrompts(reflect.ValueOf(e.e).Elem(), e.path, func(p, say, _, _ string) {
			if !prompttext.Static(say) {
				c.errorf(p, "error flows cannot use variables ({{ … }}): they answer before any fetch")
			}
		})
	}
	uses := map[string][]varUse{}
	for _, name := range sortedKeys(f.Menus) {
		n := f.Menus[name]
		if n == nil {
			continue
		}
		path := joinKey("menus", name)
		if fe := n.Fetch; fe != nil {
			fp := joinKey(path, "fetch")
			if fe.Backend != "" && f.Backends[fe.Backend] == nil {
				c.errorf(joinKey(fp, "backend"), "no backend is named %q%s; declare it under backends", fe.Backend, didyoumean.Hint(fe.Backend, sortedKeys(f.Backends)))
			}
			for i, v := range fe.Sets {
				if f.Variables[v] == nil && validVarName(v) {
					c.errorf(joinIndex(joinKey(fp, "sets"), i), "variable %q is not declared under variables (with its type)%s", v, didyoumean.Hint(v, sortedKeys(f.Variables)))
				}
			}
			c.action(joinKey(fp, "on_error"), fe.OnError, actionCtx{})
		}
		uses[name] = c.varUses(path, n)
		for _, u := range uses[name] {
			if !slices.Contains(builtinVars, u.name) && f.Variables[u.name] == nil {
				c.errorf(u.path, "variable %q is not declared under variables%s", u.name, didyoumean.Hint(u.name, sortedKeys(f.Variables)))
			}
		}
	}
	set := c.setOnEveryPath(g)
	for _, name := range sortedKeys(uses) {
		for _, u := range uses[name] {
			v := f.Variables[u.name]
			if v == nil || v.Default != nil || u.optional {
				continue
			}
			have := set[name].in
			if !u.onError {
				have = set[name].out
			}
			switch {
			case have != nil && !have[u.name] && u.onError:
				c.errorf(u.path, "variable %q has no default, and on_error runs when the fetch did not set it: give it a default, or say something else", u.name)
			case have != nil && !have[u.name]:
				c.errorf(u.path, "variable %q has no default, and some path reaches menu %q without a fetch that sets it: fetch it on the way, or give it a default", u.name, name)
			}
		}
	}
}

// varSets is what is surely set when a call enters a node (in) and once its fetch succeeded
// (out); nil means "everything" (a node no path reaches yet).
type varSets struct{ in, out map[string]bool }

// setOnEveryPath computes, for every node, the variables that some fetch surely set on every
// path from the start node, the entries and the flow-level error flows to it: a forward
// must-analysis over the graph, to a fixed point. An error flow or a fetch's on_error carries
// what was set on entering the node it leaves, not what its fetch would have added.
func (c *checker) setOnEveryPath(g *graph) map[string]varSets {
	f := c.f
	out := make(map[string]varSets, len(f.Menus))
	roots := map[string]bool{f.Start: true}
	for _, e := range f.Entries {
		roots[e] = true
	}
	for _, e := range g.edges {
		if e.from == "" && e.to != "" {
			roots[e.to] = true // a flow-level error flow can send any call there
		}
	}
	sets := func(name string) []string {
		if n := f.Menus[name]; n != nil && n.Fetch != nil {
			return n.Fetch.Sets
		}
		return nil
	}
	for name := range f.Menus {
		if roots[name] {
			in := map[string]bool{}
			o := map[string]bool{}
			for _, v := range sets(name) {
				o[v] = true
			}
			out[name] = varSets{in, o}
		}
	}
	for changed := true; changed; {
		changed = false
		for _, name := range sortedKeys(f.Menus) {
			if roots[name] {
				continue
			}
			var in map[string]bool
			reached := false
			for _, e := range g.edges {
				if e.to != name || e.from == "" {
					continue
				}
				src, ok := out[e.from]
				if !ok {
					continue // not reached yet: "everything", the identity of the meet
				}
				carried := src.out
				if e.Kind == EdgeError || e.Kind == EdgeFetchError {
					carried = src.in
				}
				if !reached {
					in = copySet(carried)
					reached = true
					continue
				}
				for v := range in {
					if !carried[v] {
						delete(in, v)
					}
				}
			}
			if !reached {
				continue
			}
			o := copySet(in)
			for _, v := range sets(name) {
				o[v] = true
			}
			if old, ok := out[name]; !ok || len(old.in) != len(in) || len(old.out) != len(o) {
				out[name] = varSets{in, o}
				changed = true
			}
		}
	}
	return out
}

func copySet(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// usesInput reports whether anything in the flow reads the caller's last digits or speech after
// the gather that took them: a switch on them, a prompt that says them, or a gather's other.
// Only then does the server keep them in the call's state (encrypted), and a fetch sends them to
// its backend; a flow that never reads them seals nothing more into its gathers' URLs.
func usesInput(f *Flow) bool {
	for _, n := range f.Menus {
		if n == nil {
			continue
		}
		if s, ok := n.Do.(*Switch); ok && (s.On == VarDigits || s.On == VarSpeech) {
			return true
		}
		if g, ok := n.Do.(*Gather); ok && g.Other != nil {
			return true // other keeps the input it takes, for what follows
		}
		found := false
		walkPrompts(reflect.ValueOf(n).Elem(), "", func(_, say, _, _ string) {
			found = found || strings.Contains(say, "."+VarDigits) || strings.Contains(say, "."+VarSpeech)
		})
		if found {
			return true
		}
	}
	return false
}

// BackendConfig is one backend a compiled flow may call.
type BackendConfig struct {
	Name    string
	URL     string
	Timeout time.Duration // the flow's timeout, or DefaultFetchTimeout
}

// Backends returns the flow's backends, sorted by name.
func (c *Compiled) Backends() []BackendConfig { return c.backends }

// templateErr returns a template's parse error without text/template's "template: name:line:"
// prefix: the problem's position already says where the text is.
func templateErr(err error) string {
	return templatePrefix.ReplaceAllString(err.Error(), "")
}

var templatePrefix = regexp.MustCompile(`^template: [^:]*:[0-9]+:(:[0-9]+:)?\s*`)

// envRef matches a backend url that names an environment variable: $NAME or ${NAME}.
var envRef = regexp.MustCompile(`^\$(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)$`)

// backendURLs replaces each backend url written as $NAME or ${NAME} with that environment
// variable's value, so that one flow file serves staging and production; an unset one is a
// problem at the url. The value is then checked like any url.
func (l *loader) backendURLs(f *Flow, opts *Options) {
	env := os.Getenv
	if opts != nil && opts.Env != nil {
		env = opts.Env
	}
	for _, name := range sortedKeys(f.Backends) {
		b := f.Backends[name]
		if b == nil || !envRef.MatchString(b.URL) {
			continue
		}
		v := strings.Trim(b.URL[1:], "{}")
		path := joinKey(joinKey("backends", name), "url")
		if b.URL = env(v); b.URL == "" {
			l.problem(l.pos.at(path), path, "environment variable %s is not set: it holds the URL of backend %s", v, name)
		}
	}
}

// formats checks that a template function can format the variable it is given: money a
// number, date a string (and its default a date such as 2026-12-25); digits any.
func (c *checker) formats(path, fn, name string) {
	typ := TypeString
	var def *string
	if v := c.f.Variables[name]; v != nil {
		typ, def = v.varType(), v.Default
	} else if !slices.Contains(builtinVars, name) {
		return // undeclared: reported with every other use
	}
	switch {
	case fn == "money" && slices.Contains(builtinVars, name):
		c.errorf(path, "money formats a number, and %s is built in, a string", name)
	case fn == "money" && typ != TypeNumber:
		c.errorf(path, "money formats a number, and %s is a %s: declare it type: number", name, typ)
	case fn == "date" && typ != TypeString:
		c.errorf(path, "date formats a date such as 2026-12-25, and %s is a %s", name, typ)
	case fn == "date" && def != nil:
		if _, err := time.Parse("2006-01-02", *def); err != nil {
			c.errorf(path, "date formats a date such as 2026-12-25, and the default of %s is %q", name, *def)
		}
	}
}

// promptVoice returns the voice a say prompt is spoken in, as the compiler picks it: its own,
// else its node's, else the flow's voice for its language (lang, or the default language), where
// a language other than the default has only its own (defaults.voices); empty means Twilio's
// default voice.
func (c *checker) promptVoice(own, lang string, n *Node) string {
	if own != "" {
		return own
	}
	if n.Voice != "" {
		return n.Voice
	}
	f := c.f
	def := f.Defaults.Language
	if f.Languages.Default != "" {
		def = f.Languages.Default
	}
	if lang == "" {
		lang = def
	}
	if v := f.Defaults.Voices[lang]; v != "" {
		return v
	}
	if lang == def {
		return f.Defaults.Voice
	}
	return ""
}

// sayAsVoice checks that a prompt using sayas is spoken by a voice that reads SSML. Twilio passes
// <say-as> to Amazon Polly (Polly.…) and Google (Google.…) voices only; the others (man, woman,
// alice) drop the tag and read the value as plain text, so the caller hears "two billion…"
// where the flow asked for a telephone number. A voice named in the flow that cannot read it is
// an error: the flow says two things that cannot both hold. No voice at all is a warning: Twilio's
// default is man, but an account may make a Polly voice its default in the Console, which the
// flow cannot see; name the voice to be sure.
func (c *checker) sayAsVoice(path, voice string) {
	switch {
	case ssmlVoice(voice):
	case voice == "":
		c.warnf(path, "sayas is read as SSML only by Amazon Polly and Google voices, and this prompt names no voice (Twilio's default, man, reads the value as plain text): set voice, for example Polly.Joanna")
	default:
		c.errorf(path, "sayas is read as SSML only by Amazon Polly and Google voices, and this prompt is spoken by %q, which reads the value as plain text: use a voice such as Polly.Joanna or Google.en-US-Standard-C", voice)
	}
}

// ssmlVoice reports whether Twilio passes SSML to the voice: Amazon Polly and Google voices.
func ssmlVoice(v string) bool {
	return strings.HasPrefix(v, "Polly.") || strings.HasPrefix(v, "Google.")
}
