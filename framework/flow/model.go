package flow

// Flow is a whole phone menu: its menus (nodes), where calls start, and what callers hear when
// something goes wrong. Load or Parse one from YAML, or build it in Go and call [Flow.Validate]
// (Compile validates too).
type Flow struct {
	Version    int              `yaml:"version" validate:"eq=1"`                                       // Required: 1.
	BasePath   string           `yaml:"base_path" validate:"omitempty,basepath"`                       // Optional; default "/ivr".
	CallCenter string           `yaml:"call_center" validate:"omitempty,phone"`                        // Optional, E.164; where exhausted retries and default error flows dial.
	Defaults   Defaults         `yaml:"defaults"`                                                      // Optional.
	Start      string           `yaml:"start" validate:"required"`                                     // Required: the menu a call enters.
	Entries    []string         `yaml:"entries"`                                                       // Optional: other menus calls may enter, such as an outbound call's.
	Navigation Navigation       `yaml:"navigation"`                                                    // Optional; no navigation keys by default.
	Menus      map[string]*Node `yaml:"menus" validate:"required,dive,keys,nodename,endkeys,required"` // Required: menu name → node.
	Errors     ErrorFlows       `yaml:"errors"`                                                        // Optional; built-in flows by default.
	Agents     Agents           `yaml:"agents"`                                                        // Required when a menu hands off to an agent.
	Languages  Languages        `yaml:"languages"`                                                     // Optional: the languages callers may hear; one by default.
	// DialAllow is the destination allowlist (toll-fraud limit): every number the flow dials,
	// call_center included, must match one entry, a prefix such as "+1", "+44" or
	// "+1555XXXXXXX" (X is any digit). Optional; when empty every number may be dialed except
	// the premium-rate prefixes of dialallow.Premium, which are refused unless an entry names
	// them ("+1900").
	DialAllow []string `yaml:"dial_allow" validate:"dive,dialpattern"`
	// MaxCallSeconds bounds how long a dialed call may last: the timeLimit of every <Dial> that
	// sets no time_limit of its own, and the most any time_limit may say. Optional; 0 leaves
	// Twilio's limit (4 hours).
	MaxCallSeconds int `yaml:"max_call_seconds" validate:"min=0,max=14400"`
	// Callbacks asks Twilio for callbacks on this server's /callbacks routes (package callbacks),
	// which deliver them to the operator's backend or log them. Optional; none by default.
	Callbacks Callbacks `yaml:"callbacks"`
	// Backends are the operator's servers a fetch may call, by name; no other URL is ever
	// called. Optional; required by any fetch.
	Backends map[string]*Backend `yaml:"backends" validate:"dive,keys,varname,endkeys,required"`
	// Variables declares every variable a fetch sets or a prompt or switch uses: its type, its
	// default, whether it is sensitive. Optional; required by any fetch.
	Variables map[string]*Variable `yaml:"variables" validate:"dive,keys,varname,endkeys,required"`

	pos *positions // where each field was in the file, when parsed from YAML
}

// Defaults are inherited by every node that does not set its own.
type Defaults struct {
	Voice      string `yaml:"voice" validate:"omitempty,voice"`       // Optional; Twilio's default voice when empty.
	Language   string `yaml:"language" validate:"omitempty,language"` // Optional; for example "en-US".
	Timeout    int    `yaml:"timeout" validate:"min=0,max=60"`        // Optional, seconds a gather waits; default 5.
	MaxInvalid int    `yaml:"max_invalid" validate:"min=0,max=10"`    // Optional; the nth invalid choice is exhausted; default 3.
	MaxNoInput int    `yaml:"max_no_input" validate:"min=0,max=10"`   // Optional; the nth silence is exhausted; default 3.
	// Voices names the voice of each language of a flow with Languages: the call's language
	// picks its voice here, else (for the default language) Voice, else Twilio's default voice
	// for the language. Optional.
	Voices map[string]string `yaml:"voices" validate:"dive,keys,languagekey,endkeys,voice"`
}

