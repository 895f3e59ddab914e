package flow

import (
	"strings"
	"testing"
)

// A bad flow file must be refused with every problem, each at its exact file:line:col.
func TestBadFlowFilesAreRefusedWithPositions(t *testing.T) {
	grants := &Options{Grants: func(p string) bool { return p == "view" || p == "staff" }}
	tests := []struct {
		name  string
		given string   // the flow file
		want  []string // every problem, in order
	}{
		{
			name: "agent over ws://, to an undeclared host, with no default and a missing menu",
			given: `version: 1
start: a
agents: {hosts: [agent.example.com]}
menus:
  a:
    agent:
      relay: ws://agent.example.com/relay
      on_end: {transfer: sales}
  b:
    agent:
      relay: wss://evil.example.net/relay
      on_end: {default: a}
  c:
    agent:
      stream: wss://agent.example.com/audio
      welcome: Hi.
      parameters: {switchboard_state: x}
      on_end: {default: a}
`,
			want: []string{
				`bad.yaml:7:14: menus.a.agent.relay: must be a wss:// URL with a host and no query, such as wss://agent.example.com/relay (Twilio connects agents over TLS only; pass context in parameters); got "ws://agent.example.com/relay"`,
				`bad.yaml:8:15: menus.a.agent.on_end: on_end needs a "default" destination, for a handoff value it does not list (or none)`,
				`bad.yaml:8:26: menus.a.agent.on_end.transfer.goto: no menu is named "sales"`,
				`bad.yaml:9:3: menus.b: warning: no path from start "a" reaches menu "b" (list it under entries if calls enter it from outside)`,
				`bad.yaml:11:14: menus.b.agent.relay: host "evil.example.net" is not among agents.hosts: declare the agents this flow may hand callers to (agents: {hosts: [evil.example.net]})`,
				`bad.yaml:13:3: menus.c: warning: no path from start "a" reaches menu "c" (list it under entries if calls enter it from outside)`,
				`bad.yaml:16:16: menus.c.agent.welcome: welcome applies to relay only: a stream carries raw audio`,
				`bad.yaml:17:20: menus.c.agent.parameters.switchboard_state: switchboard_state is the parameter the server sends itself; choose another name`,
			},
		},
		{
			name: "a dial outside dial_allow",
			given: `version: 1
start: a
call_center: "+15555550100"
dial_allow: ["+1"]
menus:
  a:
    gather:
      options:
        "1": {dial: "+442071838750"}
        "2": {dial: {number: "+15555550111", no_answer: {dial: "+33142685300"}}}
`,
			want: []string{
				`bad.yaml:9:21: menus.a.gather.options["1"].dial.number: destination not allowed: +442071838750 matches no allowlist entry (+1)`,
				`bad.yaml:10:64: menus.a.gather.options["2"].dial.no_answer.dial.number: destination not allowed: +33142685300 matches no allowlist entry (+1)`,
			},
		},
		{
			name: "premium rate refused without dial_allow, call_center included",
			given: `version: 1
start: a
call_center: "+19005550100"
menus:
  a: {dial: "+19765550111"}
`,
			want: []string{
				`bad.yaml:3:14: call_center: destination not allowed: +19005550100 has the premium-rate prefix +1900 (toll fraud risk); list +1900 in the allowlist to dial it`,
				`bad.yaml:5:13: menus.a.dial.number: destination not allowed: +19765550111 has the premium-rate prefix +1976 (toll fraud risk); list +1976 in the allowlist to dial it`,
			},
		},
		{
			name: "a bad dial_allow entry and a time_limit over max_call_seconds",
			given: `version: 1
start: a
dial_allow: ["+1", "UK"]
max_call_seconds: 600
menus:
  a: {dial: {number: "+15555550111", time_limit: 900}}
`,
			want: []string{
				`bad.yaml:3:20: dial_allow[1]: must be a destination pattern: + then a country code, area or number, X for any digit, such as +1, +44 or +1555XXXXXXX; got "UK"`,
				`bad.yaml:6:50: menus.a.dial.time_limit: is 900 seconds, over max_call_seconds (600)`,
			},
		},
		{
			name: "unknown key, with a suggestion",
			given: `version: 1
start: a
menus:
  a:
    gotoo: a
`,
			want: []string{`bad.yaml:5:5: menus.a: unknown key "gotoo" (did you mean "goto"?)`},
		},
		{
			name: "wrong type",
			given: `version: 1
start: a
defaults: {timeout: five}
menus:
  a: {hangup: true}
`,
			want: []string{`bad.yaml:3:21: defaults.timeout: must be a whole number, got "five"`},
		},
		{
			name: "goto names no menu",
			given: `version: 1
start: welcome
menus:
  welcome:
    gather:
      options:
        "1": {goto: sale}
  sales: {hangup: true}
`,
			want: []string{
				`bad.yaml:7:21: menus.welcome.gather.options["1"].goto: no menu is named "sale" (did you mean "sales"?)`,
				`bad.yaml:8:3: menus.sales: warning: no path from start "welcome" reaches menu "sales" (list it under entries if calls enter it from outside)`,
			},
		},
		{
			name: "then names no menu",
			given: `version: 1
start: vm
menus:
  vm:
    record: {then: bye}
`,
			want: []string{`bad.yaml:5:20: menus.vm.record.then.goto: no menu is named "bye"`},
		},
		{
			name: "missing start",
			given: `version: 1
menus:
  a: {hangup: true}
`,
			want: []string{
				`bad.yaml:1:1: start: is required`,
			},
		},
		{
			name: "unknown start",
			given: `version: 1
start: welcom
menus:
  welcome: {hangup: true}
`,
			want: []string{
				`bad.yaml:2:8: start: no menu is named "welcom" (did you mean "welcome"?)`,
			},
		},
		{
			name: "duplicate option key",
			given: `version: 1
start: a
menus:
  a:
    gather:
      options:
        "1": {hangup: true}
        1: {goto: a}
`,
			want: []string{`bad.yaml:8:9: menus.a.gather.options: duplicate key "1" (first at line 7)`},
		},
		{
			name: "duplicate speech word",
			given: `version: 1
start: a
menus:
  a:
    gather:
      input: both
      options:
        "1": {hangup: true}
        "2": {hangup: true}
      synonyms:
        "1": [sales]
        "2": [Sales]
`,
			want: []string{`bad.yaml:12:15: menus.a.gather.synonyms["2"][0]: duplicate option: "Sales" already chooses option "1"`},
		},
		{
			name: "phone number not E.164",
			given: `version: 1
start: a
call_center: "555-0100"
menus:
  a: {dial: "15555550100"}
`,
			want: []string{
				`bad.yaml:3:14: call_center: must be an E.164 phone number: + then 8 to 15 digits, like +15555550100; got "555-0100"`,
				`bad.yaml:5:13: menus.a.dial.number: must be "call_center" or an E.164 phone number: + then 8 to 15 digits, like +15555550100; got "15555550100"`,
			},
		},
		{
			name: "unknown voice and language formats",
			given: `version: 1
start: a
defaults: {voice: Joanna, language: english}
menus:
  a: {hangup: true}
`,
			want: []string{
				`bad.yaml:3:19: defaults.voice: must be a Twilio voice such as Polly.Joanna, Polly.Lupe-Neural, Google.en-US-Neural2-F, man, woman or alice; got "Joanna"`,
				`bad.yaml:3:37: defaults.language: must be a language tag such as en-US, es-MX or fr; got "english"`,
			},
		},
		{
			name: "invalid timezone",
			given: `version: 1
start: a
menus:
  a:
    hours: {timezone: Mars/Olympus, weekly: ["Mon-Fri 09:00-17:00"], closed: {hangup: true}}
    hangup: true
`,
			want: []string{`bad.yaml:5:23: menus.a.hours.timezone: must be an IANA time zone such as America/New_York; got "Mars/Olympus"`},
		},
		{
			name: "hours range that ends before it starts",
			given: `version: 1
start: a
menus:
  a:
    hours:
      timezone: America/New_York
      weekly: ["Mon-Fri 17:00-09:00", "Mun 09:00-10:00"]
      holidays: ["2026-13-01"]
      closed: {hangup: true}
    hangup: true
`,
			want: []string{
				`bad.yaml:7:16: menus.a.hours.weekly[0]: hours range "Mon-Fri 17:00-09:00" ends before it starts; split a range that passes midnight in two`,
				`bad.yaml:7:39: menus.a.hours.weekly[1]: hours range "Mun 09:00-10:00": unknown day in "Mun"; use Mon, Tue, Wed, Thu, Fri, Sat, Sun`,
				`bad.yaml:8:18: menus.a.hours.holidays[0]: must be a date such as 2026-12-25; got "2026-13-01"`,
			},
		},
		{
			name: "unreachable menu is a warning, the loop without a gather an error",
			given: `version: 1
start: a
menus:
  a: {goto: b}
  b: {say: Again., goto: a}
  lost: {hangup: true}
`,
			want: []string{
				`bad.yaml:5:26: menus.b.goto: menus "a" → "b" → "a" loop forever with no gather between them: Twilio would redirect without end`,
				`bad.yaml:6:3: menus.lost: warning: no path from start "a" reaches menu "lost" (list it under entries if calls enter it from outside)`,
			},
		},
		{
			name: "hours closed branch loops back without a gather",
			given: `version: 1
start: a
menus:
  a:
    hours: {timezone: UTC, weekly: ["Mon 09:00-10:00"], closed: b}
    gather: {options: {"1": {hangup: true}}}
  b: {goto: a}
`,
			want: []string{`bad.yaml:7:13: menus.b.goto: menus "a" → "b" → "a" loop forever with no gather between them: Twilio would redirect without end`},
		},
		{
			name: "permission no policy line grants",
			given: `version: 1
start: a
menus:
  a: {permission: vip, hangup: true}
`,
			want: []string{`bad.yaml:4:19: menus.a.permission: warning: no line of the policy grants permission "vip": nobody can reach this menu`},
		},
		{
			name: "forbidden error flow that goes to a menu",
			given: `version: 1
start: a
errors:
  forbidden: {say: No., goto: a}
menus:
  a: {hangup: true}
`,
			want: []string{`bad.yaml:4:31: errors.forbidden.goto: a caller refused at "a" hears this flow, which leads back into a refusal ("a" → "a"), forever: dial or hang up instead, or go to a menu every caller may use`},
		},
		{
			name: "denied error flow that goes to a menu, or dials out",
			given: `version: 1
start: a
call_center: "+15555550100"
errors:
  denied: {say: No., goto: a}
  by_prefix:
    /ivr/a:
      denied: {dial: call_center}
menus:
  a:
    hangup: true
    errors: {denied: {say: No., dial: "+15555550111"}}
`,
			want: []string{
				`bad.yaml:5:28: errors.denied.goto: a denied error flow may not goto a menu: the caller a deny line refused would be refused again, forever; say something and hang up instead`,
				`bad.yaml:8:22: errors.by_prefix["/ivr/a"].denied.dial: warning: the denied flow answers callers a deny line refuses (a blocklist); dialing out connects them anyway: say something and hang up instead`,
				`bad.yaml:12:39: menus.a.errors.denied.dial: warning: the denied flow answers callers a deny line refuses (a blocklist); dialing out connects them anyway: say something and hang up instead`,
			},
		},
		{
			name: "a menu that does two things",
			given: `version: 1
start: a
menus:
  a: {dial: "+15555550111", hangup: true}
`,
			want: []string{`bad.yaml:4:37: menus.a.hangup: a menu does one thing after say, but this one sets both dial and hangup`},
		},
		{
			name: "a gather in a destination",
			given: `version: 1
start: a
menus:
  a:
    gather:
      options:
        "1": {gather: {options: {"1": a}}}
`,
			want: []string{`bad.yaml:7:23: menus.a.gather.options["1"].gather: only a menu can gather, not a destination; make this a menu of its own and goto it`},
		},
		{
			name: "a menu that does two things, one of them wrong",
			given: `version: 1
start: a
menus:
  a: {hangup: true, redirect: "ftp://x"}
`,
			want: []string{
				`bad.yaml:4:15: menus.a.hangup: a menu does one thing after say, but this one sets both redirect and hangup`,
				`bad.yaml:4:31: menus.a.redirect: must be an absolute http:// or https:// URL, or a path on this server such as /ivr/balance; got "ftp://x"`,
			},
		},
		{
			name: "option key that is the navigation key",
			given: `version: 1
start: a
navigation: {repeat: "*"}
menus:
  a:
    gather:
      options: {"*": {hangup: true}}
`,
			want: []string{`bad.yaml:7:17: menus.a.gather.options["*"]: option "*" is also the navigation key repeat`},
		},
		{
			name: "call_center dialled but not set",
			given: `version: 1
start: a
menus:
  a: {dial: call_center}
`,
			want: []string{`bad.yaml:4:13: menus.a.dial.number: dials call_center, but the flow sets no call_center`},
		},
		{
			name: "wrong version and bad base path",
			given: `version: 2
base_path: ivr/
start: a
menus:
  a: {hangup: true}
`,
			want: []string{
				`bad.yaml:1:10: version: must be 1; got 2`,
				`bad.yaml:2:12: base_path: must be a path such as /ivr: a leading "/", no trailing "/"; got "ivr/"`,
			},
		},
		{
			name: "menu name that is not a route",
			given: `version: 1
start: a
menus:
  a: {goto: "b c"}
  "b c": {hangup: true}
`,
			want: []string{`bad.yaml:5:3: menus["b c"]: must be letters, digits, "-" and "_", in segments joined by "/" (not ending in /gather, /dialed or /recorded); got "b c"`},
		},
		{
			name: "redirect that is not an http URL",
			given: `version: 1
start: a
menus:
  a: {redirect: "ftp://example.com/twiml"}
`,
			want: []string{`bad.yaml:4:17: menus.a.redirect: must be an absolute http:// or https:// URL, or a path on this server such as /ivr/balance; got "ftp://example.com/twiml"`},
		},
		{
			name: "prompt that is two things",
			given: `version: 1
start: a
menus:
  a:
    say: [{say: Hello, play: "https://example.com/a.mp3"}]
    hangup: true
`,
			want: []string{`bad.yaml:5:11: menus.a.say[0]: a prompt is one of say, play or pause, not several; use a list`},
		},
		{
			name: "a list where a mapping belongs",
			given: `version: 1
start: a
menus: [a, b]
`,
			want: []string{`bad.yaml:3:8: menus: must be a mapping, got a list`},
		},
		{
			name: "invalid YAML",
			given: `version: 1
start: a
menus:
  a: {hangup: true
`,
			want: []string{`bad.yaml:4: invalid YAML: did not find expected ',' or '}'`},
		},
		{
			name: "speech words for a DTMF gather",
			given: `version: 1
start: a
menus:
  a:
    gather:
      options: {"1": {hangup: true}}
      synonyms: {"1": [yes]}
`,
			want: []string{`bad.yaml:7:18: menus.a.gather.synonyms["1"]: synonyms are words for speech; set input to speech or both`},
		},
		{
			name: "retry count out of range",
			given: `version: 1
start: a
menus:
  a:
    gather:
      max_invalid: 11
      options: {"1": {hangup: true}}
`,
			want: []string{`bad.yaml:6:20: menus.a.gather.max_invalid: must be at most 10; got 11`},
		},
		{
			name: "alias inside its own anchor",
			given: `version: 1
start: a
menus:
  a: &x {dial: {number: "+15555550111", no_answer: *x}}
`,
			want: []string{`bad.yaml:4:52: menus.a.dial.no_answer: alias *x refers to a value that contains it`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, probs := Parse("bad.yaml", []byte(tt.given), grants)
			wantProblems(t, probs, tt.want)
			if (f == nil) != (probs.Err() != nil) {
				t.Errorf("flow = %v with Err() = %v; want a flow exactly when there are no errors", f != nil, probs.Err())
			}
		})
	}
}

