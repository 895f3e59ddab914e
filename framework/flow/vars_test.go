package flow

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// loadFile loads and compiles the flow file at path, failing t on an error (not on warnings).
func loadFile(t testing.TB, path string) *Compiled {
	t.Helper()
	f, probs := Load(path, nil)
	return compiled(t, f, probs)
}

// compileText parses and compiles the flow src, named name in problems, as loadFile does.
func compileText(t testing.TB, name, src string) *Compiled {
	t.Helper()
	f, probs := Parse(name, []byte(src), nil)
	return compiled(t, f, probs)
}

func compiled(t testing.TB, f *Flow, probs Problems) *Compiled {
	t.Helper()
	if err := probs.Err(); err != nil {
		t.Fatal(err)
	}
	c, err := Compile(f, &CompileOptions{Validated: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A fetch node's prompts render with the call's variables, escaped, and its switch picks the
// case by the number, compared as a number.
func TestVariablesRenderAndTheSwitchComparesNumbers(t *testing.T) {
	c := loadFile(t, "testdata/balance.yaml")
	rt := c.Route("/ivr/balance")
	if !rt.Dynamic() || rt.Fetch() == nil || rt.Fetch().URL != "https://bank.example.com/ivr" {
		t.Fatalf("balance route: dynamic %v, fetch %+v", rt.Dynamic(), rt.Fetch())
	}
	if c.Route("/ivr/welcome").Dynamic() {
		t.Error("welcome uses no variable but is dynamic")
	}
	for _, tt := range []struct {
		name    string
		vars    map[string]string
		failed  bool
		want    string
		wantErr error
	}{
		{"Positive", map[string]string{"balance": "42.1", "name": "Ann & Bo"}, false,
			`<Say>Hello Ann &amp; Bo. Your balance is $42.10.</Say><Say>Goodbye.</Say><Hangup/>`, nil},
		{"NegativeSpelledOddly", map[string]string{"balance": "-0.50"}, false,
			`<Say>Hello customer. Your balance is minus $0.50.</Say><Say>Your account is overdrawn.</Say><Redirect>/ivr/billing</Redirect>`, nil},
		{"ANumberNotAString", map[string]string{"balance": "1000.0"}, false,
			`<Say>You qualify for &lt;gold&gt; &amp; more.</Say><Hangup/>`, nil},
		{"FetchFailed", map[string]string{}, true,
			`<Say>Sorry customer, we cannot reach your account.</Say><Redirect>/ivr/welcome</Redirect>`, nil},
		{"MissingVariable", map[string]string{}, false, `We're sorry, something went wrong.`, ErrRender},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := rt.Answer(Input{Vars: tt.vars, FetchFailed: tt.failed})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(string(b), tt.want) {
				t.Errorf("got\n%s\nwant it to hold\n%s", b, tt.want)
			}
		})
	}
}

func TestAFetchAcceptsOnlyItsTypedVariables(t *testing.T) {
	fc := loadFile(t, "testdata/balance.yaml").Route("/ivr/balance").Fetch()
	got, err := fc.Accept(map[string]string{"balance": "12", "account": "A1", "extra": "x"})
	if err != nil || got["balance"] != "12" || got["name"] != "customer" || got["account"] != "A1" || got["extra"] != "" {
		t.Errorf("Accept = %v, %v", got, err)
	}
	for _, answer := range []map[string]string{
		{"balance": "twelve", "account": "A1"},
		{"account": "A1"},
	} {
		if _, err := fc.Accept(answer); !errors.Is(err, ErrAnswer) {
			t.Errorf("Accept(%v) = %v, want ErrAnswer", answer, err)
		}
	}
}

// Variables, backends and switches are checked before serving, each problem at its
// file:line:col.
func TestBadVariablesAreRefusedWithPositions(t *testing.T) {
	tests := []struct {
		name  string
		given string
		want  []string
	}{
		{
			name: "declarations, fetches and switches",
			given: `version: 1
start: a
backends:
  crm: {url: "http://crm.example.com/x", timeout: 20s}
variables:
  balance: {type: number, default: lots}
  tier: {type: string}
  caller: {type: string}
  vip: {type: boolean}
menus:
  a:
    fetch: {backend: crn, sets: [tier, ghost]}
    say: "Hello {{ .nme }} {{ money .balance"
    gather:
      options: {"1": b, "2": c}
  b:
    say: "Your tier is {{ .tier }}."
    switch:
      on: balance
      cases:
        - {has: gold, then: a}
        - {lt: ten, then: a}
        - {then: a}
        - {is: "1", in: ["2"], then: a}
      default: a
  c:
    fetch: {backend: crm, sets: [tier]}
    switch:
      on: tier
      cases:
        - {gt: 3, then: {say: "{{ .tier }}", hangup: true}}
      default: {hangup: true}
  d:
    switch:
      on: vip
      cases:
        - {is: "yes", then: a}
      default: a
`,
			want: []string{
				`bad.yaml:4:14: backends.crm.url: must be an absolute https:// URL (http:// only to 127.0.0.1, ::1 or localhost), without user or fragment; got "http://crm.example.com/x"`,
				`bad.yaml:4:51: backends.crm.timeout: must be a duration above 0 and at most 10s, such as 3s or 800ms; got "20s"`,
				`bad.yaml:6:36: variables.balance.default: the default of a number variable: "lots" is not a number`,
				`bad.yaml:8:3: variables.caller: "caller" is built in (the caller's number, the number called, their last digits or speech): choose another name`,
				`bad.yaml:12:22: menus.a.fetch.backend: no backend is named "crn" (did you mean "crm"?); declare it under backends`,
				`bad.yaml:12:40: menus.a.fetch.sets[1]: variable "ghost" is not declared under variables (with its type)`,
				`bad.yaml:13:10: menus.a.say[0].say: the text's {{ … }} does not parse: unclosed action`,
				`bad.yaml:21:17: menus.b.switch.cases[0].has: has looks for words in a string, and balance is a number: use is, in, lt, lte, gt or gte`,
				`bad.yaml:22:16: menus.b.switch.cases[1].lt: balance is a number, and "ten" is not a number`,
				`bad.yaml:23:11: menus.b.switch.cases[2]: a case needs a condition: is, in, has, lt, lte, gt, gte or exists`,
				`bad.yaml:24:25: menus.b.switch.cases[3].in: is and in both say what the value equals; use one (in: [a, b] for several)`,
				`bad.yaml:31:16: menus.c.switch.cases[0].gt: gt compares numbers, and tier is a string: use is, in or has`,
				`bad.yaml:33:3: menus.d: warning: no path from start "a" reaches menu "d" (list it under entries if calls enter it from outside)`,
				`bad.yaml:37:16: menus.d.switch.cases[0].is: vip is a boolean, and "yes" is not true or false`,
			},
		},
		{
			name: "a variable not set on every path, and one in an error flow",
			given: `version: 1
start: a
entries: [e]
backends:
  crm: {url: "https://crm.example.com/x"}
variables:
  tier: {type: string}
  name: {default: friend}
menus:
  a:
    say: "Hello {{ .nme }} {{ .name }}."
    gather:
      options: {"1": b, "2": c}
  b:
    fetch: {backend: crm, sets: [tier], on_error: {say: "No tier {{ .tier }}.", goto: a}}
    say: "Your tier is {{ .tier }}."
    goto: c
  c:
    say: "Tier {{ .tier }}, {{ .name }}."
    gather:
      options: {"1": a}
  e:
    say: "Entry {{ .tier }}."
    hangup: true
errors:
  internal: {say: "Sorry {{ .tier }}.", hangup: true}
`,
			want: []string{
				`bad.yaml:11:10: menus.a.say[0].say: variable "nme" is not declared under variables (did you mean "name"?)`,
				`bad.yaml:15:57: menus.b.fetch.on_error.say[0].say: variable "tier" has no default, and on_error runs when the fetch did not set it: give it a default, or say something else`,
				`bad.yaml:19:10: menus.c.say[0].say: variable "tier" has no default, and some path reaches menu "c" without a fetch that sets it: fetch it on the way, or give it a default`,
				`bad.yaml:23:10: menus.e.say[0].say: variable "tier" has no default, and some path reaches menu "e" without a fetch that sets it: fetch it on the way, or give it a default`,
				`bad.yaml:26:19: errors.internal.say[0].say: error flows cannot use variables ({{ … }}): they answer before any fetch`,
			},
		},
		{
			name: "a function given a variable it cannot format",
			given: `version: 1
start: a
variables:
  name: {default: Ann}
  due: {type: number, default: "3"}
  when: {default: soon}
menus:
  a:
    say: "{{ money .name }} {{ .due | date }} {{ date .when }} {{ money .caller }} {{ digits .due }}"
    hangup: true
`,
			want: []string{
				`bad.yaml:9:10: menus.a.say[0].say: money formats a number, and name is a string: declare it type: number`,
				`bad.yaml:9:10: menus.a.say[0].say: date formats a date such as 2026-12-25, and due is a number`,
				`bad.yaml:9:10: menus.a.say[0].say: date formats a date such as 2026-12-25, and the default of when is "soon"`,
				`bad.yaml:9:10: menus.a.say[0].say: money formats a number, and caller is built in, a string`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs := Parse("bad.yaml", []byte(tt.given), nil)
			wantProblems(t, probs, tt.want)
		})
	}
}

// A backend's url may name an environment variable, read when the flow loads.
func TestABackendURLMayComeFromTheEnvironment(t *testing.T) {
	src := "version: 1\nstart: a\nbackends:\n  bank: {url: \"${BANK_URL}\"}\nvariables: {v: {}}\nmenus:\n  a:\n    fetch: {backend: bank, sets: [v]}\n    say: \"{{ .v }}\"\n"
	env := map[string]string{"BANK_URL": "https://bank.example.com/v1"}
	f, probs := Parse("env.yaml", []byte(src), &Options{Env: func(k string) string { return env[k] }})
	if probs.Err() != nil || f.Backends["bank"].URL != "https://bank.example.com/v1" {
		t.Fatalf("url %v, problems %v", f, probs)
	}
	_, probs = Parse("env.yaml", []byte(src), &Options{Env: func(string) string { return "" }})
	if got, want := probs.Err().Error(), "env.yaml:4:15: backends.bank.url: environment variable BANK_URL is not set: it holds the URL of backend bank"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	env["BANK_URL"] = "http://bank.example.com/v1"
	if _, probs = Parse("env.yaml", []byte(src), &Options{Env: func(k string) string { return env[k] }}); probs.Err() == nil {
		t.Error("an http:// URL to another host loaded from the environment")
	}
}

// The flow the README's "Data from your backend" section shows loads, validates with no problem
// and compiles.
func TestTheREADMEsBackendFlowIsValid(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n### Data from your backend")
	_, block, ok2 := strings.Cut(section, "```yaml\n")
	block, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("README.md has no flow in its Data from your backend section")
	}
	f, probs := Parse("README.md", []byte(block), &Options{Env: func(string) string { return "https://bank.example.com/ivr" }})
	if len(probs) > 0 {
		t.Fatalf("the README's flow has problems:\n%s", probs)
	}
	c, err := Compile(f, &CompileOptions{Validated: true})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Route("/ivr/balance").Answer(Input{Vars: map[string]string{"balance": "-12.5", "name": "Ann", "account": "99887766"}})
	if err != nil || !strings.Contains(string(got), "Hello Ann. Your balance is minus $12.50.") {
		t.Errorf("the balance menu answers %s, %v", got, err)
	}
}

// A mistyped answer's error names the field, never its value: errors are logged, and the value
// may be sensitive.
func TestAnAnswerErrorNeverHoldsTheValue(t *testing.T) {
	fc := loadFile(t, "testdata/balance.yaml").Route("/ivr/balance").Fetch()
	_, err := fc.Accept(map[string]string{"balance": "secret-99887766", "account": "A1"})
	if err == nil || strings.Contains(err.Error(), "99887766") {
		t.Errorf("Accept = %v", err)
	}
}

// problemText is probs as validate prints them, one a line.
func problemText(probs Problems) string {
	lines := make([]string, len(probs))
	for i, p := range probs {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// wantProblems fails t unless probs are exactly want, in order.
func wantProblems(t *testing.T, probs Problems, want []string) {
	t.Helper()
	if got := problemText(probs); got != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}