// Languages are the languages a flow's callers may hear. Every prompt may be translated (in
// YAML, a mapping by language tag where a string would be); a call speaks one language at a
// time, which starts as ByCalled's entry for the number the caller dialed, else Default, and
// changes at a destination that sets language. A prompt without the call's language is spoken
// in Default's, and validation warns about each such prompt.
type Languages struct {
	Default  string            `yaml:"default" validate:"omitempty,language"`                    // Required with Others or ByCalled: the language a call starts in, and that every prompt has.
	Others   []string          `yaml:"others" validate:"dive,language"`                          // Optional: the other languages a call may switch to.
	ByCalled map[string]string `yaml:"by_called" validate:"dive,keys,phonekey,endkeys,language"` // Optional: called number (E.164) → the language its calls start in.
}

// Navigation holds the flow-wide keys every DTMF gather understands. Each is optional; an empty
// key is off. Back goes to the node's static parent: the node from which a breadth-first walk
// from start first reaches it (options in key order); at the start node it repeats.
type Navigation struct {
	Repeat string `yaml:"repeat" validate:"omitempty,dtmf"` // Optional: hear this menu again.
	Back   string `yaml:"back" validate:"omitempty,dtmf"`   // Optional: go to the static parent.
	Main   string `yaml:"main" validate:"omitempty,dtmf"`   // Optional: go to the start node.
}

// Node is one menu: a route under the base path. It speaks Say, then does Do (with none, the
// call ends after Say): any step, a Gather included. Hours, when set, is checked first.
type Node struct {
	Permission string      `yaml:"permission" validate:"omitempty,permission"` // Optional; default "view".
	Sensitive  bool        `yaml:"sensitive"`                                  // Optional: digits entered here must never be logged.
	Voice      string      `yaml:"voice" validate:"omitempty,voice"`           // Optional; default Defaults.Voice.
	Language   string      `yaml:"language" validate:"omitempty,language"`     // Optional; default Defaults.Language.
	Errors     *ErrorFlows `yaml:"errors"`                                     // Optional: error flows for this node's routes.
	Hours      *Hours      `yaml:"hours"`                                      // Optional: a business-hours branch taken on entry.
	Fetch      *Fetch      `yaml:"fetch"`                                      // Optional: ask a backend for variables on entry, before anything else.

	Action `yaml:",inline"` // Say, then Do.
}

// Action is a destination: optional prompts, then at most one [Step] (with none, the call ends
// after Say). In YAML the step is its kind's key beside say — {say: "…", goto: welcome} is
// say-then-go — and a plain string is a goto: `"1": sales` is `"1": {goto: sales}`.
type Action struct {
	Say Prompts `yaml:"say" validate:"dive"` // Optional: spoken first.
	// SetLanguage switches the call to another of the flow's languages (in YAML, language:
	// beside say and the step): Say and everything after it are in that language, for the
	// rest of the call. With no Do, the call re-enters the menu it is in (from an error flow,
	// the start menu) in the new language. Optional. (On a Node, language: is [Node.Language].)
	SetLanguage string `yaml:"language" validate:"omitempty,language"`
	// Do is what follows Say. Optional. In a destination it is any kind but those only a menu
	// can take ([Kind.MenuOnly], such as Gather). The validator's tags here are the field rules
	// of the steps that are not structs.
	Do Step `yaml:"-" validate:"omitempty,redirect"`
}

// Prompts are spoken in order. In YAML a plain string is one Say, a mapping is one Prompt, and a
// sequence holds strings or mappings.
type Prompts []Prompt

// Prompt is exactly one of Say, Play or Pause. In YAML a plain string is a Say.
type Prompt struct {
	Say string `yaml:"say"` // Text to speak: in a flow with Languages, in the default language.
	// Translations are Say in the flow's other languages, by language tag. In YAML, say is
	// then a mapping of every language's text, the default's included: {en-US: Hello, es-MX:
	// Hola}. Optional; a language without one hears Say.
	Translations map[string]string `yaml:"-" translates:"say"`
	Voice        string            `yaml:"voice" validate:"omitempty,voice"`       // Optional; default the node's voice.
	Language     string            `yaml:"language" validate:"omitempty,language"` // Optional; default the node's language.
	Loop         int               `yaml:"loop" validate:"min=0,max=100"`          // Optional; times to say or play; 0 means once.
	Play         string            `yaml:"play" validate:"omitempty,http_url"`     // An audio URL to play.
	Pause        int               `yaml:"pause" validate:"min=0,max=600"`         // Seconds of silence.
}

