package flow

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/go-playground/validator/v10"
)

// structRules are the rules that relate the fields of one struct to each other (and, for a few,
// to the flow's call_center and navigation keys). The validator runs them with the field rules
// (see fieldValidator), so every rule about what a file says in one place lives in the
// validator; the checker keeps the rules that relate parts of the flow (see doc.go).
var structRules = []struct {
	of any
	fn validator.StructLevelFunc
}{
	{Prompt{}, promptRules},
	{Node{}, nodeRules},
	{Hours{}, hoursRules},
	{Gather{}, gatherRules},
	{Dial{}, dialRules},
	{Navigation{}, navigationRules},
	{Agent{}, agentRules},
	{Variable{}, variableRules},
	{Case{}, caseRules},
}

// The tags of the problems struct rules report: the message is the tag's parameter. keyRule
// is placed at a map key, rule at a value.
const (
	tagRule    = "rule"
	tagKeyRule = "keyrule"
)

// broken reports a broken rule at field, a path below the struct in the validator's namespace
// form (`loop`, `options[1]`; "" for the struct itself).
func broken(sl validator.StructLevel, field, format string, args ...any) {
	sl.ReportError(nil, field, field, tagRule, fmt.Sprintf(format, args...))
}

// brokenKey reports a broken rule at the map key that ends field.
func brokenKey(sl validator.StructLevel, field, format string, args ...any) {
	sl.ReportError(nil, field, field, tagKeyRule, fmt.Sprintf(format, args...))
}

// flowOf returns the flow being validated, or nil when the validator was given a part of one.
func flowOf(sl validator.StructLevel) *Flow {
	top := sl.Top()
	for top.Kind() == reflect.Pointer || top.Kind() == reflect.Interface {
		if top.IsNil() {
			return nil
		}
		top = top.Elem()
	}
	if top.Type() != reflect.TypeFor[Flow]() || !top.CanAddr() {
		return nil
	}
	return top.Addr().Interface().(*Flow)
}

// promptRules: a prompt is exactly one of say, play or pause, and only say and play loop.
func promptRules(sl validator.StructLevel) {
	p := sl.Current().Interface().(Prompt)
	n := 0
	for _, on := range []bool{p.Say != "" || len(p.Translations) > 0, p.Play != "", p.Pause != 0} {
		if on {
			n++
		}
	}
	switch {
	case n == 0:
		broken(sl, "", "a prompt needs one of say, play or pause")
	case n > 1:
		broken(sl, "", "a prompt is one of say, play or pause, not several; use a list")
	case p.Pause != 0 && p.Loop != 0:
		broken(sl, "loop", "loop applies to say and play, not pause")
	}
}

// nodeRules: hours.open and a body exclude each other, hours needs one of them, and only the
// flow's own errors hold by_prefix.
func nodeRules(sl validator.StructLevel) {
	n := sl.Current().Interface().(Node)
	if h := n.Hours; h != nil {
		switch {
		case h.Open != nil && n.Do != nil:
			broken(sl, "hours.open", "hours.open replaces this menu's own %s, which would never run; remove one", n.Do.Kind())
		case h.Open == nil && n.Do == nil && len(n.Say) == 0:
			broken(sl, "hours", "hours needs open, or a body (say, gather, dial…) for this menu to run when open")
		}
	}
	if n.Errors != nil && len(n.Errors.ByPrefix) > 0 {
		broken(sl, "errors.by_prefix", "by_prefix is only allowed in the flow's top-level errors")
	}
}

// hoursRules: each weekly range parses.
func hoursRules(sl validator.StructLevel) {
	h := sl.Current().Interface().(Hours)
	for i, r := range h.Weekly {
		if _, err := parseWeekly(r); err != nil && r != "" {
			broken(sl, fmt.Sprintf("weekly[%d]", i), "%v", err)
		}
	}
}

