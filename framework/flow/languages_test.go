package flow

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// verbsOf parses a TwiML document into one line per element that a caller hears or that leads
// on: `Say es-MX: Hola`, `Redirect /ivr/menu?l=es-MX`, `Gather /ivr/menu/gather?…`, `Connect …`.
func verbsOf(t *testing.T, doc []byte) []string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(string(doc)))
	var out []string
	var open string
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("not XML: %v\n%s", err, doc)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			open = e.Name.Local
			for _, a := range e.Attr {
				switch {
				case a.Name.Local == "action":
					out = append(out, open+" "+a.Value)
				case open == "ConversationRelay" && a.Name.Local == "welcomeGreeting":
					out = append(out, "Welcome: "+a.Value)
				case open == "ConversationRelay" && a.Name.Local == "language":
					out = append(out, "Relay "+a.Value)
				}
			}
			if open == "Say" {
				lang := ""
				for _, a := range e.Attr {
					if a.Name.Local == "language" {
						lang = a.Value
					}
				}
				open = "Say " + lang
			}
		case xml.CharData:
			if s := strings.TrimSpace(string(e)); s != "" && (strings.HasPrefix(open, "Say") || open == "Redirect") {
				if open == "Redirect" {
					out = append(out, "Redirect "+s)
				} else {
					out = append(out, open+": "+s)
				}
			}
		case xml.EndElement:
			open = ""
		}
	}
}

func languagesFlow(t *testing.T) *Compiled {
	t.Helper()
	return loadFile(t, "testdata/languages.yaml")
}