// Gather asks the caller to choose. Options are keyed by DTMF digits ("1", "*9"), or by words
// when Input is "speech"; Synonyms add words that choose the same option (Input "speech" or
// "both"). An invalid choice and silence are counted separately, in the action URL; the
// MaxInvalid-th invalid choice or MaxNoInput-th silence goes to Exhausted.
type Gather struct {
	Prompt      Prompts             `yaml:"prompt" validate:"dive"`                            // Optional: spoken while waiting (callers may interrupt).
	Input       string              `yaml:"input" validate:"omitempty,oneof=dtmf speech both"` // Optional; default "dtmf".
	Timeout     int                 `yaml:"timeout" validate:"min=0,max=60"`                   // Optional, seconds; default Defaults.Timeout.
	NumDigits   int                 `yaml:"num_digits" validate:"min=0,max=20"`                // Optional; default 1 when every key is one digit.
	FinishOnKey string              `yaml:"finish_on_key" validate:"omitempty,dtmfkey"`        // Optional; Twilio's default "#".
	Hints       []string            `yaml:"hints"`                                             // Optional speech hints; default the option words.
	Options     map[string]Action   `yaml:"options" validate:"required,dive"`                  // Required: choice → destination.
	Synonyms    map[string][]string `yaml:"synonyms"`                                          // Optional: option key → more words for it.
	Invalid     Prompts             `yaml:"invalid" validate:"dive"`                           // Optional: said after an invalid choice.
	NoInput     Prompts             `yaml:"no_input" validate:"dive"`                          // Optional: said after silence.
	MaxInvalid  int                 `yaml:"max_invalid" validate:"min=0,max=10"`               // Optional; default Defaults.MaxInvalid.
	MaxNoInput  int                 `yaml:"max_no_input" validate:"min=0,max=10"`              // Optional; default Defaults.MaxNoInput.
	Exhausted   *Action             `yaml:"exhausted"`                                         // Optional; default: dial call_center (hang up without one).
	// Other is where input that matches no option goes, instead of counting as an invalid
	// choice: an account number, a spoken name. The input is kept as the variable digits or
	// speech, for a switch or a fetch that follows. Optional; with it, num_digits defaults to
	// none (the caller ends with finish_on_key, or the timeout).
	Other *Action `yaml:"other"`
}

// PIN asks for a PIN before the call may go on: the caller types it and presses pound. A right
// PIN grants the call the principal pin:<Grants> for the rest of that call only (the server seals
// it into the call's callback URLs) and goes to Then; the MaxAttempts-th wrong PIN or silence
// goes to Failed, and so does a calling number locked out for wrong PINs across calls. The PIN
// itself is never in the flow: Secret names it in the PIN secrets file. Digits entered on a node
// with a pin are never logged, whatever its sensitive flag says.
type PIN struct {
	Prompt      Prompts `yaml:"prompt" validate:"dive"`               // Optional; default "Please enter your PIN, then press pound."
	Secret      string  `yaml:"secret" validate:"required,pinname"`   // Required: the name of the PIN in the secrets file.
	Grants      string  `yaml:"grants" validate:"required,pinname"`   // Required: the scope a right PIN grants; the call holds pin:<grants>.
	MaxAttempts int     `yaml:"max_attempts" validate:"min=0,max=10"` // Optional; default 3.
	Timeout     int     `yaml:"timeout" validate:"min=0,max=60"`      // Optional, seconds to wait; default Defaults.Timeout.
	Wrong       Prompts `yaml:"wrong" validate:"dive"`                // Optional: said after a wrong PIN or silence; default "That PIN is not correct."
	Then        *Action `yaml:"then" validate:"required"`             // Required: where a right PIN goes, usually the menu it guards.
	Failed      *Action `yaml:"failed"`                               // Optional; default say "Goodbye." and hang up.
}

