package twiml_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/twiml"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ with the current output")

// documents holds one document per verb and noun with every attribute set, plus the edge cases
// worth a golden file. Each is rendered to testdata/<name>.xml; twilio_test.go renders the same
// documents with twilio-go.
var documents = []struct {
	name string
	doc  twiml.Response
}{
	{"empty", twiml.Response{}},
	{"say", doc(twiml.Say{Text: "Thanks for calling Acme.", Voice: "Polly.Joanna", Language: "en-US", Loop: 2})},
	{"say_forever", doc(twiml.Say{Text: "Please hold.", Loop: twiml.Forever})},
	{"say_as", doc(twiml.Say{Voice: "Polly.Joanna", Parts: []twiml.SayPart{
		{Text: "We will call you back on "},
		{Text: "555 <0111> & \"co\"", As: twiml.AsTelephone},
		{Text: " before "},
		{Text: "12/25/2026", As: twiml.AsDate, Format: twiml.MDY},
		{Text: "."},
	}})},
	{"say_as_alone", doc(twiml.Say{Voice: "Google.en-US-Standard-C", Parts: []twiml.SayPart{{Text: "20261225", As: twiml.AsDate, Format: twiml.YYYYMMDD}}})},
	{"play", doc(twiml.Play{URL: "https://example.com/hold.mp3", Loop: 3})},
	{"play_digits", doc(twiml.Play{Digits: "ww1234#", Loop: 2})},
	{"pause", doc(twiml.Pause{Length: 2})},
	{"gather", doc(twiml.Gather{
		Input:               "dtmf speech",
		Action:              "/ivr/welcome/choice?retry=1&lang=en",
		Method:              "POST",
		Timeout:             7,
		NumDigits:           1,
		FinishOnKey:         "*",
		SpeechTimeout:       "auto",
		SpeechModel:         "phone_call",
		Hints:               []string{"sales", "support", "opening hours"},
		Language:            "en-GB",
		ActionOnEmptyResult: true,
		NoProfanityFilter:   true,
		NoBargeIn:           true,
		Prompts: []twiml.Prompt{
			twiml.Say{Text: "For sales press 1.", Voice: "Polly.Joanna"},
			twiml.Pause{Length: 1},
			twiml.Play{URL: "https://example.com/menu.mp3"},
		},
	})},
	{"gather_no_finish_on_key", doc(twiml.Gather{NumDigits: 4, NoFinishOnKey: true})},
	{"dial_number", doc(dialAll(twiml.Number{Number: "+15555550111", SendDigits: "ww42", URL: "/whisper", Method: "GET",
		StatusCallbackEvent: "initiated ringing answered completed", StatusCallback: "/callbacks/status", StatusCallbackMethod: "POST"}))},
	{"dial_client", doc(dialAll(twiml.Client{Identity: "agent-7", URL: "/whisper", Method: "POST"}))},
	{"dial_sip", doc(dialAll(twiml.Sip{URI: "sip:agent@example.com;transport=tls", Username: "agent", Password: "p&ss\"word", URL: "/whisper", Method: "GET"}))},
	{"dial_queue", doc(dialAll(twiml.Queue{Name: "support", URL: "/about-to-connect", Method: "POST"}))},
	{"dial_conference", doc(dialAll(twiml.Conference{
		Name: "standup", Muted: true, Beep: "onEnter", NoStartConferenceOnEnter: true, EndConferenceOnExit: true,
		WaitURL: "https://example.com/wait", WaitMethod: "GET", MaxParticipants: 10,
	}))},
	{"redirect", doc(twiml.Redirect{URL: "/ivr/welcome?retry=2&from=menu", Method: "GET"})},
	{"record", doc(twiml.Record{
		Action: "/voicemail/done", Method: "POST", Timeout: 10, FinishOnKey: "#", MaxLength: 120,
		NoBeep: true, Trim: "do-not-trim", Transcribe: true, TranscribeCallback: "/voicemail/text",
		RecordingStatusCallback: "/voicemail/status",
	})},
	{"record_forever", doc(twiml.Record{Timeout: twiml.Forever})},
	{"enqueue", doc(twiml.Enqueue{Name: "support", Action: "/left-queue", Method: "POST", WaitURL: "/hold-music", WaitURLMethod: "GET"})},
	{"reject", doc(twiml.Reject{Reason: "busy"})},
	{"hangup", doc(twiml.Hangup{})},
	{"leave", doc(twiml.Leave{})},
	{"connect_relay", doc(twiml.Connect{Action: "/ivr/assistant/ended?t=tok", Method: "POST", Target: twiml.ConversationRelay{
		URL:                          "wss://agent.example.com/relay",
		WelcomeGreeting:              "Hi, I am the Acme assistant. How can I help?",
		WelcomeGreetingInterruptible: "speech",
		Language:                     "en-US",
		TTSLanguage:                  "en-US",
		TranscriptionLanguage:        "en-US",
		TTSProvider:                  "ElevenLabs",
		Voice:                        "UgBBYS2sOqTuMpoF3BR0",
		TranscriptionProvider:        "Deepgram",
		SpeechModel:                  "nova-3-general",
		NoProfanityFilter:            true,
		DTMFDetection:                true,
		Interruptible:                "any",
		Preemptible:                  true,
		PartialPrompts:               true,
		Hints:                        []string{"billing", "Acme"},
		InterruptSensitivity:         "high",
		Debug:                        "debugging speaker-events",
		SpeechTimeout:                "800",
		ReportInputDuringAgentSpeech: "speech",
		IntelligenceService:          "GAxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		Languages:                    []twiml.Language{{Code: "es-MX", TTSProvider: "Google", Voice: "es-MX-Neural2-A", TranscriptionProvider: "Google", SpeechModel: "telephony"}},
		Parameters:                   []twiml.Parameter{{Name: "state", Value: "tok&en"}, {Name: "topic", Value: "billing"}},
	}})},
	{"connect_relay_minimal", doc(twiml.Connect{Target: twiml.ConversationRelay{URL: "wss://agent.example.com/relay"}})},
	{"connect_stream", doc(twiml.Connect{Action: "/ivr/assistant/ended", Target: twiml.Stream{
		URL: "wss://agent.example.com/audio", Name: "assistant", Track: "inbound_track",
		StatusCallback: "/stream/status", StatusCallbackMethod: "POST",
		Parameters: []twiml.Parameter{{Name: "state", Value: "tok"}},
	}})},
	{"escaping", doc(
		twiml.Say{Text: `Tom & Jerry's <"best"> ]]> deals`, Voice: `a&b<c>d"e'f`},
		twiml.Redirect{URL: "/next?a=1&b=<2>"},
	)},
	{"whitespace", doc(twiml.Say{Text: "line one\nline two\r\n\ttabbed", Voice: "tab\there\nnewline\rreturn"})},
	{"invalid_characters", doc(twiml.Say{Text: "bell\a nul\x00 bad\xff\xfe surrogate\xed\xa0\x80 nonchar\uFFFF kept\uFFFD", Language: "esc\x1b"})},
	{"menu", doc(
		twiml.Say{Text: "Thanks for calling Acme."},
		twiml.Gather{Action: "/ivr/welcome/choice", NumDigits: 1, Prompts: []twiml.Prompt{
			twiml.Say{Text: "For sales press 1. For support press 2."},
		}},
		twiml.Redirect{URL: "/ivr/welcome?retry=1"},
	)},
}