func hears(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("caller hears:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// Pressing 9 switches the call to Spanish: the option's redirect names es-MX, and from there on
// every document is in Spanish, and every URL in it names es-MX, so the next request is too.
func TestALanguageSwitchHoldsForTheRestOfTheCall(t *testing.T) {
	c := languagesFlow(t)
	gather := c.Route("/ivr/menu/gather")
	hears(t, verbsOf(t, gather.Respond(Input{Digits: "9", Query: "i=0&n=0&l=en-US"})), "Redirect /ivr/menu?l=es-MX")
	hears(t, verbsOf(t, c.Route("/ivr/menu").Respond(Input{Query: "l=es-MX"})),
		"Say es-MX: Gracias por llamar.",
		"Gather /ivr/menu/gather?i=0&n=0&l=es-MX",
		"Say es-MX: Para ventas oprima 1. Para el asistente oprima 2.", // not "Para español…": the call is in Spanish
		"Redirect /ivr/menu/gather?i=0&n=0&l=es-MX")
	hears(t, verbsOf(t, gather.Respond(Input{Digits: "1", Query: "i=0&n=0&l=es-MX"})), "Redirect /ivr/sales?l=es-MX")
	hears(t, verbsOf(t, c.Route("/ivr/sales").Respond(Input{Query: "l=es-MX"})),
		"Say es-MX: Le comunicamos con ventas.", "Dial /ivr/sales/dialed?l=es-MX")
	hears(t, verbsOf(t, c.Route("/ivr/sales/dialed").Respond(Input{DialCallStatus: "busy", Query: "l=es-MX"})), "Say es-MX: Nadie contestó.")
	// A switch with say and goto: the say is in the new language, and so is the menu it goes to.
	hears(t, verbsOf(t, gather.Respond(Input{Digits: "7", Query: "i=0&n=0&l=es-MX"})), "Say fr-CA: Français.", "Redirect /ivr/sales?l=fr-CA")
	// Back to English: the explicit choice is in the URL too.
	hears(t, verbsOf(t, gather.Respond(Input{Digits: "8", Query: "i=0&n=0&l=es-MX"})), "Redirect /ivr/menu?l=en-US")
}

// The called number picks the language of a request whose URL names none (the call's first), and
// an explicit language in the URL wins over it (a caller who chose English stays in English).
func TestByCalledPicksTheLanguageAtEntry(t *testing.T) {
	c := languagesFlow(t)
	entry := c.Route("/ivr/menu")
	for _, tc := range []struct {
		name  string
		given Input
		want  string
	}{
		{"the Spanish number", Input{Called: "+15555550150"}, "Say es-MX: Gracias por llamar."},
		{"another number", Input{Called: "+15555550100"}, "Say en-US: Thanks for calling."},
		{"the Spanish number, after the caller chose English", Input{Called: "+15555550150", Query: "l=en-US"}, "Say en-US: Thanks for calling."},
		{"a language the flow does not speak", Input{Query: "l=de-DE"}, "Say en-US: Thanks for calling."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := verbsOf(t, entry.Respond(tc.given)); got[0] != tc.want {
				t.Errorf("first verb %q, want %q", got[0], tc.want)
			}
		})
	}
	if got := c.InLanguage(c.CallLanguage("", "+15555550150")).Language(); got != "es-MX" {
		t.Errorf("CallLanguage for the Spanish number = %s", got)
	}
	// A call in the default language carries no language, so no state; one that chose it on the
	// Spanish number carries it in every URL, so that by_called does not take it back.
	hears(t, verbsOf(t, entry.Respond(Input{Called: "+15555550100"}))[1:2], "Gather /ivr/menu/gather?i=0&n=0")
	hears(t, verbsOf(t, entry.Respond(Input{Called: "+15555550150", Query: "l=en-US"}))[1:2], "Gather /ivr/menu/gather?i=0&n=0&l=en-US")
	if err := entry.CheckState(""); err != nil || !entry.ZeroState("") || entry.ZeroState("l=en-US") {
		t.Error("a URL without a language is the first state; one with a language is not")
	}
}

// Error flows, built-in texts and PIN prompts follow the call's language; a built-in text has
// Spanish and French wording.
func TestErrorFlowsAndBuiltInTextsFollowTheCallsLanguage(t *testing.T) {
	c := languagesFlow(t)
	es := c.InLanguage(c.CallLanguage("l=es-MX", ""))
	hears(t, verbsOf(t, es.ErrorFlow("/ivr/nowhere", NotFound)), "Say es-MX: Esa opción no está disponible.", "Redirect /ivr/menu?l=es-MX")
	hears(t, verbsOf(t, es.ErrorFlow("/ivr/menu", Internal)), "Say es-MX: Lo sentimos, algo salió mal.")
	fr := c.InLanguage(c.CallLanguage("l=fr-CA", ""))
	hears(t, verbsOf(t, fr.ErrorFlow("/ivr/menu", NotFound)), "Say fr-CA: Cette option n'est pas disponible.", "Redirect /ivr/menu?l=fr-CA")
	hears(t, verbsOf(t, c.ErrorFlow("/ivr/menu", Internal)), "Say en-US: We're sorry, something went wrong.")
	hears(t, verbsOf(t, c.Route("/ivr/staff").Respond(Input{Query: "l=es-MX"})),
		"Gather /ivr/staff/pin?a=0&l=es-MX", "Say es-MX: Por favor, marque su PIN y luego la tecla de número.", "Redirect /ivr/staff/pin?a=0&l=es-MX")
	hears(t, verbsOf(t, c.Route("/ivr/menu/gather").Respond(Input{Digits: "5", Query: "i=0&n=0&l=fr-CA"}))[:1], "Say fr-CA: Désolé, ce choix n'est pas valide.")
}

// The agent hears the call's language and its welcome is translated; a failed session connects
// once more, and a second failure is the internal error flow, the count sealed in the URL.
func TestAFailedAgentSessionIsRetriedOnceThenTheInternalFlow(t *testing.T) {
	c := languagesFlow(t)
	hears(t, verbsOf(t, c.Route("/ivr/assistant").Respond(Input{Query: "l=es-MX"})),
		"Connect /ivr/assistant/agent?l=es-MX", "Welcome: ¡Hola! ¿En qué le ayudo?", "Relay es-MX")
	ret := c.Route("/ivr/assistant/agent")
	hears(t, verbsOf(t, ret.Respond(Input{SessionStatus: SessionFailed, Query: "l=es-MX"})),
		"Connect /ivr/assistant/agent?r=1&l=es-MX", "Welcome: ¡Hola! ¿En qué le ayudo?", "Relay es-MX")
	hears(t, verbsOf(t, ret.Respond(Input{SessionStatus: SessionFailed, Query: "r=1&l=es-MX"})), "Say es-MX: Lo sentimos, algo salió mal.")
	if err := ret.CheckState("r=1&l=es-MX"); err != nil {
		t.Errorf("the retry's own URL is refused: %v", err)
	}
	if err := ret.CheckState("r=2"); !errors.Is(err, ErrState) {
		t.Errorf("r=2, never emitted, is accepted: %v", err)
	}
	if !ret.HandsOff() || !ret.ReadsState() || ret.ZeroState("r=1") || ret.ZeroState("l=es-MX") {
		t.Error("the agent route must hand off, read its state, and count r=1 or a language as beyond the first")
	}
}

// A node with on_error goes there at the first failure: there is no retry to count.
func TestAnAgentWithOnErrorIsNotRetried(t *testing.T) {
	c := loadFile(t, "testdata/kinds.yaml")
	ret := c.Route("/ivr/assistant/agent")
	if got := verbsOf(t, ret.Respond(Input{SessionStatus: SessionFailed})); len(got) == 0 || strings.HasPrefix(got[0], "Connect") {
		t.Errorf("a failed session with on_error hears %v", got)
	}
	if err := ret.CheckState("r=1"); !errors.Is(err, ErrState) {
		t.Errorf("r=1 on a route that never retries is accepted: %v", err)
	}
}

// A say without a translation into one of languages.others loads, with one warning at its
// file:line:col naming the languages that hear the default's text; a say pinned to a language
// of its own, a play and a pause are not warned about.
func TestMissingTranslationsAreWarningsAtTheirPositions(t *testing.T) {
	src := `version: 1
languages: {default: en-US, others: [es-MX, fr-CA]}
start: a
agents: {hosts: [agent.example.com]}
menus:
  a:
    say: Hello.
    gather:
      prompt:
        - {en-US: Press 1., es-MX: Oprima 1.}
        - {say: "Para español, oprima 9.", language: es-MX}
        - {play: "https://example.com/chime.mp3"}
      options:
        "1": {say: {en-US: Bye., es-MX: Adiós., fr-CA: Au revoir.}, hangup: true}
        "2": b
        "9": {language: es-MX}
        "7": {say: {es-MX: Muy bien.}, language: es-MX, goto: b}
  b:
    agent:
      relay: wss://agent.example.com/relay
      welcome: {en-US: Hi., fr-CA: Salut.}
      on_end: {default: a}
errors:
  not_found: {say: Not here., goto: a}
`
	f, probs := Parse("w.yaml", []byte(src), nil)
	if f == nil {
		t.Fatalf("warnings alone refused the flow: %v", probs)
	}
	want := []string{
		"w.yaml:7:10: menus.a.say[0].say: warning: no es-MX, fr-CA translation: callers in es-MX, fr-CA hear the en-US text",
		"w.yaml:10:11: menus.a.gather.prompt[0].say: warning: no fr-CA translation: callers in fr-CA hear the en-US text",
		"w.yaml:21:16: menus.b.agent.welcome: warning: no es-MX translation: callers in es-MX hear the en-US text",
		"w.yaml:24:20: errors.not_found.say[0].say: warning: no es-MX, fr-CA translation: callers in es-MX, fr-CA hear the en-US text",
	}
	wantProblems(t, probs, want)
	if len(probs.Warnings()) != len(want) || probs.Err() != nil {
		t.Errorf("want %d warnings and no error, got %v", len(want), probs)
	}
	// A missing translation is spoken in the default language's words and voice.
	c, err := Compile(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	hears(t, verbsOf(t, c.Route("/ivr/a").Respond(Input{Query: "l=fr-CA"}))[:2], "Say en-US: Hello.", "Gather /ivr/a/gather?i=0&n=0&l=fr-CA")
}

// Translations into languages the flow does not declare, a say with no default text, and
// languages that name none of the flow's are errors, each at its position.
func TestUndeclaredLanguagesAreErrorsAtTheirPositions(t *testing.T) {
	src := `version: 1
languages:
  default: en-US
  others: [es-MX, es-MX]
  by_called: {"+15555550150": fr-CA, "555": es-MX}
defaults: {language: en-GB, voices: {de-DE: Polly.Vicki}}
start: a
menus:
  a:
    say: {es-MX: Hola., de-DE: Hallo.}
    gather:
      prompt: {say: {en-US: Press 1., "x y": z}}
      options:
        "1": {language: it-IT}
        "2": {say: Hello., language: es-MX, goto: a}
`
	_, probs := Parse("e.yaml", []byte(src), nil)
	want := []string{
		`e.yaml:4:19: languages.others[1]: es-MX is listed twice (or is the default)`,
		`e.yaml:5:31: languages.by_called["+15555550150"]: fr-CA is not among the flow's languages (the flow's languages are en-US, es-MX)`,
		`e.yaml:5:38: languages.by_called["555"]: must be an E.164 phone number: + then 8 to 15 digits, like +15555550100; got "555"`,
		`e.yaml:6:22: defaults.language: is en-GB but languages.default is en-US: leave defaults.language out`,
		`e.yaml:6:38: defaults.voices["de-DE"]: de-DE is not among the flow's languages (the flow's languages are en-US, es-MX)`,
		`e.yaml:10:10: menus.a.say[0].say: has no en-US text: every say needs the default language's, which callers hear when their language has none`,
		`e.yaml:10:25: menus.a.say[0].say["de-DE"]: de-DE is not among the flow's languages (the flow's languages are en-US, es-MX)`,
		`e.yaml:12:39: menus.a.gather.prompt[0].say["x y"]: must be a language tag such as en-US, es-MX or fr (a translated text maps each language to its text); got "x y"`,
		`e.yaml:14:25: menus.a.gather.options["1"].language: it-IT is not among the flow's languages (the flow's languages are en-US, es-MX)`,
		`e.yaml:15:20: menus.a.gather.options["2"].say[0].say: has no es-MX text: this destination switches the call to es-MX before it speaks`,
	}
	wantProblems(t, probs, want)
}

// A prompt can be translated and templated at once: each language renders its own text's
// variables, and a say with variables only in its Spanish text makes the route dynamic.
func TestATranslatedPromptRendersItsOwnLanguagesVariables(t *testing.T) {
	src := `version: 1
languages: {default: en-US, others: [es-MX]}
variables:
  name: {default: customer}
start: hello
menus:
  hello:
    say: {en-US: "Hello {{ .name }}.", es-MX: "Hola {{ .name }}."}
    gather:
      prompt: {en-US: Press 1., es-MX: "Oprima 1, {{ .name }}."}
      options: {"1": hello}
`
	c := compileText(t, "t.yaml", src)
	r := c.Route("/ivr/hello")
	if !r.Dynamic() {
		t.Fatal("a route with templates is not dynamic")
	}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"Say en-US: Hello Ana.", "Gather /ivr/hello/gather?i=0&n=0", "Say en-US: Press 1."}},
		{"l=es-MX", []string{"Say es-MX: Hola Ana.", "Gather /ivr/hello/gather?i=0&n=0&l=es-MX", "Say es-MX: Oprima 1, Ana."}},
	} {
		b, err := r.Answer(Input{Query: tc.query, Vars: map[string]string{"name": "Ana"}})
		if err != nil {
			t.Fatalf("%q: %v", tc.query, err)
		}
		hears(t, verbsOf(t, b)[:3], tc.want...)
	}
}

