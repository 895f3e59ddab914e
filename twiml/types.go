package twiml

// Verb is one TwiML verb in a [Response]. The set is closed: only this package's types implement it.
type Verb interface{ isVerb() }

// Prompt is a verb that may be nested in a [Gather]: [Say], [Play] or [Pause].
type Prompt interface {
	Verb
	isPrompt()
}

// Noun is something a [Dial] connects to: [Number], [Client], [Sip], [Queue] or [Conference].
type Noun interface{ isNoun() }

// Response is a whole TwiML document: <Response> and its verbs, in order.
type Response struct {
	Verbs []Verb
}

// Forever, as a Loop value, renders loop="0": Twilio repeats until the call ends or input arrives.
// As Record.Timeout it renders timeout="0": never stop on silence.
const Forever = -1

// Say speaks Text with text-to-speech.
type Say struct {
	Text     string // Required.
	Voice    string // Optional; for example "Polly.Joanna" or "alice".
	Language string // Optional; for example "en-US".
	Loop     int    // Optional; 0 omits it (Twilio says it once), Forever renders loop="0".
}

// Play plays an audio file, or sends DTMF digits into the call.
type Play struct {
	URL    string // The audio URL; empty when Digits is set.
	Loop   int    // Optional; 0 omits it, Forever renders loop="0".
	Digits string // Optional; DTMF digits to play ("w" waits half a second).
}

// Pause waits in silence.
type Pause struct {
	Length int // Optional, seconds; 0 omits it (Twilio waits 1 s).
}

// Gather collects DTMF digits or speech, optionally while playing its Prompts.
type Gather struct {
	Input               string   // Optional: "dtmf" (Twilio's default), "speech" or "dtmf speech".
	Action              string   // Optional; Twilio defaults to the current URL.
	Method              string   // Optional: "POST" (default) or "GET".
	Timeout             int      // Optional, seconds of silence before giving up; 0 omits it (5 s).
	NumDigits           int      // Optional; 0 omits it.
	FinishOnKey         string   // Optional; empty omits it (Twilio uses "#").
	NoFinishOnKey       bool     // Optional; renders finishOnKey="" so no key ends input.
	SpeechTimeout       string   // Optional: seconds, or "auto".
	SpeechModel         string   // Optional; for example "phone_call".
	Hints               []string // Optional; rendered comma-separated.
	Language            string   // Optional; speech recognition language.
	ActionOnEmptyResult bool     // Optional; call Action even when nothing was gathered.
	NoProfanityFilter   bool     // Optional; renders profanityFilter="false".
	NoBargeIn           bool     // Optional; renders bargeIn="false".
	Prompts             []Prompt // Optional; spoken while waiting for input.
}

// Dial connects the caller to its Nouns.
type Dial struct {
	Action         string // Optional; Twilio requests it when the dialled call ends.
	Method         string // Optional.
	Timeout        int    // Optional, seconds to ring; 0 omits it (30 s).
	CallerID       string // Optional, E.164.
	Record         string // Optional; for example "record-from-answer".
	AnswerOnBridge bool   // Optional.
	TimeLimit      int    // Optional, seconds; 0 omits it.
	HangupOnStar   bool   // Optional.
	RingTone       string // Optional; a country code such as "us".
	Nouns          []Noun // Required: at least one.
}

// Number is a phone number to dial.
type Number struct {
	Number     string // Required, E.164.
	SendDigits string // Optional.
	URL        string // Optional; TwiML run for the called party before connecting.
	Method     string // Optional.
}

// Client is a Twilio Client identity to dial.
type Client struct {
	Identity string // Required.
	URL      string // Optional.
	Method   string // Optional.
}

// Sip is a SIP URI to dial.
type Sip struct {
	URI      string // Required.
	Username string // Optional.
	Password string // Optional.
	URL      string // Optional.
	Method   string // Optional.
}

// Queue is a call queue to dial into (connecting the agent to the caller at its head).
type Queue struct {
	Name   string // Required.
	URL    string // Optional.
	Method string // Optional.
}

// Conference is a named conference room.
type Conference struct {
	Name                     string // Required.
	Muted                    bool   // Optional.
	Beep                     string // Optional: "true", "false", "onEnter", "onExit".
	NoStartConferenceOnEnter bool   // Optional; renders startConferenceOnEnter="false".
	EndConferenceOnExit      bool   // Optional.
	WaitURL                  string // Optional.
	WaitMethod               string // Optional.
	MaxParticipants          int    // Optional; 0 omits it.
}

// Redirect hands the call to the TwiML at URL.
type Redirect struct {
	URL    string // Required.
	Method string // Optional.
}

// Record records the caller, for example a voicemail.
type Record struct {
	Action                  string // Optional.
	Method                  string // Optional.
	Timeout                 int    // Optional, seconds of silence; 0 omits it (5 s), Forever renders "0".
	FinishOnKey             string // Optional.
	MaxLength               int    // Optional, seconds; 0 omits it (3600 s).
	NoBeep                  bool   // Optional; renders playBeep="false".
	Trim                    string // Optional: "trim-silence" or "do-not-trim".
	Transcribe              bool   // Optional.
	TranscribeCallback      string // Optional.
	RecordingStatusCallback string // Optional.
}

// Enqueue puts the caller in the queue Name.
type Enqueue struct {
	Name          string // Required.
	Action        string // Optional.
	Method        string // Optional.
	WaitURL       string // Optional.
	WaitURLMethod string // Optional.
}

// Reject refuses an incoming call without answering it.
type Reject struct {
	Reason string // Optional: "rejected" (default) or "busy".
}

// Hangup ends the call.
type Hangup struct{}

// Leave takes the caller out of the queue it waits in.
type Leave struct{}

func (Say) isVerb()      {}
func (Play) isVerb()     {}
func (Pause) isVerb()    {}
func (Gather) isVerb()   {}
func (Dial) isVerb()     {}
func (Redirect) isVerb() {}
func (Record) isVerb()   {}
func (Enqueue) isVerb()  {}
func (Reject) isVerb()   {}
func (Hangup) isVerb()   {}
func (Leave) isVerb()    {}

func (Say) isPrompt()   {}
func (Play) isPrompt()  {}
func (Pause) isPrompt() {}

func (Number) isNoun()     {}
func (Client) isNoun()     {}
func (Sip) isNoun()        {}
func (Queue) isNoun()      {}
func (Conference) isNoun() {}