func doc(verbs ...twiml.Verb) twiml.Response { return twiml.Response{Verbs: verbs} }

func dialAll(nouns ...twiml.Noun) twiml.Dial {
	return twiml.Dial{
		Action: "/dial/done", Method: "POST", Timeout: 20, CallerID: "+15555550100",
		Record: "record-from-answer", AnswerOnBridge: true, TimeLimit: 600, HangupOnStar: true,
		RingTone: "us", Nouns: nouns,
	}
}

func render(t *testing.T, r twiml.Response) []byte {
	t.Helper()
	b, err := r.Render()
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return b
}

func TestRenderMatchesGoldenFiles(t *testing.T) {
	for _, tc := range documents {
		t.Run(tc.name, func(t *testing.T) {
			got := render(t, tc.doc)
			path := filepath.Join("testdata", tc.name+".xml")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./twiml -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("rendered bytes differ from %s (go test ./twiml -update rewrites it)\ngot:  %s\nwant: %s", path, got, want)
			}
		})
	}
}

func TestSameDocumentRendersSameBytesEveryTime(t *testing.T) {
	for _, tc := range documents {
		first := render(t, tc.doc)
		for range 50 {
			if again := render(t, tc.doc); !bytes.Equal(first, again) {
				t.Fatalf("%s: render changed:\n%s\n%s", tc.name, first, again)
			}
		}
	}
}