// A translation that renders past Twilio's limit is refused when the flow loads, as the
// default language's text would be.
func TestAnOversizedTranslationIsRefused(t *testing.T) {
	src := "version: 1\nlanguages: {default: en-US, others: [es-MX]}\nstart: a\nmenus:\n  a:\n    say: {en-US: Hi., es-MX: \"" +
		strings.Repeat("Hola. ", 12000) + "\"}\n    hangup: true\n"
	_, probs := Parse("big.yaml", []byte(src), nil)
	if probs.Err() == nil || !strings.Contains(probs.Err().Error(), "renders to more than 65536 bytes") {
		t.Errorf("an oversized Spanish text loads: %v", probs)
	}
}

// A language switch with no step re-enters a menu, so a denied flow may not take one, as it may
// not goto one; and a forbidden flow that switches and re-enters a refusing menu is a refusal
// loop.
func TestASwitchThatReEntersAMenuIsAGotoForErrorFlows(t *testing.T) {
	src := `version: 1
languages: {default: en-US, others: [es-MX]}
start: a
menus:
  a:
    permission: staff
    say: {en-US: Hi., es-MX: Hola.}
    hangup: true
errors:
  denied: {say: {en-US: No., es-MX: No.}, language: es-MX}
  forbidden: {language: es-MX}
`
	_, probs := Parse("d.yaml", []byte(src), nil)
	all := problemText(probs)
	if !strings.Contains(all, "d.yaml:10:53: errors.denied.language: a denied error flow may not switch the language and re-enter a menu") {
		t.Errorf("the denied flow's switch is not refused:\n%s", all)
	}
	if !strings.Contains(all, "errors.forbidden") {
		t.Errorf("the forbidden flow's switch back into the refusing menu is not refused:\n%s", all)
	}
}