// Agents declares the AI agents a flow may hand callers to: an agent step whose URL names
// another host does not load, so that a typo or an edited file cannot send callers (and their
// words) to a server nobody chose.
type Agents struct {
	Hosts []string `yaml:"hosts" validate:"dive,agenthost"` // Required with any agent step: host names (with :port when not 443).
}

// Agent hands the caller to an AI voice agent over a WebSocket and back: Relay through Twilio's
// ConversationRelay (Twilio turns speech into text for the agent and speaks its replies) or
// Stream (raw audio). When the session ends Twilio requests the node's /agent route: a
// session that failed goes to OnError; otherwise the agent's handoff data, a JSON object, names
// the next destination in its "reason" field (or, without one, "next"), looked up in OnEnd, and
// any other value, or none, goes to OnEnd's "default". A stream carries no handoff data: it
// always ends at "default".
//
// The call's state token rides in the route's URL and in the Parameter "switchboard_state", and
// the node's name in "switchboard_menu": the agent server can tell which call and menu it serves,
// and the return is accepted only for the call that left.
type Agent struct {
	Relay   string `yaml:"relay" validate:"omitempty,wss"`  // The agent's ConversationRelay URL, wss://; exactly one of relay and stream.
	Stream  string `yaml:"stream" validate:"omitempty,wss"` // A Media Streams URL, wss://.
	Welcome string `yaml:"welcome"`                         // Optional (relay): spoken when the session starts.
	// WelcomeTranslations is Welcome in the flow's other languages, as [Prompt.Translations].
	WelcomeTranslations map[string]string `yaml:"-" translates:"welcome"`
	Language            string            `yaml:"language" validate:"omitempty,language"` // Optional (relay); default the node's language.
	Voice               string            `yaml:"voice"`                                  // Optional (relay): a voice of the text-to-speech provider.
	// VoiceTranslations is Voice in the flow's other languages (in YAML, voice: {en-US: …,
	// es-MX: …}, as a translated say): a call in a language it names is spoken in that voice,
	// any other in Voice.
	VoiceTranslations map[string]string `yaml:"-" translates:"voice"`
	Provider          string            `yaml:"tts_provider"` // Optional (relay): ElevenLabs, Google or Amazon.
	// ProviderTranslations is Provider in the flow's other languages, as VoiceTranslations.
	ProviderTranslations map[string]string `yaml:"-" translates:"tts_provider"`
	Parameters           map[string]string `yaml:"parameters" validate:"dive,keys,paramname,endkeys"` // Optional: sent as <Parameter>s; they arrive in the setup message.
	OnEnd                map[string]Action `yaml:"on_end" validate:"required,dive"`                   // Required: handoff value → destination, with "default".
	// OnError is where a failed session goes. Optional; by default the node connects the
	// caller to the agent once more, and a second failure goes to the node's internal error
	// flow (the retry count rides in the /agent URL, sealed in the call's state token).
	OnError *Action `yaml:"on_error"`
}

// Dial calls a number. In YAML a plain string is the Number.
type Dial struct {
	Number   string `yaml:"number" validate:"required,dialnumber"` // Required: E.164, or "call_center".
	CallerID string `yaml:"caller_id" validate:"omitempty,phone"`  // Optional, E.164.
	Timeout  int    `yaml:"timeout" validate:"min=0,max=600"`      // Optional, seconds to ring; Twilio's default 30.
	// TimeLimit is the most seconds the dialed call may last (<Dial timeLimit>). Optional;
	// default Flow.MaxCallSeconds, else Twilio's 4 hours; at most Flow.MaxCallSeconds when set.
	TimeLimit int     `yaml:"time_limit" validate:"min=0,max=14400"`
	NoAnswer  *Action `yaml:"no_answer"` // Optional: when the call was not answered (busy, failed, no answer).
}