func TestAppendToAppendsAfterExistingBytes(t *testing.T) {
	want := render(t, documents[1].doc)
	got, err := documents[1].doc.AppendTo([]byte("prefix:"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "prefix:"+string(want) {
		t.Errorf("got %q, want prefix: then %q", got, want)
	}
}

func TestPointerVerbsRenderLikeValues(t *testing.T) {
	values := doc(
		twiml.Say{Text: "hi"}, twiml.Play{URL: "/a.mp3"}, twiml.Pause{Length: 1},
		twiml.Gather{NumDigits: 1, Prompts: []twiml.Prompt{twiml.Say{Text: "x"}}},
		twiml.Dial{Nouns: []twiml.Noun{twiml.Number{Number: "+1"}, twiml.Client{Identity: "c"}, twiml.Sip{URI: "sip:a@b"}, twiml.Queue{Name: "q"}, twiml.Conference{Name: "r"}}},
		twiml.Record{}, twiml.Redirect{URL: "/r"}, twiml.Enqueue{Name: "q"}, twiml.Reject{}, twiml.Hangup{}, twiml.Leave{},
		twiml.Connect{Target: twiml.ConversationRelay{URL: "wss://a"}}, twiml.Connect{Target: twiml.Stream{URL: "wss://b"}},
	)
	pointers := doc(
		&twiml.Say{Text: "hi"}, &twiml.Play{URL: "/a.mp3"}, &twiml.Pause{Length: 1},
		&twiml.Gather{NumDigits: 1, Prompts: []twiml.Prompt{&twiml.Say{Text: "x"}}},
		&twiml.Dial{Nouns: []twiml.Noun{&twiml.Number{Number: "+1"}, &twiml.Client{Identity: "c"}, &twiml.Sip{URI: "sip:a@b"}, &twiml.Queue{Name: "q"}, &twiml.Conference{Name: "r"}}},
		&twiml.Record{}, &twiml.Redirect{URL: "/r"}, &twiml.Enqueue{Name: "q"}, &twiml.Reject{}, &twiml.Hangup{}, &twiml.Leave{},
		&twiml.Connect{Target: &twiml.ConversationRelay{URL: "wss://a"}}, &twiml.Connect{Target: &twiml.Stream{URL: "wss://b"}},
	)
	if a, b := render(t, values), render(t, pointers); !bytes.Equal(a, b) {
		t.Errorf("values:   %s\npointers: %s", a, b)
	}
}

// embedded is a type outside the package that satisfies Verb only by embedding one.
type embedded struct{ twiml.Say }

func TestInvalidDocumentsAreRejected(t *testing.T) {
	for _, tc := range []struct {
		name   string
		given  twiml.Response
		expect string // in the error message, which also wraps ErrInvalid
	}{
		{"NilVerbIsRejected", doc(nil), "Verbs[0]: nil Verb"},
		{"NilPointerVerbIsRejected", doc((*twiml.Say)(nil)), "nil *Say"},
		{"EmbeddingTypeIsNotAVerb", doc(embedded{twiml.Say{Text: "x"}}), "not a twiml verb"},
		{"SayWithoutTextIsRejected", doc(twiml.Hangup{}, twiml.Say{Voice: "alice"}), "Verbs[1]: Say.Text is required"},
		{"NegativeLoopOtherThanForeverIsRejected", doc(twiml.Say{Text: "x", Loop: -2}), "Say.Loop is negative"},
		{"PlayWithNothingToPlayIsRejected", doc(twiml.Play{}), "Play needs a URL or Digits"},
		{"PlayWithURLAndDigitsIsRejected", doc(twiml.Play{URL: "/a.mp3", Digits: "1"}), "both set"},
		{"NegativePauseIsRejected", doc(twiml.Pause{Length: -1}), "Pause.Length is negative"},
		{"SayAsValueTwilioDoesNotListIsRejected", doc(twiml.Say{Parts: []twiml.SayPart{{Text: "x"}, {Text: "5", As: "currency"}}}), `Verbs[0]: Say.Parts[1]: As "currency" is not an interpret-as value Twilio lists`},
		{"DateFormatTwilioDoesNotListIsRejected", doc(twiml.Say{Parts: []twiml.SayPart{{Text: "2026-12-25", As: twiml.AsDate, Format: "iso"}}}), `Say.Parts[0]: Format "iso" is not a date format Twilio lists`},
		{"FormatOnlyWithDate", doc(twiml.Say{Parts: []twiml.SayPart{{Text: "5", As: twiml.AsOrdinal, Format: twiml.MDY}}}), "Say.Parts[0]: Format is only for As == AsDate"},
		{"EmptySayPartIsRejected", doc(twiml.Say{Parts: []twiml.SayPart{{As: twiml.AsDigits}}}), "Say.Parts[0]: Text is required"},
		{"SayWithTextAndPartsIsRejected", doc(twiml.Say{Text: "a", Parts: []twiml.SayPart{{Text: "b"}}}), "Say has both Text and Parts"},
		{"BadPromptInsideGatherNamesItsPlace", doc(twiml.Gather{Prompts: []twiml.Prompt{twiml.Say{Text: "ok"}, twiml.Say{}}}), "Verbs[0]: Gather.Prompts[1]: Say.Text is required"},
		{"NilPromptIsRejected", doc(twiml.Gather{Prompts: []twiml.Prompt{nil}}), "Gather.Prompts[0]: nil Prompt"},
		{"FinishOnKeyAndNoFinishOnKeyContradict", doc(twiml.Gather{FinishOnKey: "#", NoFinishOnKey: true}), "both set"},
		{"NegativeGatherTimeoutIsRejected", doc(twiml.Gather{Timeout: twiml.Forever}), "Gather.Timeout is negative"},
		{"NegativeNumDigitsIsRejected", doc(twiml.Gather{NumDigits: -1}), "Gather.NumDigits is negative"},
		{"DialWithNoNounsIsRejected", doc(twiml.Dial{Action: "/x"}), "Dial.Nouns is empty"},
		{"NegativeDialTimeoutIsRejected", doc(twiml.Dial{Timeout: -1, Nouns: []twiml.Noun{twiml.Number{Number: "+1"}}}), "Dial.Timeout is negative"},
		{"NegativeTimeLimitIsRejected", doc(twiml.Dial{TimeLimit: -1, Nouns: []twiml.Noun{twiml.Number{Number: "+1"}}}), "Dial.TimeLimit is negative"},
		{"NilNounIsRejected", doc(twiml.Dial{Nouns: []twiml.Noun{nil}}), "Dial.Nouns[0]: nil Noun"},
		{"NumberWithoutNumberIsRejected", doc(twiml.Dial{Nouns: []twiml.Noun{twiml.Number{}}}), "Number.Number is required"},
		{"ClientWithoutIdentityIsRejected", doc(twiml.Dial{Nouns: []twiml.Noun{twiml.Client{}}}), "Client.Identity is required"},
		{"SipWithoutURIIsRejected", doc(twiml.Dial{Nouns: []twiml.Noun{twiml.Sip{}}}), "Sip.URI is required"},
		{"QueueWithoutNameIsRejected", doc(twiml.Dial{Nouns: []twiml.Noun{twiml.Queue{}}}), "Queue.Name is required"},
		{"ConferenceWithoutNameIsRejected", doc(twiml.Dial{Nouns: []twiml.Noun{twiml.Conference{}}}), "Conference.Name is required"},
		{"NegativeMaxParticipantsIsRejected", doc(twiml.Dial{Nouns: []twiml.Noun{twiml.Conference{Name: "r", MaxParticipants: -1}}}), "Conference.MaxParticipants is negative"},
		{"RedirectWithoutURLIsRejected", doc(twiml.Redirect{Method: "GET"}), "Redirect.URL is required"},
		{"NegativeRecordTimeoutOtherThanForeverIsRejected", doc(twiml.Record{Timeout: -5}), "Record.Timeout is negative"},
		{"NegativeMaxLengthIsRejected", doc(twiml.Record{MaxLength: -1}), "Record.MaxLength is negative"},
		{"EnqueueWithoutNameIsRejected", doc(twiml.Enqueue{}), "Enqueue.Name is required"},
		{"ConnectWithoutTargetIsRejected", doc(twiml.Connect{Action: "/x"}), "Connect.Target is required"},
		{"NilConnectTargetPointerIsRejected", doc(twiml.Connect{Target: (*twiml.Stream)(nil)}), "nil *Stream"},
		{"RelayWithoutURLIsRejected", doc(twiml.Connect{Target: twiml.ConversationRelay{}}), "Connect.Target: ConversationRelay.URL is required"},
		{"StreamWithoutURLIsRejected", doc(twiml.Connect{Target: twiml.Stream{}}), "Stream.URL is required"},
		{"LanguageWithoutCodeIsRejected", doc(twiml.Connect{Target: twiml.ConversationRelay{URL: "wss://a", Languages: []twiml.Language{{}}}}), "ConversationRelay.Languages[0]: Language.Code is required"},
		{"ParameterWithoutNameIsRejected", doc(twiml.Connect{Target: twiml.Stream{URL: "wss://a", Parameters: []twiml.Parameter{{Value: "v"}}}}), "Stream.Parameters[0]: Parameter.Name is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := tc.given.AppendTo([]byte("kept"))
			if !errors.Is(err, twiml.ErrInvalid) {
				t.Fatalf("err = %v, want one wrapping ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tc.expect) {
				t.Errorf("err = %q, want it to mention %q", err, tc.expect)
			}
			if string(out) != "kept" {
				t.Errorf("on error AppendTo returned %q, want dst untouched", out)
			}
			if b, err := tc.given.Render(); err == nil || b != nil {
				t.Errorf("Render = %q, %v; want nil and an error", b, err)
			}
		})
	}
}

func TestDocumentsOverMaxSizeFailInsteadOfBeingCut(t *testing.T) {
	// overhead is everything around the text of a single Say.
	overhead := len(render(t, doc(twiml.Say{Text: "x"}))) - 1
	for _, tc := range []struct {
		name    string
		given   twiml.Response
		tooLong bool
	}{
		{"DocumentOfExactlyMaxSizeRenders", doc(twiml.Say{Text: strings.Repeat("a", twiml.MaxSize-overhead)}), false},
		{"OneByteOverMaxSizeFails", doc(twiml.Say{Text: strings.Repeat("a", twiml.MaxSize-overhead+1)}), true},
		{"EscapingCountsTowardTheLimit", doc(twiml.Say{Text: strings.Repeat("&", twiml.MaxSize/4)}), true},
		{"ManySmallVerbsFail", twiml.Response{Verbs: manySays(10000)}, true},
		{"ClosingTagCanTipItOver", doc(twiml.Say{Text: strings.Repeat("a", twiml.MaxSize-overhead-5)}, twiml.Hangup{}), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := tc.given.AppendTo([]byte("kept"))
			if !tc.tooLong {
				if err != nil || len(out)-len("kept") != twiml.MaxSize {
					t.Fatalf("got %d bytes, %v; want exactly MaxSize and no error", len(out)-4, err)
				}
				return
			}
			if !errors.Is(err, twiml.ErrTooLarge) {
				t.Fatalf("err = %v, want one wrapping ErrTooLarge", err)
			}
			if string(out) != "kept" {
				t.Errorf("on error AppendTo returned %d bytes, want dst untouched", len(out))
			}
		})
	}
}

func manySays(n int) []twiml.Verb {
	v := make([]twiml.Verb, n)
	for i := range v {
		v[i] = twiml.Say{Text: "Please hold."}
	}
	return v
}

func TestRenderIsSafeForConcurrentUse(t *testing.T) {
	want := render(t, documents[len(documents)-1].doc)
	done := make(chan []byte)
	for range 8 {
		go func() {
			b, _ := documents[len(documents)-1].doc.Render()
			done <- b
		}()
	}
	for range 8 {
		if got := <-done; !bytes.Equal(got, want) {
			t.Errorf("concurrent render gave %s", got)
		}
	}
}

// TestConversationRelayAttributesKeepTwiliosCase pins the attribute names Twilio documents,
// parsed back from the output: twilio-go writes speechtimeout, which Twilio ignores.
func TestConversationRelayAttributesKeepTwiliosCase(t *testing.T) {
	b := render(t, documents[slices.IndexFunc(documents, func(d struct {
		name string
		doc  twiml.Response
	}) bool {
		return d.name == "connect_relay"
	})].doc)
	dec := xml.NewDecoder(bytes.NewReader(b))
	var names []string
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "ConversationRelay" {
			for _, a := range se.Attr {
				names = append(names, a.Name.Local)
			}
		}
	}
	want := []string{"url", "welcomeGreeting", "welcomeGreetingInterruptible", "language", "ttsLanguage",
		"transcriptionLanguage", "ttsProvider", "voice", "transcriptionProvider", "speechModel", "profanityFilter",
		"dtmfDetection", "interruptible", "preemptible", "partialPrompts", "hints", "interruptSensitivity", "debug",
		"speechTimeout", "reportInputDuringAgentSpeech", "intelligenceService"}
	if !slices.Equal(names, want) {
		t.Errorf("ConversationRelay attributes\ngot:  %v\nwant: %v", names, want)
	}
}