// A misspelt tag in a translation is named as one, with the tag it stands for, wherever a
// prompt goes: beside a good tag, a key that is no tag does not turn the translation into a
// prompt of unknown keys ("unknown key \"en-US\"").
func TestAMisspeltTagIsNamedWithItsSuggestion(t *testing.T) {
	src := `version: 1
languages: {default: en-US, others: [es-MX]}
start: a
menus:
  a:
    say: {en-US: Hello., es-MS: Hola.}
    gather:
      prompt: {en-US: Press 1., es-mx: Oprima 1.}
      options: {"1": {say: Bye., hangup: true}}
      no_input: {en-US: "Are you there?", es_MX: "¿Sigue ahí?"}
`
	_, probs := Parse("e.yaml", []byte(src), nil)
	want := []string{
		`e.yaml:6:10: menus.a.say[0].say: warning: no es-MX translation: callers in es-MX hear the en-US text`,
		`e.yaml:6:26: menus.a.say[0].say["es-MS"]: es-MS is not among the flow's languages (did you mean "es-MX"? the flow's languages are en-US, es-MX)`,
		`e.yaml:8:33: menus.a.gather.prompt[0].say["es-mx"]: must be a language tag such as en-US, es-MX or fr (a translated text maps each language to its text); got "es-mx" (did you mean "es-MX"?)`,
		`e.yaml:9:28: menus.a.gather.options["1"].say[0].say: warning: no es-MX translation: callers in es-MX hear the en-US text`,
		`e.yaml:10:43: menus.a.gather.no_input[0].say.es_MX: must be a language tag such as en-US, es-MX or fr (a translated text maps each language to its text); got "es_MX" (did you mean "es-MX"?)`,
	}
	wantProblems(t, probs, want)
}