// Record records a message, for example a voicemail, then goes to Then (or hangs up).
type Record struct {
	MaxLength   int     `yaml:"max_length" validate:"min=0,max=14400"`      // Optional, seconds; Twilio's default 3600.
	Transcribe  bool    `yaml:"transcribe"`                                 // Optional.
	FinishOnKey string  `yaml:"finish_on_key" validate:"omitempty,dtmfkey"` // Optional; Twilio's default "1234567890*#".
	Then        *Action `yaml:"then"`                                       // Optional; default hang up.
}

// Callbacks are the callbacks a flow asks Twilio for.
type Callbacks struct {
	// Recording adds recordingStatusCallback="/callbacks/recording" to every <Record>: the
	// recording's URL, duration and caller reach the operator when a voicemail is left. Optional.
	Recording bool `yaml:"recording"`
	// Transcription adds transcribeCallback="/callbacks/transcription" to every <Record> that
	// transcribes: the text follows the recording. Optional.
	Transcription bool `yaml:"transcription"`
	// Status adds statusCallback="/callbacks/status" (events StatusEvents) to the number of every
	// <Dial>, and asks POST /calls to set the same StatusCallback on the calls it starts: the
	// dialed or called party's progress reaches the operator. Optional.
	Status bool `yaml:"status"`
}

// CallbackPath is where a flow's callbacks go: CallbackPath + "/status", "/recording" and
// "/transcription".
const CallbackPath = "/callbacks"

// StatusEvents are the call progress events a status callback asks Twilio for, space-separated
// as TwiML's statusCallbackEvent wants them.
const StatusEvents = "initiated ringing answered completed"

// Enqueue puts the caller in a queue.
type Enqueue struct {
	Name    string `yaml:"name" validate:"required"`               // Required.
	WaitURL string `yaml:"wait_url" validate:"omitempty,http_url"` // Optional: TwiML played while waiting.
}

// Hours branches on business hours, checked when the node is entered.
type Hours struct {
	Timezone string   `yaml:"timezone" validate:"required,timezone"`        // Required: an IANA name such as "America/New_York".
	Weekly   []string `yaml:"weekly" validate:"required"`                   // Required: open ranges like "Mon-Fri 09:00-17:00".
	Holidays []string `yaml:"holidays" validate:"dive,datetime=2006-01-02"` // Optional: closed dates like "2026-12-25".
	Open     *Action  `yaml:"open"`                                         // Optional; default the node's own body.
	Closed   *Action  `yaml:"closed" validate:"required"`                   // Required.
}

// ErrorFlows are what a caller hears instead of Twilio's stock application error: for a refused,
// unauthenticated, missing or failed request. Each unset kind falls back to the next level: the
// node's own, the longest ByPrefix match, the flow's, then a built-in "We're sorry" that dials
// the call center. Unauthenticated falls back to Forbidden. Forbidden and Unauthenticated may
// not lead a refused caller back into a refusal (see the package documentation). Denied — a
// caller a deny line refuses — never falls back to Forbidden: its built-in flow says only "This
// call cannot be completed." and hangs up, naming no business and dialing no one; it may not Goto.
type ErrorFlows struct {
	Voice           string                 `yaml:"voice" validate:"omitempty,voice"`       // Optional; default the node's or flow's voice.
	Language        string                 `yaml:"language" validate:"omitempty,language"` // Optional; default the node's or flow's language.
	Unauthenticated *Action                `yaml:"unauthenticated"`
	Forbidden       *Action                `yaml:"forbidden"`
	NotFound        *Action                `yaml:"not_found"`
	Internal        *Action                `yaml:"internal"`
	Denied          *Action                `yaml:"denied"`
	ByPrefix        map[string]*ErrorFlows `yaml:"by_prefix" validate:"dive,keys,pathprefix,endkeys,required"` // Top level only: route prefix → flows.
}

// Backend is an operator's server that a fetch asks for a call's data. Requests are JSON POSTs
// signed with Twilio's scheme under the server's backend key (package backend).
type Backend struct {
	URL string `yaml:"url" validate:"required,backendurl"` // Required: an absolute https:// URL (http:// only to a loopback host).
	// Timeout is how long a fetch waits, a Go duration such as "3s" or "800ms". Optional;
	// default 3s, at most 10s (Twilio waits 15 s for the whole answer).
	Timeout string `yaml:"timeout" validate:"omitempty,fetchtimeout"`
}

