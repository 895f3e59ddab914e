package flow_test

import (
	"fmt"

	"github.com/switchboard-ivr/switchboard/framework/flow"
)

const exampleFlow = `version: 1
call_center: "+15555550100"
start: welcome
menus:
  welcome:
    gather:
      prompt: For sales press 1.
      options:
        "1": sales
      max_invalid: 2
  sales:
    dial: "+15555550111"
`

func ExampleParse() {
	f, probs := flow.Parse("example.yaml", []byte(exampleFlow), nil)
	if err := probs.Err(); err != nil {
		fmt.Println(err)
		return
	}
	c, err := flow.Compile(f, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	r := c.Route("/ivr/welcome/gather")
	fmt.Printf("%s\n", r.Respond(flow.Input{Digits: "1", Query: "i=0&n=0"}))
	fmt.Printf("%s\n", r.Respond(flow.Input{Digits: "7", Query: "i=1&n=0"}))
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?><Response><Redirect>/ivr/sales</Redirect></Response>
	// <?xml version="1.0" encoding="UTF-8"?><Response><Dial><Number>+15555550100</Number></Dial></Response>
}

func ExampleParse_problems() {
	_, probs := flow.Parse("menu.yaml", []byte(`version: 1
start: welcome
menus:
  welcome:
    dial: "555-0111"
    gather: {options: {"1": salse}}
`), nil)
	for _, p := range probs {
		fmt.Println(p)
	}
	// Output:
	// menu.yaml:5:11: menus.welcome.dial.number: must be "call_center" or an E.164 phone number: + then 8 to 15 digits, like +15555550100; got "555-0111"
	// menu.yaml:5:11: menus.welcome.dial: a menu does one thing after say, but this one sets both gather and dial
	// menu.yaml:6:29: menus.welcome.gather.options["1"].goto: no menu is named "salse"
}

func ExampleLoad() {
	f, probs := flow.Load("../../demo.yaml", &flow.Options{
		Grants: func(permission string) bool { return permission != "staff" }, // as if policy.csv had no "staff" line
	})
	fmt.Println(f != nil, probs)
	// Output:
	// true ../../demo.yaml:113:17: menus.staff.permission: warning: no line of the policy grants permission "staff": nobody can reach this menu
}

func ExampleFlow_Validate() {
	f := &flow.Flow{
		Version: 1,
		Start:   "welcome",
		Menus: map[string]*flow.Node{
			"welcome": {Action: flow.Action{Say: flow.Prompts{{Say: "Hello."}}, Do: flow.Goto("welcome")}},
		},
	}
	fmt.Println(f.Validate(nil))
	// Output:
	// menus.welcome.goto: menus "welcome" → "welcome" loop forever with no gather between them: Twilio would redirect without end
}

func ExampleCompile() {
	f := &flow.Flow{
		Version:    1,
		CallCenter: "+15555550100",
		Start:      "welcome",
		Menus: map[string]*flow.Node{
			"welcome": {Action: flow.Action{Do: &flow.Gather{
				Prompt:  flow.Prompts{{Say: "Press 1 for the front desk."}},
				Options: map[string]flow.Action{"1": {Do: &flow.Dial{Number: flow.CallCenter}}},
			}}},
		},
	}
	c, err := flow.Compile(f, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range c.Routes() {
		fmt.Println(r.Path, r.Permission)
	}
	fmt.Printf("%s\n", c.Route(c.Start()).Respond(flow.Input{}))
	// Output:
	// /ivr/welcome view
	// /ivr/welcome/gather view
	// <?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/ivr/welcome/gather?i=0&amp;n=0" timeout="5" numDigits="1"><Say>Press 1 for the front desk.</Say></Gather><Redirect>/ivr/welcome/gather?i=0&amp;n=0</Redirect></Response>
}

func ExampleCompiled_ErrorFlow() {
	f, _ := flow.Parse("example.yaml", []byte(exampleFlow), nil)
	c, _ := flow.Compile(f, nil)
	fmt.Printf("%s\n", c.ErrorFlow("/ivr/sales", flow.Forbidden))
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?><Response><Say>We're sorry, this line is not available to you.</Say><Dial><Number>+15555550100</Number></Dial></Response>
}

func ExampleCompiled_Edges() {
	f, _ := flow.Parse("example.yaml", []byte(exampleFlow), nil)
	c, _ := flow.Compile(f, nil)
	for _, e := range c.Edges() {
		fmt.Printf("%s -%s %s-> %s\n", e.From, e.Kind, e.Label, e.To)
	}
	// Output:
	// sales -goto -> (dial +15555550111)
	// welcome -option 1-> sales
	// welcome -invalid -> welcome
	// welcome -no_input -> welcome
	// welcome -exhausted -> (dial +15555550100)
}

// A public URL with a path (https://ivr.example.com/acme) behind a proxy that strips it: the
// routes stay under /ivr, and every URL the TwiML names starts with /acme.
func ExampleCompileOptions_uRLPrefix() {
	f, _ := flow.Parse("example.yaml", []byte(exampleFlow), nil)
	c, _ := flow.Compile(f, &flow.CompileOptions{URLPrefix: "/acme"})
	r := c.Route("/ivr/welcome/gather")
	fmt.Printf("%s\n", r.Respond(flow.Input{Digits: "1", Query: "i=0&n=0"}))
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?><Response><Redirect>/acme/ivr/sales</Redirect></Response>
}

// A forbidden flow that sends the caller back to the menu that refused them is refused, unless
// the policy (Options.Open) opens that menu to every caller.
func ExampleOptions_open() {
	const src = `version: 1
start: welcome
errors: {forbidden: {say: Sorry., redirect: /ivr/welcome}}
menus:
  welcome: {say: Hello., hangup: true}
`
	_, probs := flow.Parse("refusal.yaml", []byte(src), nil)
	fmt.Println(probs)
	open := func(route, permission string) bool { return route == "/ivr/welcome" }
	_, probs = flow.Parse("refusal.yaml", []byte(src), &flow.Options{Open: open})
	fmt.Println(len(probs), "problems")
	// Output:
	// refusal.yaml:3:45: errors.forbidden.redirect: a caller refused at "welcome" hears this flow, which leads back into a refusal ("welcome" → "welcome"), forever: dial or hang up instead, or go to a menu every caller may use
	// 0 problems
}

// Every kind of step, named by the key that sets it in a flow file.
func ExampleKinds() {
	for _, k := range flow.Kinds() {
		fmt.Println(k, k.MenuOnly())
	}
	// Output:
	// gather true
	// goto false
	// dial false
	// record false
	// enqueue false
	// redirect false
	// hangup false
	// pin true
	// agent true
	// switch true
}

func ExampleCompiled_Parent() {
	f, probs := flow.Parse("example.yaml", []byte(`version: 1
start: welcome
menus:
  welcome:
    gather:
      prompt: For sales press 1, for support press 2.
      options: {"1": sales, "2": support}
  sales:
    gather:
      prompt: For support press 1.
      options: {"1": support}
  support:
    say: Goodbye.
    hangup: true
`), nil)
	if err := probs.Err(); err != nil {
		fmt.Println(err)
		return
	}
	c, err := flow.Compile(f, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range []string{"welcome", "sales", "support"} {
		fmt.Printf("%s: %q\n", m, c.Parent(m))
	}
	// Output:
	// welcome: ""
	// sales: "welcome"
	// support: "welcome"
}

// A flow in two languages: the called number picks the first, an option switches it, and the
// URLs name it (l=) so that the call's next request is in it too.
func ExampleCompiled_CallLanguage() {
	f, probs := flow.Parse("menu.yaml", []byte(`version: 1
languages: {default: en-US, others: [es-MX], by_called: {"+15555550150": es-MX}}
defaults: {voice: Polly.Joanna, voices: {es-MX: Polly.Mia}}
start: welcome
menus:
  welcome:
    gather:
      prompt:
        - {en-US: Press 1 for sales., es-MX: Oprima 1 para ventas.}
        - {say: "Para español, oprima 9.", language: es-MX}
      options:
        "1": {say: {en-US: One moment., es-MX: Un momento.}, hangup: true}
        "9": {language: es-MX}
`), nil)
	if probs.Err() != nil {
		fmt.Println(probs)
		return
	}
	c, _ := flow.Compile(f, nil)
	fmt.Println(c.Languages(), c.InLanguage(c.CallLanguage("", "+15555550150")).Language())
	gather := c.Route("/ivr/welcome/gather")
	fmt.Printf("%s\n", gather.Respond(flow.Input{Digits: "9", Query: "i=0&n=0&l=en-US"}))
	fmt.Printf("%s\n", c.Route("/ivr/welcome").Respond(flow.Input{Called: "+15555550150"}))
	fmt.Printf("%s\n", c.InLanguage(1).ErrorFlow("/ivr/welcome", flow.NotFound))
	// Output:
	// [en-US es-MX] es-MX
	// <?xml version="1.0" encoding="UTF-8"?><Response><Redirect>/ivr/welcome?l=es-MX</Redirect></Response>
	// <?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/ivr/welcome/gather?i=0&amp;n=0&amp;l=es-MX" timeout="5" numDigits="1"><Say voice="Polly.Mia" language="es-MX">Oprima 1 para ventas.</Say></Gather><Redirect>/ivr/welcome/gather?i=0&amp;n=0&amp;l=es-MX</Redirect></Response>
	// <?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Mia" language="es-MX">Lo sentimos, esa opción no está disponible.</Say><Hangup/></Response>
}
