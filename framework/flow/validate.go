package flow

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/go-playground/locales/en"
	ut "github.com/go-playground/universal-translator"
	"github.com/go-playground/validator/v10"

	"github.com/switchboard-ivr/switchboard/dialallow"
	"github.com/switchboard-ivr/switchboard/internal/didyoumean"
	"github.com/switchboard-ivr/switchboard/internal/yamldoc"
	"github.com/switchboard-ivr/switchboard/principals"
)

// Field formats, checked by the validator's custom tags.
var (
	voiceRe      = regexp.MustCompile(`^(man|woman|alice|Polly\.[A-Z][A-Za-z]+(-(Neural|Generative|LongForm))?|Google\.[a-z]{2,3}-[A-Z]{2}-[A-Za-z0-9]+(-[A-Za-z0-9]+)*)$`)
	languageRe   = regexp.MustCompile(`^[a-z]{2,3}(-[A-Z]{2}|-[0-9]{3})?$`)
	nodeNameRe   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*(/[A-Za-z0-9][A-Za-z0-9_-]*)*$`)
	pathRe       = regexp.MustCompile(`^(/[A-Za-z0-9][A-Za-z0-9_.-]*)+$`)
	dtmfRe       = regexp.MustCompile(`^[0-9*#]+$`)
	permissionRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.:-]*$`)
	paramNameRe  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	pinNameRe    = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
)

// routeSuffixes are the sub-routes a node may own; no node name may end in one.
var routeSuffixes = []string{"gather", "dialed", "recorded", "pin", "agent"}

func validNodeName(s string) bool {
	if !nodeNameRe.MatchString(s) {
		return false
	}
	last := s[strings.LastIndexByte(s, '/')+1:]
	return !strings.Contains(s, "/") || !slices.Contains(routeSuffixes, last)
}

// fieldRules are the validator's custom tags and the English messages of every tag the structs
// use. {0} is the value, {1} the tag's parameter.
var fieldRules = []struct {
	tag, msg string
	fn       func(validator.FieldLevel) bool // nil for the validator's own tags
}{
	{"phone", "must be an E.164 phone number: + then 8 to 15 digits, like +15555550100; got {0}", text(principals.IsE164)},
	{"dialnumber", `must be "call_center" or an E.164 phone number: + then 8 to 15 digits, like +15555550100; got {0}`,
		text(func(s string) bool { return s == CallCenter || principals.IsE164(s) })},
	{"voice", "must be a Twilio voice such as Polly.Joanna, Polly.Lupe-Neural, Google.en-US-Neural2-F, man, woman or alice; got {0}", text(voiceRe.MatchString)},
	{"language", "must be a language tag such as en-US, es-MX or fr; got {0}", text(languageRe.MatchString)},
	// The same rules on map keys (keyTags places every problem of a key tag at its key).
	{"languagekey", "must be a language tag such as en-US, es-MX or fr; got {0}", text(languageRe.MatchString)},
	{"phonekey", "must be an E.164 phone number: + then 8 to 15 digits, like +15555550100; got {0}", text(principals.IsE164)},
	{"nodename", `must be letters, digits, "-" and "_", in segments joined by "/" (not ending in /gather, /dialed or /recorded); got {0}`, text(validNodeName)},
	{"basepath", `must be a path such as /ivr: a leading "/", no trailing "/"; got {0}`, text(pathRe.MatchString)},
	{"pathprefix", `must be a route prefix such as /ivr/es: a leading "/", no trailing "/"; got {0}`, text(pathRe.MatchString)},
	{"dtmf", "must be DTMF keys (0-9, * and #); got {0}", text(dtmfRe.MatchString)},
	{"dtmfkey", "must be one DTMF key (0-9, * or #); got {0}", text(func(s string) bool { return len(s) == 1 && dtmfRe.MatchString(s) })},
	{"permission", `must be a permission name such as view or staff (letters, digits, "_", ".", ":", "-"); got {0}`, text(permissionRe.MatchString)},
	{"pinname", `must be 1 to 64 letters, digits, ".", "-" and "_", such as staff; got {0}`, text(pinNameRe.MatchString)},
	{"wss", "must be a wss:// URL with a host and no query, such as wss://agent.example.com/relay (Twilio connects agents over TLS only; pass context in parameters); got {0}", text(validWSS)},
	{"agenthost", "must be a host name, with :port when not 443, such as agent.example.com; got {0}", text(validAgentHost)},
	{"paramname", `must be 1 to 64 letters, digits, "_" and "-"; got {0}`, text(paramNameRe.MatchString)},
	{"dialpattern", "must be a destination pattern: + then a country code, area or number, X for any digit, such as +1, +44 or +1555XXXXXXX; got {0}",
		text(func(s string) bool { return dialallow.CheckPattern(s) == nil })},
	{"varname", "must be a name of letters, digits and _, not starting with a digit, at most 64 bytes, such as balance; got {0}", text(validVarName)},
	{"backendurl", "must be an absolute https:// URL (http:// only to 127.0.0.1, ::1 or localhost), without user or fragment; got {0}", text(validBackendURL)},
	{"fetchtimeout", "must be a duration above 0 and at most 10s, such as 3s or 800ms; got {0}", text(validFetchTimeout)},
	{"required", "is required", nil},
	{"eq", "must be {1}; got {0}", nil},
	{"min", "must be at least {1}; got {0}", nil},
	{"max", "must be at most {1}; got {0}", nil},
	{"oneof", "must be one of {1}; got {0}", nil},
	{"http_url", "must be an absolute http:// or https:// URL; got {0}", nil},
	// On Action.Do, whose value is any step: the rule judges a Redirect and passes the rest.
	{"redirect", "must be an absolute http:// or https:// URL, or a path on this server such as /ivr/balance; got {0}",
		func(fl validator.FieldLevel) bool {
			r, ok := fl.Field().Interface().(Redirect)
			return !ok || validRedirect(string(r))
		}},
	{"timezone", "must be an IANA time zone such as America/New_York; got {0}", nil},
	{"datetime", "must be a date such as 2026-12-25; got {0}", nil},
}

var fieldValidator = sync.OnceValues(func() (*validator.Validate, ut.Translator) {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(yamlName) // messages and paths name the YAML key, not the Go field
	trans, _ := ut.New(en.New()).GetTranslator("en")
	for _, r := range fieldRules {
		if r.fn != nil {
			if err := v.RegisterValidation(r.tag, r.fn); err != nil {
				panic(err) // a bad tag name is a bug in this file
			}
		}
		tag, msg := r.tag, r.msg
		err := v.RegisterTranslation(tag, trans,
			func(t ut.Translator) error { return t.Add(tag, msg, true) },
			func(t ut.Translator, fe validator.FieldError) string {
				s, _ := t.T(tag, describeValue(fe.Value()), strings.ReplaceAll(fe.Param(), " ", ", "))
				return s
			})
		if err != nil {
			panic(err)
		}
	}
	for _, r := range structRules {
		v.RegisterStructValidation(r.fn, r.of)
	}
	return v, trans
})

// text makes a rule on a string field.
func text(fn func(string) bool) func(validator.FieldLevel) bool {
	return func(fl validator.FieldLevel) bool { return fn(fl.Field().String()) }
}

// validRedirect accepts what a <Redirect> may name: an absolute http(s) URL, or an absolute path
// on this server (a route added with App.Voice, say), but not a scheme-relative "//host" URL.
func validRedirect(s string) bool {
	if strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") {
		u, err := url.Parse(s)
		return err == nil && u.Host == "" && !strings.ContainsAny(s, " \t\r\n")
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func describeValue(v any) string {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.String {
		return strconv.Quote(yamldoc.Clip(rv.String(), valueRunes))
	}
	return fmt.Sprint(v)
}

// Validate checks a flow, returning every problem at once: field formats, references between
// nodes, the graph (unreachable nodes, loops without a gather), permissions the policy never
// grants (with opts.Grants), and the size of every rendered document. A flow from [Parse] or
// [Load] reports positions in its file; one built in Go reports field paths only.
func (f *Flow) Validate(opts *Options) Problems {
	if opts == nil {
		opts = &Options{}
	}
	c := &checker{f: f, opts: opts}
	c.fields()
	c.structure()
	c.languages()
	g := buildGraph(f)
	c.graph(g)
	c.dialLimits(g)
	c.variables(g)
	if c.probs.Err() == nil {
		c.probs = append(c.probs, sizeCheck(f, g)...)
	}
	sortProblems(c.probs)
	return c.probs
}

// sizeCheck renders the documents that could be over Twilio's 64 kB limit: the error flows, and
// the nodes whose text could render that large. A node's every document holds at most all of
// its strings, each escaped to at most 6 bytes a byte ("&quot;"), plus markup and URLs for each
// value in it; a node whose bound is under the limit needs no rendering here (Compile renders
// it anyway).
func sizeCheck(f *Flow, g *graph) Problems {
	base := f.basePath()
	longest := 0
	for name := range f.Menus {
		longest = max(longest, len(name))
	}
	perValue := 256 + len(base) + longest + len(f.CallCenter)
	var probs Problems
	seen := map[string]bool{}
	for i := range languagesOf(f) { // a translation may be longer than the default's text
		c := newCompiler(f, g, base, "")
		c.lang = &c.langs[i]
		c.errorTables()
		for _, name := range sortedKeys(f.Menus) {
			n := f.Menus[name]
			if n == nil {
				continue
			}
			text, values := sizeOf(reflect.ValueOf(n).Elem())
			if 6*text+perValue*values+1024 >= twimlMaxSize {
				c.node(name, n)
			}
		}
		for _, p := range c.probs {
			if k := p.String(); !seen[k] {
				seen[k] = true
				probs = append(probs, p)
			}
		}
	}
	return probs
}

// sizeOf returns the bytes of every string under v and the number of values there.
func sizeOf(v reflect.Value) (text, values int) {
	switch v.Kind() {
	case reflect.String:
		return v.Len(), 1
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return 0, 0
		}
		return sizeOf(v.Elem())
	case reflect.Struct:
		values = 1
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				t, n := sizeOf(v.Field(i))
				text, values = text+t, values+n
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			t, n := sizeOf(v.Index(i))
			text, values = text+t, values+n
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			t, n := sizeOf(it.Value())
			text, values = text+t+it.Key().Len(), values+n+1
		}
	default:
		values = 1
	}
	return text, values
}

type checker struct {
	f     *Flow
	opts  *Options
	probs Problems
}

func (c *checker) errorf(path, format string, args ...any) {
	c.probs = append(c.probs, Problem{Pos: c.f.pos.at(path), Path: path, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) keyErrorf(path, format string, args ...any) {
	c.probs = append(c.probs, Problem{Pos: c.f.pos.atKey(path), Path: path, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) warnf(path, format string, args ...any) {
	c.probs = append(c.probs, Problem{Pos: c.f.pos.at(path), Path: path, Message: fmt.Sprintf(format, args...), Warning: true})
}

// fields runs the validator's field rules over the whole flow.
func (c *checker) fields() {
	c.probs = append(c.probs, fieldProblems(c.f, "", c.f.pos)...)
}

// fieldProblems runs the validator's field rules over v, a *Flow or a part of one whose field
// path is at, placing each problem with pos.
func fieldProblems(v any, at string, pos *positions) Problems {
	val, trans := fieldValidator()
	var ves validator.ValidationErrors
	if !errors.As(val.Struct(v), &ves) {
		return nil
	}
	probs := make(Problems, 0, len(ves))
	for _, fe := range ves {
		path := fieldPath(reflect.ValueOf(v), fe.Namespace())
		if at != "" && path != "" && path[0] != '[' {
			path = at + "." + path
		} else {
			path = at + path
		}
		p, msg := pos.at(path), fe.Param()
		switch fe.Tag() {
		case tagRule:
		case tagKeyRule:
			p = pos.atKey(path)
		default:
			msg = fe.Translate(trans)
			if keyTags()[fe.Tag()] {
				p = pos.atKey(path)
			}
		}
		probs = append(probs, Problem{Pos: p, Path: path, Message: msg})
	}
	return probs
}

// fieldPath turns the validator's namespace ("Flow.menus[es/main].Action.Do.number") into a
// field path (menus["es/main"].dial.number), walking the flow's values to tell a map key from a
// list index, to pass over an inline struct, and to name a step by its kind's key.
func fieldPath(v reflect.Value, ns string) string {
	_, s, _ := strings.Cut(ns, ".")
	path := ""
	for s != "" {
		for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
			if v.IsNil() {
				return path
			}
			v = v.Elem()
		}
		switch s[0] {
		case '.':
			s = s[1:]
		case '[':
			end := closingBracket(s)
			key := s[1:end]
			s = s[end+1:]
			switch v.Kind() {
			case reflect.Map:
				path, v = joinKey(path, key), v.MapIndex(reflect.ValueOf(key).Convert(v.Type().Key()))
			case reflect.Slice:
				i, _ := strconv.Atoi(key)
				if i < 0 || i >= v.Len() {
					return joinIndex(path, i)
				}
				path, v = joinIndex(path, i), v.Index(i)
			default:
				return path
			}
			if !v.IsValid() {
				return path
			}
		default:
			end := strings.IndexAny(s, ".[")
			if end < 0 {
				end = len(s)
			}
			name := s[:end]
			s = s[end:]
			if v.Kind() != reflect.Struct {
				return joinKey(path, name)
			}
			si := structOf(v.Type())
			if idx, ok := si.fields[name]; ok {
				path, v = joinKey(path, name), v.FieldByIndex(idx)
				continue
			}
			f, ok := v.Type().FieldByName(name)
			switch {
			case !ok:
				return joinKey(path, name)
			case f.Type == typeStep:
				v = v.FieldByIndex(f.Index)
				if v.IsNil() {
					return path
				}
				path = joinKey(path, v.Interface().(Step).Kind().String())
			default: // an inline struct, such as Node's Action
				v = v.FieldByIndex(f.Index)
			}
		}
	}
	return path
}

// closingBracket finds the "]" that ends the key opened at s[0]: the first followed by ".", "["
// or the end (a key may itself hold "]").
func closingBracket(s string) int {
	for i := 1; i < len(s); i++ {
		if s[i] == ']' && (i+1 == len(s) || s[i+1] == '.' || s[i+1] == '[') {
			return i
		}
	}
	return len(s) - 1
}

// structure checks what the field rules cannot: references, one thing per node, options.
func (c *checker) structure() {
	f := c.f
	if f.Start != "" {
		if _, ok := f.Menus[f.Start]; !ok {
			c.errorf("start", "no menu is named %q%s", f.Start, c.nearestNode(f.Start))
		}
	}
	for i, e := range f.Entries {
		if _, ok := f.Menus[e]; !ok {
			c.errorf(joinIndex("entries", i), "no menu is named %q%s", e, c.nearestNode(e))
		}
	}
	c.errorFlows("errors", &f.Errors)
	for _, name := range sortedKeys(f.Menus) {
		n := f.Menus[name]
		if n == nil {
			continue
		}
		c.node(joinKey("menus", name), name, n)
	}
}

func (c *checker) nearestNode(name string) string {
	return didyoumean.Hint(name, sortedKeys(c.f.Menus))
}

func (c *checker) node(path, name string, n *Node) {
	perm := n.Permission
	if perm == "" {
		perm = DefaultPermission
	}
	if c.opts.Grants != nil && permissionRe.MatchString(perm) && !c.opts.Grants(perm) {
		p := joinKey(path, "permission")
		if n.Permission == "" {
			p = path
		}
		c.warnf(p, "no line of the policy grants permission %q: nobody can reach this menu", perm)
	}
	if n.Errors != nil {
		c.errorFlows(joinKey(path, "errors"), n.Errors)
	}
	if h := n.Hours; h != nil {
		hp := joinKey(path, "hours")
		c.action(joinKey(hp, "open"), h.Open, actionCtx{})
		c.action(joinKey(hp, "closed"), h.Closed, actionCtx{})
	}
	c.action(path, &n.Action, actionCtx{menu: true})
}

// actionCtx says where an action is: a menu's own body may take every kind of step; in an error
// flow some are not allowed.
type actionCtx struct {
	menu      bool
	errorKind ErrorKind
	inError   bool
}

// action checks a destination or a node's body, with one case for each kind of step.
func (c *checker) action(path string, a *Action, ctx actionCtx) {
	if a == nil {
		return
	}
	if a.Do == nil {
		if a.SetLanguage != "" && ctx.inError && ctx.errorKind == Denied {
			c.errorf(joinKey(path, "language"), "a denied error flow may not switch the language and re-enter a menu: the caller a deny line refused would be refused again, forever; say something and hang up instead")
		}
		return
	}
	kind := a.Do.Kind()
	sp := joinKey(path, kind.String())
	if kind.MenuOnly() && !ctx.menu {
		c.errorf(sp, "only a menu can %s, not a destination; make this a menu of its own and goto it", kind)
		return
	}
	nested := actionCtx{errorKind: ctx.errorKind, inError: ctx.inError}
	switch s := a.Do.(type) {
	case *Gather:
		c.gather(sp, s)
	case Goto:
		if ctx.inError && ctx.errorKind == Denied {
			c.errorf(sp, "a denied error flow may not goto a menu: the caller a deny line refused would be refused again, forever; say something and hang up instead")
		}
		c.gotoTarget(sp, string(s))
	case *Dial:
		if ctx.inError && ctx.errorKind == Denied {
			c.warnf(sp, "the denied flow answers callers a deny line refuses (a blocklist); dialing out connects them anyway: say something and hang up instead")
		}
		if ctx.inError && s.NoAnswer != nil {
			c.errorf(joinKey(sp, "no_answer"), "error flows cannot use no_answer (they own no route to receive the dial status)")
		} else {
			c.action(joinKey(sp, "no_answer"), s.NoAnswer, nested)
		}
	case *Record:
		if ctx.inError {
			c.errorf(sp, "error flows cannot record (they own no route to receive the recording)")
		} else {
			c.action(joinKey(sp, "then"), s.Then, nested)
		}
	case *PIN:
		if c.opts.Secrets != nil && s.Secret != "" && !c.opts.Secrets(s.Secret) {
			c.errorf(joinKey(sp, "secret"), "the PIN secrets file has no secret named %q: add one with `switchboard key --pin --name %s`", s.Secret, s.Secret)
		}
		c.action(joinKey(sp, "then"), s.Then, nested)
		c.action(joinKey(sp, "failed"), s.Failed, nested)
	case *Agent:
		c.agent(sp, s, nested)
	case *Switch:
		c.checkSwitch(sp, s, nested)
	case *Enqueue, Redirect, Hangup:
		// Field rules only.
	default:
		c.errorf(sp, "flow: the validator has no case for a %s step", kind)
	}
}

// dialLimits checks every number the flow can dial (call_center, and each dial the graph holds)
// against dial_allow and the premium-rate prefixes, and every dial's time_limit against
// max_call_seconds.
func (c *checker) dialLimits(g *graph) {
	if limit := c.f.MaxCallSeconds; limit > 0 {
		walkDials(c.f, func(path string, d *Dial) {
			if d.TimeLimit > limit {
				c.errorf(joinKey(path, "time_limit"), "is %d seconds, over max_call_seconds (%d)", d.TimeLimit, limit)
			}
		})
	}
	list, err := dialallow.Parse(c.f.DialAllow)
	if err != nil {
		return // the dialpattern field rule reports each bad entry
	}
	if c.f.CallCenter != "" && principals.IsE164(c.f.CallCenter) {
		if err := list.Check(c.f.CallCenter); err != nil {
			c.errorf("call_center", "%v", err)
		}
	}
	seen := map[string]bool{}
	for _, e := range g.edges {
		if e.To.Kind != TargetDial || seen[e.path] || e.To.Value == c.f.CallCenter || !principals.IsE164(e.To.Value) {
			continue
		}
		seen[e.path] = true
		if err := list.Check(e.To.Value); err != nil {
			c.errorf(joinKey(e.path, "number"), "%v", err)
		}
	}
}

// walkDials calls fn with every dial step in the flow and its path.
func walkDials(f *Flow, fn func(path string, d *Dial)) {
	var action func(path string, a *Action)
	action = func(path string, a *Action) {
		if a == nil || a.Do == nil {
			return
		}
		sp := joinKey(path, a.Do.Kind().String())
		switch s := a.Do.(type) {
		case *Dial:
			fn(sp, s)
			action(joinKey(sp, "no_answer"), s.NoAnswer)
		case *Gather:
			for _, key := range sortedKeys(s.Options) {
				o := s.Options[key]
				action(joinKey(joinKey(sp, "options"), key), &o)
			}
			action(joinKey(sp, "exhausted"), s.Exhausted)
		case *Record:
			action(joinKey(sp, "then"), s.Then)
		case *PIN:
			action(joinKey(sp, "then"), s.Then)
			action(joinKey(sp, "failed"), s.Failed)
		}
	}
	var errs func(path string, e *ErrorFlows)
	errs = func(path string, e *ErrorFlows) {
		for k, a := range e.kinds() {
			action(joinKey(path, ErrorKind(k).String()), a)
		}
		for _, prefix := range sortedKeys(e.ByPrefix) {
			if sub := e.ByPrefix[prefix]; sub != nil {
				errs(joinKey(joinKey(path, "by_prefix"), prefix), sub)
			}
		}
	}
	errs("errors", &f.Errors)
	for _, name := range sortedKeys(f.Menus) {
		n := f.Menus[name]
		if n == nil {
			continue
		}
		p := joinKey("menus", name)
		if n.Errors != nil {
			errs(joinKey(p, "errors"), n.Errors)
		}
		if n.Hours != nil {
			action(joinKey(joinKey(p, "hours"), "open"), n.Hours.Open)
			action(joinKey(joinKey(p, "hours"), "closed"), n.Hours.Closed)
		}
		action(p, &n.Action)
	}
}

func (c *checker) gotoTarget(path, name string) {
	if name == "" {
		return
	}
	if _, ok := c.f.Menus[name]; !ok {
		c.errorf(path, "no menu is named %q%s", name, c.nearestNode(name))
	}
}

// errorFlows checks where the steps of a set of error flows may go, and warns of a by_prefix
// entry no route falls under.
func (c *checker) errorFlows(path string, e *ErrorFlows) {
	for k, a := range e.kinds() {
		c.action(joinKey(path, ErrorKind(k).String()), a, actionCtx{errorKind: ErrorKind(k), inError: true})
	}
	base := c.f.basePath()
	for _, prefix := range sortedKeys(e.ByPrefix) {
		sub := e.ByPrefix[prefix]
		p := joinKey(joinKey(path, "by_prefix"), prefix)
		if pathRe.MatchString(prefix) && prefix != base && !strings.HasPrefix(prefix, base+"/") {
			c.probs = append(c.probs, Problem{Pos: c.f.pos.atKey(p), Path: p, Warning: true,
				Message: fmt.Sprintf("%s is outside base_path %s, so it matches no menu route", prefix, base)})
		}
		if sub != nil {
			c.errorFlows(p, sub)
		}
	}
}

// kinds returns the flows indexed by ErrorKind.
func (e *ErrorFlows) kinds() [numErrorKinds]*Action {
	return [numErrorKinds]*Action{e.Unauthenticated, e.Forbidden, e.NotFound, e.Internal, e.Denied}
}

// gather checks the destinations of a menu's gather, and that the flow's navigation keys can be
// entered in it.
func (c *checker) gather(path string, g *Gather) {
	c.action(joinKey(path, "exhausted"), g.Exhausted, actionCtx{})
	c.action(joinKey(path, "other"), g.Other, actionCtx{})
	for _, key := range sortedKeys(g.Options) {
		a := g.Options[key]
		c.action(joinKey(joinKey(path, "options"), key), &a, actionCtx{})
	}
	if g.input() == "speech" {
		return
	}
	finish := g.finishOnKey()
	seen := map[string]bool{}
	for _, k := range c.f.Navigation.keys() {
		if seen[k.key] {
			continue // navigationRules reports it
		}
		seen[k.key] = true
		if k.key == finish || (len(k.key) > 1 && strings.Contains(k.key, finish)) {
			c.errorf(joinKey("navigation", k.name), "key %q holds %q, the finish_on_key of %s, which ends input: callers cannot enter it", k.key, finish, path)
		}
		if g.NumDigits > 0 && len(k.key) > g.NumDigits {
			c.errorf(joinKey("navigation", k.name), "key %q has %d digits but %s.num_digits is %d: callers cannot enter it", k.key, len(k.key), path, g.NumDigits)
		}
	}
}

func (g *Gather) input() string {
	if g.Input == "" {
		return "dtmf"
	}
	return g.Input
}

func (f *Flow) basePath() string {
	if f.BasePath == "" {
		return DefaultBasePath
	}
	return f.BasePath
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// keyTags are the validator tags that judge map keys (between "keys" and "endkeys" in a
// validate tag of the flow's types): their problems are placed at the key.
var keyTags = sync.OnceValue(func() map[string]bool {
	out := map[string]bool{}
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for i := range t.NumField() {
			f := t.Field(i)
			inKeys := false
			for _, tag := range strings.Split(f.Tag.Get("validate"), ",") {
				switch {
				case tag == "keys":
					inKeys = true
				case tag == "endkeys":
					inKeys = false
				case inKeys:
					out[tag] = true
				}
			}
			walk(f.Type)
		}
	}
	walk(reflect.TypeFor[Flow]())
	for _, k := range Kinds() {
		walk(kinds[k].decode)
	}
	return out
})