// A destination that switches language may say its text in the new language only (the README's
// {say: {fr-CA: Très bien.}, language: fr-CA, goto: sales}): the caller hears it, in that
// language, before going on; it was once dropped for want of a default-language text.
func TestASayOnlyInTheNewLanguageIsHeard(t *testing.T) {
	src := `version: 1
languages: {default: en-US, others: [fr-CA]}
defaults: {voices: {fr-CA: Polly.Chantal}}
start: menu
menus:
  menu:
    gather:
      prompt: Press 7.
      options:
        "7": {say: {fr-CA: Très bien.}, language: fr-CA, goto: sales}
        "8": {say: {fr-CA: D'accord.}, language: fr-CA}
  sales:
    say: {en-US: Sales., fr-CA: Ventes.}
    hangup: true
`
	c := compileText(t, "f.yaml", src)
	gather := c.Route("/ivr/menu/gather")
	hears(t, verbsOf(t, gather.Respond(Input{Digits: "7", Query: "i=0&n=0"})), "Say fr-CA: Très bien.", "Redirect /ivr/sales?l=fr-CA")
	hears(t, verbsOf(t, gather.Respond(Input{Digits: "8", Query: "i=0&n=0"})), "Say fr-CA: D'accord.", "Redirect /ivr/menu?l=fr-CA")
}

