package twiml_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-ivr/switchboard/twiml"
)

func ExampleResponse_Render() {
	menu := twiml.Response{Verbs: []twiml.Verb{
		twiml.Gather{
			Action:    "/ivr/welcome/choice",
			NumDigits: 1,
			Prompts: []twiml.Prompt{
				twiml.Say{Text: "For sales press 1. For support press 2.", Voice: "Polly.Joanna"},
			},
		},
		twiml.Redirect{URL: "/ivr/welcome?retry=1"},
	}}
	b, err := menu.Render() // once, at start-up; serve b with twiml.ContentType
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/ivr/welcome/choice" numDigits="1"><Say voice="Polly.Joanna">For sales press 1. For support press 2.</Say></Gather><Redirect>/ivr/welcome?retry=1</Redirect></Response>
}

func ExampleResponse_AppendTo() {
	buf := make([]byte, 0, 1024) // reused across renders: no allocation once it is big enough
	for _, name := range []string{"Ada", "Grace"} {
		var err error
		buf, err = twiml.Response{Verbs: []twiml.Verb{twiml.Say{Text: "Hello " + name}}}.AppendTo(buf[:0])
		if err != nil {
			panic(err)
		}
		fmt.Println(string(buf))
	}
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?><Response><Say>Hello Ada</Say></Response>
	// <?xml version="1.0" encoding="UTF-8"?><Response><Say>Hello Grace</Say></Response>
}

func ExampleResponse_Render_empty() {
	b, _ := twiml.Response{}.Render()
	fmt.Println(string(b))
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?><Response/>
}

func ExampleResponse_Render_escaping() {
	b, _ := twiml.Response{Verbs: []twiml.Verb{
		// & and < are escaped; the NUL byte cannot be carried by XML 1.0 and becomes U+FFFD.
		twiml.Say{Text: "Ben & Jerry's <sale>\x00", Voice: `"quoted"`},
	}}.Render()
	fmt.Println(string(b))
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?><Response><Say voice="&quot;quoted&quot;">Ben &amp; Jerry's &lt;sale&gt;�</Say></Response>
}

func ExampleGather() {
	// A four-digit PIN: no key ends input early, and the prompt loops until the caller types.
	b, _ := twiml.Response{Verbs: []twiml.Verb{twiml.Gather{
		Action:        "/pin",
		NumDigits:     4,
		NoFinishOnKey: true,
		Prompts:       []twiml.Prompt{twiml.Say{Text: "Enter your PIN.", Loop: twiml.Forever}},
	}}}.Render()
	fmt.Println(string(b))
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/pin" numDigits="4" finishOnKey=""><Say loop="0">Enter your PIN.</Say></Gather></Response>
}

func ExampleDial() {
	b, _ := twiml.Response{Verbs: []twiml.Verb{
		twiml.Say{Text: "Connecting you now."},
		twiml.Dial{CallerID: "+15555550100", Timeout: 20, Nouns: []twiml.Noun{
			twiml.Number{Number: "+15555550111"},
			twiml.Client{Identity: "agent-7"},
		}},
	}}.Render()
	fmt.Println(string(b))
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?><Response><Say>Connecting you now.</Say><Dial timeout="20" callerId="+15555550100"><Number>+15555550111</Number><Client>agent-7</Client></Dial></Response>
}

func ExampleRecord() {
	b, _ := twiml.Response{Verbs: []twiml.Verb{
		twiml.Say{Text: "Leave a message after the tone."},
		twiml.Record{Action: "/voicemail/done", MaxLength: 120, Transcribe: true},
		twiml.Hangup{},
	}}.Render()
	fmt.Println(string(b))
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?><Response><Say>Leave a message after the tone.</Say><Record action="/voicemail/done" maxLength="120" transcribe="true"/><Hangup/></Response>
}

func ExampleErrTooLarge() {
	huge := twiml.Response{Verbs: []twiml.Verb{twiml.Say{Text: strings.Repeat("la ", twiml.MaxSize)}}}
	b, err := huge.Render()
	fmt.Println(len(b), errors.Is(err, twiml.ErrTooLarge))
	// Output:
	// 0 true
}

func ExampleErrInvalid() {
	_, err := twiml.Response{Verbs: []twiml.Verb{
		twiml.Gather{Prompts: []twiml.Prompt{twiml.Say{Voice: "alice"}}},
	}}.Render()
	fmt.Println(err)
	fmt.Println(errors.Is(err, twiml.ErrInvalid))
	// Output:
	// twiml: Verbs[0]: Gather.Prompts[0]: Say.Text is required: invalid TwiML
	// true
}

func ExampleConnect() {
	b, err := twiml.Response{Verbs: []twiml.Verb{twiml.Connect{
		Action: "/ivr/assistant/ended",
		Target: twiml.ConversationRelay{
			URL:             "wss://agent.example.com/relay",
			WelcomeGreeting: "Hi, how can I help?",
			Language:        "en-US",
			Parameters:      []twiml.Parameter{{Name: "topic", Value: "billing"}},
		},
	}}}.Render()
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?><Response><Connect action="/ivr/assistant/ended"><ConversationRelay url="wss://agent.example.com/relay" welcomeGreeting="Hi, how can I help?" language="en-US"><Parameter name="topic" value="billing"/></ConversationRelay></Connect></Response>
}

func ExampleStream() {
	b, err := twiml.Response{Verbs: []twiml.Verb{twiml.Connect{Target: twiml.Stream{
		URL:        "wss://agent.example.com/audio",
		Parameters: []twiml.Parameter{{Name: "caller", Value: "known"}},
	}}}}.Render()
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://agent.example.com/audio"><Parameter name="caller" value="known"/></Stream></Connect></Response>
}
