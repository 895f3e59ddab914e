package flow

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

// switchFlow is a flow whose menu a switches on v, of type typ, with one case.
func switchFlow(typ string, c Case) *Flow {
	c.Then = &Action{Say: Prompts{{Say: "case"}}, Do: Hangup{}}
	return &Flow{Version: 1, Start: "a",
		Variables: map[string]*Variable{"v": {Type: typ}},
		Menus: map[string]*Node{
			"a": {Action: Action{Do: &Switch{On: "v", Cases: []Case{c}, Default: &Action{Say: Prompts{{Say: "default"}}, Do: Hangup{}}}}},
		}}
}

func chosen(t *testing.T, f *Flow, vars map[string]string) string {
	t.Helper()
	c, err := Compile(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Route("/ivr/a").Answer(Input{Vars: vars})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "<Say>case</Say>") {
		return "case"
	}
	return "default"
}

// Numbers compare as numbers, strings as strings, speech after normalizing case and
// punctuation; a case's conditions all hold, so gte with lt is a range.
func TestSwitchComparesByType(t *testing.T) {
	yes, no := true, false
	for _, tt := range []struct {
		name string
		typ  string
		on   string // "" for v
		c    Case
		vars map[string]string
		want string
	}{
		{"NumbersAsNumbers", TypeNumber, "", Case{Is: "10"}, map[string]string{"v": "10.00"}, "case"},
		{"StringsAsStrings", TypeString, "", Case{Is: "10"}, map[string]string{"v": "10.00"}, "default"},
		{"RangeIn", TypeNumber, "", Case{Gte: "0", Lt: "100"}, map[string]string{"v": "99.99"}, "case"},
		{"RangeOutAtTheOpenEnd", TypeNumber, "", Case{Gte: "0", Lt: "100"}, map[string]string{"v": "100"}, "default"},
		{"NotANumberHoldsNoComparison", TypeNumber, "", Case{Lt: "0"}, map[string]string{"v": "n/a"}, "default"},
		{"ExistsWhenSet", TypeString, "", Case{Exists: &yes}, map[string]string{"v": ""}, "case"},
		{"NotSet", TypeString, "", Case{Exists: &no}, map[string]string{}, "case"},
		{"UnsetHoldsNoComparison", TypeNumber, "", Case{Lt: "1"}, map[string]string{}, "default"},
		{"InOneOf", TypeString, "", Case{In: []string{"gold", "platinum"}}, map[string]string{"v": "platinum"}, "case"},
		{"Boolean", TypeBoolean, "", Case{Is: "true"}, map[string]string{"v": "true"}, "case"},
		{"SpeechIgnoresCaseAndPunctuation", "", VarSpeech, Case{Is: "Billing, please!"}, map[string]string{VarSpeech: "billing please."}, "case"},
		{"SpeechHasWholeWords", "", VarSpeech, Case{Has: "agent"}, map[string]string{VarSpeech: "I want an Agent, now"}, "case"},
		{"SpeechHasNotPartOfAWord", "", VarSpeech, Case{Has: "agent"}, map[string]string{VarSpeech: "agents"}, "default"},
		{"DigitsAreStrings", "", VarDigits, Case{Is: "01"}, map[string]string{VarDigits: "01"}, "case"},
		{"NoDigitsAreNotSet", "", VarDigits, Case{Exists: &yes}, map[string]string{VarDigits: ""}, "default"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := switchFlow(tt.typ, tt.c)
			if tt.on != "" {
				f.Menus["a"].Do.(*Switch).On = tt.on
				f.Variables = nil
			}
			if probs := f.Validate(nil); probs.Err() != nil {
				t.Fatal(probs)
			}
			if got := chosen(t, f, tt.vars); got != tt.want {
				t.Errorf("chose %s, want %s", got, tt.want)
			}
		})
	}
}

// No case value or variable value makes the switch panic; a number case holds exactly when the
// numbers compare so; and a prompt's variable, whatever its text, renders to well-formed TwiML.
func FuzzSwitchAndPromptVariables(f *testing.F) {
	f.Add("number", "10", "9.5", "Your balance is {{ money .v }}.")
	f.Add("string", "gold", "Gold & <b>", "Tier {{ .v }}")
	f.Add("boolean", "true", "false", "{{ digits .v }}")
	f.Add("number", "1e400", "-0", "{{ .v }}{{ .v }}")
	f.Fuzz(func(t *testing.T, typ, caseValue, value, say string) {
		fl := switchFlow(typ, Case{Lt: caseValue})
		if typ != TypeNumber {
			fl = switchFlow(typ, Case{Is: caseValue})
		}
		fl.Menus["a"].Say = Prompts{{Say: say}}
		fl.Variables["v"].Default = &value
		if fl.Validate(nil).Err() != nil {
			return
		}
		c, err := Compile(fl, nil)
		if err != nil {
			t.Fatalf("a valid flow does not compile: %v", err)
		}
		b, err := c.Route("/ivr/a").Answer(Input{Vars: map[string]string{"v": value}})
		if err != nil {
			return // a template that cannot format the value: the internal error flow
		}
		d := xml.NewDecoder(strings.NewReader(string(b)))
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("malformed TwiML %q: %v", b, err)
			}
		}
		if typ == TypeNumber {
			x, _ := parseNumber(value)
			limit, _ := parseNumber(caseValue)
			want := x < limit
			if got := strings.Contains(string(b), "<Say>case</Say>"); got != want {
				t.Fatalf("%s < %s: chose case %v", value, caseValue, got)
			}
		}
	})
}

// A gather's other takes input that matches no option; an option still wins, and without other
// the same input is an invalid choice.
func TestOtherTakesInputThatMatchesNoOption(t *testing.T) {
	f := &Flow{Version: 1, Start: "a", Menus: map[string]*Node{
		"a": {Action: Action{Do: &Gather{
			Options: map[string]Action{"0": {Do: Goto("b")}},
			Other:   &Action{Say: Prompts{{Say: "other"}}, Do: Goto("b")},
		}}},
		"b": {Action: Action{Do: Hangup{}}},
	}}
	if err := f.Validate(nil).Err(); err != nil {
		t.Fatal(err)
	}
	c, err := Compile(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := c.Route("/ivr/a/gather")
	if got := string(r.Respond(Input{Digits: "4021", Query: "i=0&n=0"})); !strings.Contains(got, "<Say>other</Say>") {
		t.Errorf("4021 answers %s, want other", got)
	}
	if got := string(r.Respond(Input{Digits: "0", Query: "i=0&n=0"})); strings.Contains(got, "other") {
		t.Errorf("the option 0 answers %s", got)
	}
	if !r.SavesInput() {
		t.Error("a gather with other does not keep its input")
	}
	f.Menus["a"].Do.(*Gather).Other = nil
	c, _ = Compile(f, nil)
	if got := string(c.Route("/ivr/a/gather").Respond(Input{Digits: "4021", Query: "i=0&n=0"})); !strings.Contains(got, "Sorry, that is not a valid choice.") {
		t.Errorf("without other, 4021 answers %s, want invalid", got)
	}
}
