package flow

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/go-playground/validator/v10"
	"github.com/switchboard-ivr/switchboard/twiml"
)

// compiledSwitch is a switch ready to choose: its cases' conditions parsed for the variable's
// type, each with the node's document for it.
type compiledSwitch struct {
	on     string
	typ    string // the variable's type; TypeString for digits, speech
	speech bool   // compare after normalizing case and punctuation
	cases  []compiledCase
	def    []byte
}

type compiledCase struct {
	is          []string  // is and in: one of these (normalized for speech)
	nums        []float64 // is and in, for a number
	has         string    // normalized words
	lt, lte     *float64
	gt, gte     *float64
	exists      *bool
	conditional bool // sets a condition other than exists
	out         []byte
}

// conditions returns the case's comparisons as (key, value) pairs, in a fixed order.
func (cs *Case) conditions() []struct{ key, value string } {
	var out []struct{ key, value string }
	add := func(k, v string) {
		if v != "" {
			out = append(out, struct{ key, value string }{k, v})
		}
	}
	add("is", cs.Is)
	for i, v := range cs.In {
		out = append(out, struct{ key, value string }{"in[" + strconv.Itoa(i) + "]", v})
	}
	add("has", cs.Has)
	add("lt", cs.Lt)
	add("lte", cs.Lte)
	add("gt", cs.Gt)
	add("gte", cs.Gte)
	return out
}

// caseRules: a case sets at least one condition.
func caseRules(sl validator.StructLevel) {
	cs := sl.Current().Interface().(Case)
	switch {
	case len(cs.conditions()) == 0 && cs.Exists == nil:
		broken(sl, "", "a case needs a condition: is, in, has, lt, lte, gt, gte or exists")
	case cs.Is != "" && len(cs.In) > 0:
		broken(sl, "in", "is and in both say what the value equals; use one (in: [a, b] for several)")
	}
}

// switchType returns the type a switch on name compares as, and whether it is known.
func (f *Flow) switchType(on string) (string, bool) {
	if slices.Contains(builtinVars, on) {
		return TypeString, true
	}
	if v := f.Variables[on]; v != nil {
		return v.varType(), true
	}
	return "", false
}

// checkSwitch checks that the switch's variable is declared and that each case's values are of
// its type, with comparisons its type has.
func (c *checker) checkSwitch(sp string, s *Switch, nested actionCtx) {
	typ, ok := c.f.switchType(s.On) // an undeclared variable is reported with every other use
	for i, cs := range s.Cases {
		cp := joinIndex(joinKey(sp, "cases"), i)
		if ok {
			for _, cond := range cs.conditions() {
				if msg := conditionProblem(typ, s.On, cond.key, cond.value); msg != "" {
					c.errorf(joinKey(cp, cond.key), "%s", msg)
				}
			}
		}
		c.action(joinKey(cp, "then"), cs.Then, nested)
	}
	c.action(joinKey(sp, "default"), s.Default, nested)
}

// conditionProblem returns what is wrong with one condition of a case on a variable of type typ,
// or "".
func conditionProblem(typ, on, key, value string) string {
	base, _, _ := strings.Cut(key, "[")
	switch base {
	case "lt", "lte", "gt", "gte":
		if typ != TypeNumber {
			return fmt.Sprintf("%s compares numbers, and %s is a %s: use is, in or has", base, on, typ)
		}
	case "has":
		if typ != TypeString {
			return fmt.Sprintf("has looks for words in a string, and %s is a %s: use is, in, lt, lte, gt or gte", on, typ)
		}
		if normalizeWord(value) == "" {
			return "has needs a word: letters or digits"
		}
		return ""
	}
	if err := checkValue(typ, value); err != nil {
		return fmt.Sprintf("%s is a %s, and %v", on, typ, err)
	}
	return ""
}

