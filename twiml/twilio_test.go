package twiml_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/twiml"
	twilio "github.com/twilio/twilio-go/twiml"
)

// twilioDocuments builds, with twilio-go v1.31.0's twiml package, the same documents as
// documents in response_test.go, by name. differs, when set, says why the two disagree on
// purpose; the test then checks that they do disagree, so the note cannot go stale.
var twilioDocuments = map[string]struct {
	verbs   []twilio.Element
	differs string
}{
	"empty": {verbs: nil},
	"say":   {verbs: []twilio.Element{twilio.VoiceSay{Message: "Thanks for calling Acme.", Voice: "Polly.Joanna", Language: "en-US", Loop: "2"}}},
	// Forever is how we spell loop="0"; twilio-go takes the string.
	"say_forever": {verbs: []twilio.Element{twilio.VoiceSay{Message: "Please hold.", Loop: "0"}}},
	"say_as": {verbs: []twilio.Element{twilio.VoiceSay{Voice: "Polly.Joanna", Message: "We will call you back on ", InnerElements: []twilio.Element{
		twilio.VoiceSayAs{Words: "555 <0111> & \"co\"", InterpretAs: "telephone"},
		twilio.VoiceSayAs{Words: "12/25/2026", InterpretAs: "date", Format: "mdy"},
	}}}, differs: "twilio-go writes a <Say>'s text before all of its elements, so text cannot follow or sit between " +
		"<say-as> elements (' before ', '.'); Say.Parts keeps their order"},
	"say_as_alone": {verbs: []twilio.Element{twilio.VoiceSay{Voice: "Google.en-US-Standard-C", InnerElements: []twilio.Element{
		twilio.VoiceSayAs{Words: "20261225", InterpretAs: "date", Format: "yyyymmdd"},
	}}}, differs: "twilio-go v1.31.0 writes <SayAs interpretAs=…>, its Go names; Twilio documents SSML's " +
		"<say-as interpret-as=…> (the other helper libraries write that), which we write"},
	"play":        {verbs: []twilio.Element{twilio.VoicePlay{Url: "https://example.com/hold.mp3", Loop: "3"}}},
	"play_digits": {verbs: []twilio.Element{twilio.VoicePlay{Digits: "ww1234#", Loop: "2"}}},
	"pause":       {verbs: []twilio.Element{twilio.VoicePause{Length: "2"}}},
	"gather": {verbs: []twilio.Element{twilio.VoiceGather{
		Input:               "dtmf speech",
		Action:              "/ivr/welcome/choice?retry=1&lang=en",
		Method:              "POST",
		Timeout:             "7",
		NumDigits:           "1",
		FinishOnKey:         "*",
		SpeechTimeout:       "auto",
		SpeechModel:         "phone_call",
		Hints:               "sales, support, opening hours", // we take []string and join with ", "
		Language:            "en-GB",
		ActionOnEmptyResult: "true",
		ProfanityFilter:     "false",
		BargeIn:             "false",
		InnerElements: []twilio.Element{
			twilio.VoiceSay{Message: "For sales press 1.", Voice: "Polly.Joanna"},
			twilio.VoicePause{Length: "1"},
			twilio.VoicePlay{Url: "https://example.com/menu.mp3"},
		},
	}}},
	"gather_no_finish_on_key": {
		verbs: []twilio.Element{twilio.VoiceGather{NumDigits: "4", FinishOnKey: ""}},
		differs: `twilio-go drops every attribute whose value is "", so it cannot say finishOnKey="" ` +
			`(no key ends input, which a fixed-length PIN prompt wants); Gather.NoFinishOnKey can`,
	},
	"dial_number": {verbs: dialAllTwilio(twilio.VoiceNumber{PhoneNumber: "+15555550111", SendDigits: "ww42", Url: "/whisper", Method: "GET",
		StatusCallbackEvent: "initiated ringing answered completed", StatusCallback: "/callbacks/status", StatusCallbackMethod: "POST"})},
	"dial_client": {verbs: dialAllTwilio(twilio.VoiceClient{Identity: "agent-7", Url: "/whisper", Method: "POST"})},
	"dial_sip":    {verbs: dialAllTwilio(twilio.VoiceSip{SipUrl: "sip:agent@example.com;transport=tls", Username: "agent", Password: "p&ss\"word", Url: "/whisper", Method: "GET"})},
	"dial_queue":  {verbs: dialAllTwilio(twilio.VoiceQueue{Name: "support", Url: "/about-to-connect", Method: "POST"})},
	"dial_conference": {verbs: dialAllTwilio(twilio.VoiceConference{
		Name: "standup", Muted: "true", Beep: "onEnter", StartConferenceOnEnter: "false", EndConferenceOnExit: "true",
		WaitUrl: "https://example.com/wait", WaitMethod: "GET", MaxParticipants: "10",
	})},
	"redirect": {verbs: []twilio.Element{twilio.VoiceRedirect{Url: "/ivr/welcome?retry=2&from=menu", Method: "GET"}}},
	"record": {verbs: []twilio.Element{twilio.VoiceRecord{
		Action: "/voicemail/done", Method: "POST", Timeout: "10", FinishOnKey: "#", MaxLength: "120",
		PlayBeep: "false", Trim: "do-not-trim", Transcribe: "true", TranscribeCallback: "/voicemail/text",
		RecordingStatusCallback: "/voicemail/status",
	}}},
	"record_forever": {verbs: []twilio.Element{twilio.VoiceRecord{Timeout: "0"}}},
	"enqueue":        {verbs: []twilio.Element{twilio.VoiceEnqueue{Name: "support", Action: "/left-queue", Method: "POST", WaitUrl: "/hold-music", WaitUrlMethod: "GET"}}},
	"reject":         {verbs: []twilio.Element{twilio.VoiceReject{Reason: "busy"}}},
	"hangup":         {verbs: []twilio.Element{twilio.VoiceHangup{}}},
	"leave":          {verbs: []twilio.Element{twilio.VoiceLeave{}}},
	"connect_relay": {
		verbs: []twilio.Element{twilio.VoiceConnect{Action: "/ivr/assistant/ended?t=tok", Method: "POST", InnerElements: []twilio.Element{
			twilio.VoiceConversationRelay{
				Url: "wss://agent.example.com/relay", WelcomeGreeting: "Hi, I am the Acme assistant. How can I help?",
				WelcomeGreetingInterruptible: "speech", Language: "en-US", TtsLanguage: "en-US", TranscriptionLanguage: "en-US",
				TtsProvider: "ElevenLabs", Voice: "UgBBYS2sOqTuMpoF3BR0", TranscriptionProvider: "Deepgram", SpeechModel: "nova-3-general",
				ProfanityFilter: "false", DtmfDetection: "true", Interruptible: "any", Preemptible: "true", PartialPrompts: "true",
				Hints: "billing, Acme", InterruptSensitivity: "high", Debug: "debugging speaker-events", Speechtimeout: "800",
				ReportInputDuringAgentSpeech: "speech", IntelligenceService: "GAxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
				InnerElements: []twilio.Element{
					twilio.VoiceLanguage{Code: "es-MX", TtsProvider: "Google", Voice: "es-MX-Neural2-A", TranscriptionProvider: "Google", SpeechModel: "telephony"},
					twilio.VoiceParameter{Name: "state", Value: "tok&en"},
					twilio.VoiceParameter{Name: "topic", Value: "billing"},
				},
			},
		}}},
		differs: `twilio-go v1.31.0 writes speechTimeout as "speechtimeout" (its field is Speechtimeout), ` +
			`which Twilio does not read; we write the documented speechTimeout`,
	},
	"connect_relay_minimal": {verbs: []twilio.Element{twilio.VoiceConnect{InnerElements: []twilio.Element{
		twilio.VoiceConversationRelay{Url: "wss://agent.example.com/relay"},
	}}}},
	"connect_stream": {verbs: []twilio.Element{twilio.VoiceConnect{Action: "/ivr/assistant/ended", InnerElements: []twilio.Element{
		twilio.VoiceStream{Url: "wss://agent.example.com/audio", Name: "assistant", Track: "inbound_track",
			StatusCallback: "/stream/status", StatusCallbackMethod: "POST",
			InnerElements: []twilio.Element{twilio.VoiceParameter{Name: "state", Value: "tok"}}},
	}}}},
	"escaping": {verbs: []twilio.Element{
		twilio.VoiceSay{Message: `Tom & Jerry's <"best"> ]]> deals`, Voice: `a&b<c>d"e'f`},
		twilio.VoiceRedirect{Url: "/next?a=1&b=<2>"},
	}},
	"whitespace": {
		verbs: []twilio.Element{twilio.VoiceSay{Message: "line one\nline two\r\n\ttabbed", Voice: "tab\there\nnewline\rreturn"}},
		differs: "twilio-go writes tab, LF and CR raw, so a parser normalizes them away (to spaces in " +
			"attributes, CR to LF in text); we write character references and the values survive",
	},
	// etree, under twilio-go, also writes U+FFFD for what XML 1.0 cannot carry: we agree.
	"invalid_characters": {verbs: []twilio.Element{twilio.VoiceSay{Message: "bell\a nul\x00 bad\xff\xfe surrogate\xed\xa0\x80 nonchar\uFFFF kept\uFFFD", Language: "esc\x1b"}}},
	"menu": {verbs: []twilio.Element{
		twilio.VoiceSay{Message: "Thanks for calling Acme."},
		twilio.VoiceGather{Action: "/ivr/welcome/choice", NumDigits: "1", InnerElements: []twilio.Element{
			twilio.VoiceSay{Message: "For sales press 1. For support press 2."},
		}},
		twilio.VoiceRedirect{Url: "/ivr/welcome?retry=1"},
	}},
}