// Variable declares one of a call's variables.
type Variable struct {
	// Type is how a fetch's answer is checked and a switch compares: "string" (the default),
	// "number" (compared as numbers: "-0.5" < 0 whatever its spelling) or "boolean".
	Type string `yaml:"type" validate:"omitempty,oneof=string number boolean"`
	// Default is the value when no fetch has set the variable, or a backend's answer omits it.
	// Optional; without one, a fetch whose answer lacks the field fails (on_error), and
	// validate requires a fetch that sets it on every path to where it is used.
	Default *string `yaml:"default"`
	// Sensitive variables never appear in clear in a URL: the state token encrypts them.
	// Optional; default false (the value is readable, but not changeable, in the call's URLs).
	Sensitive bool `yaml:"sensitive"`
}

// Fetch asks a backend for variables when a call enters the node, before its hours, prompts
// and step. The backend receives the call's context as JSON (call_sid, from, to, digits,
// speech, vars so far) and answers a JSON object; its fields named in Sets become the call's
// variables, checked against their declared types; other fields are ignored.
type Fetch struct {
	Backend string   `yaml:"backend" validate:"required,varname"`   // Required: a name under backends.
	Sets    []string `yaml:"sets" validate:"required,dive,varname"` // Required: the variables the answer sets (declared under variables).
	OnError *Action  `yaml:"on_error"`                              // Optional: a failure, timeout, non-2xx or malformed answer; default the internal error flow.
}

// Switch sends the call to the first case whose conditions all hold for the variable On, or to
// Default. Numbers compare as numbers and strings as strings; on "speech", both sides are
// compared after lower-casing and dropping punctuation.
type Switch struct {
	// On names a declared variable, or a built-in one: "digits" or "speech" (the caller's last
	// gather input), "caller" or "called" (the numbers). A switch may test a variable no fetch
	// has set: it holds exists: false, and no other condition.
	On      string  `yaml:"on" validate:"required,varname"`
	Cases   []Case  `yaml:"cases" validate:"required,dive"` // Required: tried in order.
	Default *Action `yaml:"default" validate:"required"`    // Required: when no case holds.
}

// Case is one branch of a [Switch]: every condition it sets must hold (gte: 0 with lt: 100 is
// a range), and at least one must be set. Values are written as the variable's type: 42.5 for a
// number, true for a boolean.
type Case struct {
	Is     string   `yaml:"is"`                       // equal to
	In     []string `yaml:"in"`                       // equal to one of
	Has    string   `yaml:"has"`                      // strings and speech: holds these words, whole
	Lt     string   `yaml:"lt"`                       // numbers: below
	Lte    string   `yaml:"lte"`                      // numbers: at most
	Gt     string   `yaml:"gt"`                       // numbers: above
	Gte    string   `yaml:"gte"`                      // numbers: at least
	Exists *bool    `yaml:"exists"`                   // the variable is set (true) or not (false)
	Then   *Action  `yaml:"then" validate:"required"` // Required: where the case goes.
}

// Defaults used when a flow leaves them unset.
const (
	DefaultBasePath   = "/ivr"
	DefaultPermission = "view"
	DefaultTimeout    = 5
	DefaultMaxInvalid = 3
	DefaultMaxNoInput = 3
	DefaultMaxPINs    = 3             // PIN.MaxAttempts
	CallCenter        = "call_center" // the Dial.Number that means Flow.CallCenter
	AgentDefault      = "default"     // the Agent.OnEnd key for any other handoff value
	VarDigits         = "digits"      // Switch.On and prompts: the caller's last gather digits
	VarSpeech         = "speech"      // Switch.On and prompts: the caller's last gather speech
	VarCaller         = "caller"      // prompts: the calling number (From)
	VarCalled         = "called"      // prompts: the called number (To)
)