// dialRules: call_center is dialed only when the flow sets one.
func dialRules(sl validator.StructLevel) {
	d := sl.Current().Interface().(Dial)
	if f := flowOf(sl); f != nil && d.Number == CallCenter && f.CallCenter == "" {
		broken(sl, "number", "dials call_center, but the flow sets no call_center")
	}
}

// navigationRules: each navigation key is a different key.
func navigationRules(sl validator.StructLevel) {
	nav := sl.Current().Interface().(Navigation)
	seen := map[string]string{}
	for _, k := range nav.keys() {
		if prev, dup := seen[k.key]; dup {
			broken(sl, k.name, "key %q is also navigation.%s", k.key, prev)
			continue
		}
		seen[k.key] = k.name
	}
}

// keys returns the navigation keys that are set, in order.
func (nav Navigation) keys() []struct{ name, key string } {
	var out []struct{ name, key string }
	for _, k := range []struct{ name, key string }{{"repeat", nav.Repeat}, {"back", nav.Back}, {"main", nav.Main}} {
		if k.key != "" {
			out = append(out, k)
		}
	}
	return out
}

// gatherRules: option keys a caller can enter (DTMF unless input is speech, without the
// finish_on_key, not a navigation key, within num_digits), synonyms for speech options only,
// and no word that chooses two options.
func gatherRules(sl validator.StructLevel) {
	g := sl.Current().Interface().(Gather)
	input, finish := g.input(), g.finishOnKey()
	navKeys := map[string]string{}
	if f := flowOf(sl); f != nil && input != "speech" {
		for _, k := range f.Navigation.keys() {
			if _, dup := navKeys[k.key]; !dup {
				navKeys[k.key] = k.name
			}
		}
	}
	words := map[string]string{} // normalized word → option key
	for _, key := range sortedKeys(g.Options) {
		field := "options[" + key + "]"
		if input == "speech" {
			word(sl, field, key, key, words)
			continue
		}
		switch {
		case !dtmfRe.MatchString(key):
			brokenKey(sl, field, "option keys must be DTMF keys (0-9, * and #) unless input is speech; got %q", key)
		case strings.Contains(key, finish):
			brokenKey(sl, field, "option %q holds %q, the finish_on_key, which ends input: callers cannot enter it", key, finish)
		case navKeys[key] != "":
			brokenKey(sl, field, "option %q is also the navigation key %s", key, navKeys[key])
		case g.NumDigits > 0 && len(key) > g.NumDigits:
			brokenKey(sl, field, "option %q has %d digits but num_digits is %d: callers cannot enter it", key, len(key), g.NumDigits)
		}
	}
	for _, key := range sortedKeys(g.Synonyms) {
		field := "synonyms[" + key + "]"
		if input == "dtmf" {
			brokenKey(sl, field, "synonyms are words for speech; set input to speech or both")
			continue
		}
		if _, ok := g.Options[key]; !ok {
			brokenKey(sl, field, "no option is keyed %q", key)
			continue
		}
		for i, w := range g.Synonyms[key] {
			word(sl, fmt.Sprintf("%s[%d]", field, i), key, w, words)
		}
	}
}

// word records a speech word for option key, reporting one that another option already uses.
func word(sl validator.StructLevel, field, key, w string, words map[string]string) {
	norm := normalizeWord(w)
	if norm == "" {
		broken(sl, field, "a speech option needs a word; got %q", w)
		return
	}
	if prev, dup := words[norm]; dup {
		if prev == key {
			broken(sl, field, "duplicate option: %q already chooses this option", w)
		} else {
			broken(sl, field, "duplicate option: %q already chooses option %q", w, prev)
		}
		return
	}
	words[norm] = key
}

// finishOnKey returns the key that ends input: FinishOnKey, or Twilio's default "#".
func (g *Gather) finishOnKey() string {
	if g.FinishOnKey == "" {
		return "#"
	}
	return g.FinishOnKey
}