// A menu whose TwiML would be over Twilio's 64 kB is refused when it loads, not when it is called.
func TestOversizedMenuIsRefused(t *testing.T) {
	given := "version: 1\nstart: a\nmenus:\n  a:\n    say: " + strings.Repeat("blah ", 14000) + "\n"
	_, probs := Parse("big.yaml", []byte(given), nil)
	want := "big.yaml:5:5: menus.a: renders to more than 65536 bytes of TwiML, Twilio's limit; shorten its prompts or options"
	if probs.String() != want {
		t.Errorf("problems:\n%s\nwant:\n%s", probs, want)
	}
}

func TestATypoDoesNotHideOtherMistakes(t *testing.T) {
	_, probs := Parse("f.yaml", []byte(`version: 1
call_center: "555-0100"
start: welcome
menus:
  welcome:
    gather:
      prompt: Press 1.
      colour: red
      options:
        "1": {goto: nowhere}
`), nil)
	want := []string{
		`f.yaml:2:14: call_center: must be an E.164 phone number: + then 8 to 15 digits, like +15555550100; got "555-0100"`,
		`f.yaml:8:7: menus.welcome.gather: unknown key "colour"`,
		`f.yaml:10:21: menus.welcome.gather.options["1"].goto: no menu is named "nowhere"`,
	}
	wantProblems(t, probs, want)
}

func TestWholeMenuPaths(t *testing.T) {
	for path, whole := range map[string]bool{
		"menus": true, "menus.sales": true, `menus["es/main"]`: true, `menus["a\"b"]`: true,
		"menus.sales.gather": false, `menus["es/main"].gather`: false, "start": false, "menusx": false,
	} {
		if got := wholeMenu.MatchString(path); got != whole {
			t.Errorf("wholeMenu(%s) = %v, want %v", path, got, whole)
		}
	}
}
