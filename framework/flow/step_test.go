package flow

import (
	"strings"
	"testing"
)

// stepSamples holds one step of every kind, with a fragment of the TwiML it renders as a menu's
// body and the edge target it draws. A kind added to the list without a sample here fails
// TestEveryKindRenders.
var stepSamples = map[Kind]struct {
	step  Step
	twiml string
	to    Target
}{
	KindGather:   {&Gather{Options: map[string]Action{"1": {Do: Goto("end")}}}, `<Gather action="/ivr/a/gather?i=0&amp;n=0"`, Target{TargetNode, "end"}},
	KindGoto:     {Goto("end"), `<Redirect>/ivr/end</Redirect>`, Target{TargetNode, "end"}},
	KindDial:     {&Dial{Number: "+15555550111", NoAnswer: &Action{Do: Goto("end")}}, `<Dial action="/ivr/a/dialed"><Number>+15555550111</Number></Dial>`, Target{TargetDial, "+15555550111"}},
	KindRecord:   {&Record{MaxLength: 30}, `<Record action="/ivr/a/recorded" maxLength="30"/>`, Target{TargetRecord, ""}},
	KindEnqueue:  {&Enqueue{Name: "sales"}, `<Enqueue>sales</Enqueue>`, Target{TargetQueue, "sales"}},
	KindRedirect: {Redirect("https://example.com/twiml"), `<Redirect>https://example.com/twiml</Redirect>`, Target{TargetRedirect, "https://example.com/twiml"}},
	KindHangup:   {Hangup{}, `<Hangup/>`, Target{TargetHangup, ""}},
	KindPIN: {&PIN{Secret: "staff", Grants: "staff", Then: &Action{Do: Goto("end")}},
		`<Gather action="/ivr/a/pin?a=0" timeout="5" finishOnKey="#"><Say>Please enter your PIN, then press pound.</Say></Gather><Redirect>/ivr/a/pin?a=0</Redirect>`, Target{TargetNode, "end"}},
	KindAgent: {&Agent{Relay: "wss://agent.example.com/relay", OnEnd: map[string]Action{"default": {Do: Goto("end")}}},
		`<Connect action="/ivr/a/agent"><ConversationRelay url="wss://agent.example.com/relay"><Parameter name="switchboard_menu" value="a"/><Parameter name="switchboard_state" value="switchboard-state-token"/></ConversationRelay></Connect>`,
		Target{TargetAgent, "wss://agent.example.com/relay"}},
	KindSwitch: {&Switch{On: "digits", Cases: []Case{{Is: "1", Then: &Action{Do: Goto("end")}}}, Default: &Action{Do: Hangup{}}},
		`<Hangup/>`, Target{TargetNode, "end"}},
}

// Every kind of step validates, compiles, renders as a menu's body and draws an edge: a kind
// added without its case in the validator, the compiler or the graph fails here.
func TestEveryKindRenders(t *testing.T) {
	for _, k := range Kinds() {
		t.Run(k.String(), func(t *testing.T) {
			sample, ok := stepSamples[k]
			if !ok {
				t.Fatalf("no sample of kind %s: add one here, and its case to the validator (checker.action), the compiler (nodeCompiler.step) and the graph (graph.action)", k)
			}
			if sample.step.Kind() != k {
				t.Fatalf("the sample of kind %s is a %s", k, sample.step.Kind())
			}
			f := &Flow{Version: 1, Start: "a", Entries: []string{"end"}, Agents: Agents{Hosts: []string{"agent.example.com"}}, Menus: map[string]*Node{
				"a":   {Action: Action{Say: Prompts{{Say: "Hi."}}, Do: sample.step}},
				"end": {Action: Action{Do: Hangup{}}},
			}}
			if probs := f.Validate(nil); len(probs) > 0 {
				t.Fatalf("the sample does not validate: %v", probs)
			}
			c, err := Compile(f, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := string(c.Route("/ivr/a").Respond(Input{}))
			if want := `<Say>Hi.</Say>` + sample.twiml; !strings.Contains(got, want) {
				t.Errorf("renders\n%s\nwant it to hold %s", got, want)
			}
			var drawn bool
			for _, e := range c.Edges() {
				drawn = drawn || e.From == (Target{TargetNode, "a"}) && e.To == sample.to
			}
			if !drawn {
				t.Errorf("no edge from a to %s in %v", sample.to, c.Edges())
			}
		})
	}
}

// A kind only a menu may take is refused in every destination, with the same message.
func TestMenuOnlyKindsAreRefusedInDestinations(t *testing.T) {
	for _, k := range Kinds() {
		if !k.MenuOnly() {
			continue
		}
		f := &Flow{Version: 1, Start: "a", Menus: map[string]*Node{
			"a": {Action: Action{Do: &Dial{Number: "+15555550111", NoAnswer: &Action{Do: stepSamples[k].step}}}},
		}}
		want := "menus.a.dial.no_answer." + k.String() + ": only a menu can " + k.String() + ", not a destination"
		if err := f.Validate(nil).Err(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s in a no_answer: got %v, want %s", k, err, want)
		}
	}
}

// The kinds are named by the keys that set them in a flow file, and only those parse.
func TestKindsAreNamedByTheirKeys(t *testing.T) {
	var names []string
	for _, k := range Kinds() {
		names = append(names, k.String())
		if got, ok := kindNamed(k.String()); !ok || got != k {
			t.Errorf("kindNamed(%q) = %v, %v", k, got, ok)
		}
	}
	if got := strings.Join(names, " "); got != "gather goto dial record enqueue redirect hangup pin agent switch" {
		t.Errorf("kinds %s", got)
	}
	if Kind(200).String() != "Kind(200)" {
		t.Errorf("an unknown kind is named %s", Kind(200))
	}
}

// A target prints as a diagram labels it: a node by its name, the rest in parentheses.
func TestTargetsPrintAsDiagramsLabelThem(t *testing.T) {
	for _, tt := range []struct {
		given Target
		want  string
	}{
		{Target{TargetNode, "es/main"}, "es/main"},
		{Target{TargetErrors, ""}, "(errors)"},
		{Target{TargetErrors, "/ivr/es"}, "(errors /ivr/es)"},
		{Target{TargetDial, "+15555550100"}, "(dial +15555550100)"},
		{Target{TargetRecord, ""}, "(record)"},
		{Target{TargetQueue, "support"}, "(queue support)"},
		{Target{TargetRedirect, "/ivr/balance"}, "(redirect /ivr/balance)"},
		{Target{TargetHangup, ""}, "(hangup)"},
		{Target{TargetAgent, "wss://agent.example.com/relay"}, "(agent wss://agent.example.com/relay)"},
		{Target{TargetKind(99), "x"}, "(TargetKind(99) x)"},
	} {
		if got := tt.given.String(); got != tt.want {
			t.Errorf("%#v prints %q, want %q", tt.given, got, tt.want)
		}
	}
}