// A translation in a flow that declares no languages is one problem, saying what to add, not one
// more for each of its tags.
func TestATranslationWithoutLanguagesIsOneProblem(t *testing.T) {
	src := "version: 1\nstart: a\nmenus:\n  a:\n    say: {en-US: Hello., es-MX: Hola.}\n    hangup: true\n"
	_, probs := Parse("f.yaml", []byte(src), nil)
	want := `f.yaml:5:10: menus.a.say[0].say: a say by language needs the flow's languages: add languages: {default: …, others: […]}`
	if got := probs.String(); got != want {
		t.Errorf("problems:\n%s\nwant:\n%s", got, want)
	}
}

// A language switch's edge names the language, so a diagram can say "9 → es-MX": the switch
// with no step on its loop back to the menu, the switch with a goto on that goto's edge, and no
// other edge.
func TestALanguageSwitchsEdgeNamesTheLanguage(t *testing.T) {
	c := loadFile(t, "testdata/languages.yaml")
	menu := Target{TargetNode, "menu"}
	want := map[string]Edge{
		"7": {From: menu, To: Target{TargetNode, "sales"}, Label: "7", Kind: EdgeOption, Language: "fr-CA"},
		"8": {From: menu, To: menu, Label: "8", Kind: EdgeOption, Language: "en-US"},
		"9": {From: menu, To: menu, Label: "9", Kind: EdgeOption, Language: "es-MX"},
	}
	for _, e := range c.Edges() {
		w, switches := want[e.Label]
		if e.From != menu || e.Kind != EdgeOption || !switches {
			if e.Language != "" {
				t.Errorf("edge %v → %v (%s %q) switches to %s; only options 7, 8 and 9 switch", e.From, e.To, e.Kind, e.Label, e.Language)
			}
			continue
		}
		if e != w {
			t.Errorf("option %s's edge is %+v, want %+v", e.Label, e, w)
		}
		delete(want, e.Label)
	}
	for key := range want {
		t.Errorf("no edge for option %s", key)
	}
}

// An agent's voice and tts_provider by language name declared languages only, at their
// positions; on a stream, which speaks nothing, they are refused as the plain ones are.
func TestAnAgentsVoiceByLanguageNamesDeclaredLanguages(t *testing.T) {
	src := `version: 1
languages: {default: en-US, others: [es-MX]}
agents: {hosts: [agent.example.com]}
start: a
menus:
  a:
    agent:
      relay: wss://agent.example.com/relay
      welcome: {en-US: Hi., es-MX: Hola.}
      voice: {en-US: Joanna, es-MX: Mia, de-DE: Vicki}
      tts_provider: {es-MX: Google, fr-CA: Amazon}
      on_end: {default: b}
  b:
    agent:
      stream: wss://agent.example.com/stream
      voice: {es-MX: Mia}
      on_end: {default: a}
`
	_, probs := Parse("v.yaml", []byte(src), nil)
	want := []string{
		`v.yaml:10:42: menus.a.agent.voice["de-DE"]: de-DE is not among the flow's languages (the flow's languages are en-US, es-MX)`,
		`v.yaml:11:37: menus.a.agent.tts_provider["fr-CA"]: fr-CA is not among the flow's languages (the flow's languages are en-US, es-MX)`,
		`v.yaml:16:14: menus.b.agent.voice: voice applies to relay only: a stream carries raw audio`,
	}
	wantProblems(t, probs, want)
}

func TestZeroStateReadsTheFirstOfEachKey(t *testing.T) {
	var r Route
	for _, tc := range []struct {
		query string
		want  bool
	}{
		{"", true},
		{"i=0&n=0", true},
		{"i=0&n=1", false},
		{"s=2", false},
		{"a=1", false},
		{"r=1", false},
		{"l=es-MX", false},
		{"l=", true},
		{"i=0&i=3", true},      // only the first i= counts, as queryValue reads it
		{"i=3&i=0", false},     // ...both ways
		{"l=&l=es-MX", true},   // the first l= is empty
		{"i", true},            // a key without '=' is no count
		{"i=x&n=0", true},      // not a number: no count above zero
		{"i=01", false},        // as queryInt reads it
		{"i=12345", true},      // five digits are no count
		{"x=5&ii=3&t=1", true}, // other keys do not matter
	} {
		if got := r.ZeroState(tc.query); got != tc.want {
			t.Errorf("ZeroState(%q) = %v, want %v", tc.query, got, tc.want)
		}
	}
}