func dialAllTwilio(nouns ...twilio.Element) []twilio.Element {
	return []twilio.Element{twilio.VoiceDial{
		Action: "/dial/done", Method: "POST", Timeout: "20", CallerId: "+15555550100",
		Record: "record-from-answer", AnswerOnBridge: "true", TimeLimit: "600", HangupOnStar: "true",
		RingTone: "us", InnerElements: nouns,
	}}
}

func TestRenderAgreesWithTwilioGo(t *testing.T) {
	for _, tc := range documents {
		t.Run(tc.name, func(t *testing.T) {
			theirs, ok := twilioDocuments[tc.name]
			if !ok {
				t.Fatalf("no twilio-go counterpart for %q: add one to twilioDocuments", tc.name)
			}
			ourXML := render(t, tc.doc)
			ourTree, err := parseTree(ourXML)
			if err != nil {
				t.Fatalf("our output does not parse: %v\n%s", err, ourXML)
			}
			theirXML, err := twilio.Voice(theirs.verbs)
			if err != nil {
				t.Fatalf("twilio.Voice: %v", err)
			}
			theirTree, theirErr := parseTree([]byte(theirXML))
			if theirs.differs != "" {
				if theirErr == nil && theirTree == ourTree {
					t.Fatalf("documented difference is gone (%s); both render\n%s", theirs.differs, ourTree)
				}
				t.Skipf("differs on purpose: %s", theirs.differs)
			}
			if theirErr != nil {
				t.Fatalf("twilio-go output does not parse: %v\n%s", theirErr, theirXML)
			}
			if ourTree != theirTree {
				t.Errorf("trees differ\nours:\n%s\ntwilio-go:\n%s\nour bytes:   %s\ntheir bytes: %s", ourTree, theirTree, ourXML, theirXML)
			}
		})
	}
	for name := range twilioDocuments {
		if !slices.ContainsFunc(documents, func(d struct {
			name string
			doc  twiml.Response
		}) bool {
			return d.name == name
		}) {
			t.Errorf("twilioDocuments[%q] has no document of ours", name)
		}
	}
}