// switchStep compiles a node's switch: a document for each case and the default, each the
// node's say followed by the destination. It returns the default's verbs, which the entry
// document holds.
func (nc *nodeCompiler) switchStep(path string, s *Switch) []twiml.Verb {
	c := nc.c
	typ, _ := c.f.switchType(s.On)
	cs := &compiledSwitch{on: s.On, typ: typ, speech: s.On == VarSpeech}
	for i, k := range s.Cases {
		cp := joinIndex(joinKey(path, "cases"), i)
		cc := compiledCase{exists: k.Exists, has: normalizeWord(k.Has)}
		vals := k.In
		if k.Is != "" {
			vals = []string{k.Is}
		}
		for _, v := range vals {
			cc.conditional = true
			if typ == TypeNumber {
				f, ok := parseNumber(v)
				if !ok {
					c.probs = append(c.probs, Problem{Pos: c.f.pos.at(cp), Path: cp, Message: fmt.Sprintf("%q is not a number", v)})
				}
				cc.nums = append(cc.nums, f)
				continue
			}
			if cs.speech {
				v = normalizeWord(v)
			}
			cc.is = append(cc.is, v)
		}
		for _, b := range []struct {
			dst **float64
			v   string
		}{{&cc.lt, k.Lt}, {&cc.lte, k.Lte}, {&cc.gt, k.Gt}, {&cc.gte, k.Gte}} {
			if b.v == "" {
				continue
			}
			f, ok := parseNumber(b.v)
			if !ok {
				c.probs = append(c.probs, Problem{Pos: c.f.pos.at(cp), Path: cp, Message: fmt.Sprintf("%q is not a number", b.v)})
			}
			*b.dst = &f
			cc.conditional = true
		}
		cc.conditional = cc.conditional || cc.has != ""
		cc.out = c.render(joinKey(cp, "then"), nc.prompts(nc.n.Say, nc.action(k.Then)))
		cs.cases = append(cs.cases, cc)
	}
	def := nc.action(s.Default)
	cs.def = c.render(joinKey(path, "default"), nc.prompts(nc.n.Say, def))
	nc.dynamic().sw = cs
	return def
}

// choose returns the document of the first case that holds for vars, or the default's.
func (s *compiledSwitch) choose(vars map[string]string) []byte {
	v, set := vars[s.on]
	if s.speech || s.on == VarDigits {
		set = set && strings.TrimSpace(v) != ""
	}
	for i := range s.cases {
		if s.cases[i].holds(v, set, s.typ, s.speech) {
			return s.cases[i].out
		}
	}
	return s.def
}

// holds reports whether every condition of the case holds for the value v (set says whether the
// variable is set at all).
func (cc *compiledCase) holds(v string, set bool, typ string, speech bool) bool {
	if cc.exists != nil && *cc.exists != set {
		return false
	}
	if !cc.conditional {
		return true
	}
	if !set {
		return false
	}
	if typ == TypeNumber {
		x, ok := parseNumber(v)
		if !ok {
			return false
		}
		if len(cc.nums) > 0 && !containsFloat(cc.nums, x) {
			return false
		}
		return (cc.lt == nil || x < *cc.lt) && (cc.lte == nil || x <= *cc.lte) &&
			(cc.gt == nil || x > *cc.gt) && (cc.gte == nil || x >= *cc.gte)
	}
	if speech {
		v = normalizeWord(v)
	}
	if len(cc.is) > 0 && !containsString(cc.is, v) {
		return false
	}
	if cc.has != "" && !containsWord(v, cc.has) {
		return false
	}
	return true
}

func containsFloat(s []float64, x float64) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

func containsString(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// String describes the case's conditions for a diagram: "< 0", ">= 0 and < 100", "is gold",
// "in 1, 2", "has agent", "exists", "not set".
func (cs *Case) String() string {
	var parts []string
	ops := map[string]string{"is": "is ", "has": "has ", "lt": "< ", "lte": "<= ", "gt": "> ", "gte": ">= "}
	var in []string
	for _, c := range cs.conditions() {
		if strings.HasPrefix(c.key, "in[") {
			in = append(in, c.value)
			continue
		}
		parts = append(parts, ops[c.key]+c.value)
	}
	if len(in) > 0 {
		parts = append(parts, "in "+strings.Join(in, ", "))
	}
	if cs.Exists != nil {
		if *cs.Exists {
			parts = append(parts, "exists")
		} else {
			parts = append(parts, "not set")
		}
	}
	return strings.Join(parts, " and ")
}