// parseTree parses a TwiML document with encoding/xml and writes it back as a canonical tree, one
// element per line: its name, its attributes sorted by name (twilio-go's order is random), and
// its text. The XML declaration is kept as the first line.
func parseTree(doc []byte) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	var b strings.Builder
	type open struct {
		line  string
		text  strings.Builder
		kids  []string
		depth int
	}
	var stack []*open
	var root string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		switch tok := tok.(type) {
		case xml.ProcInst:
			fmt.Fprintf(&b, "<?%s %s?>\n", tok.Target, tok.Inst)
		case xml.StartElement:
			attrs := make([]string, len(tok.Attr))
			for i, a := range tok.Attr {
				attrs[i] = fmt.Sprintf("%s=%q", a.Name.Local, a.Value)
			}
			slices.Sort(attrs)
			stack = append(stack, &open{line: tok.Name.Local + " " + strings.Join(attrs, " "), depth: len(stack)})
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(tok)
			}
		case xml.EndElement:
			e := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			s := strings.Repeat("  ", e.depth) + e.line + fmt.Sprintf(" text=%q\n", e.text.String()) + strings.Join(e.kids, "")
			if len(stack) == 0 {
				root = s
			} else {
				stack[len(stack)-1].kids = append(stack[len(stack)-1].kids, s)
			}
		}
	}
	return b.String() + root, nil
}
