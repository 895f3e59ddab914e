// Package flow loads, validates and compiles phone menus (IVR flows) into routes that answer
// Twilio with pre-rendered TwiML.
//
// A flow is a YAML file, or the same structs built in Go. [Parse] and [Load] decode and check a
// file, returning every [Problem] at once with its file:line:col and field path;
// [Flow.Validate] checks a flow built in Go. [Compile] renders every document a call can
// receive, once, into [Route] values whose [Route.Respond] only picks pre-rendered bytes.
//
// # The flow file
//
//	version: 1                      # Required.
//	base_path: /ivr                 # Optional; every route starts with it. Default /ivr.
//	call_center: "+15555550100"     # Optional, E.164: what "call_center" dials, and where
//	                                # exhausted retries and the built-in error flows go.
//	defaults:                       # Optional; inherited by every node.
//	  voice: Polly.Joanna           #   Twilio voice: Polly.X[-Neural], Google.xx-XX-…, man, woman, alice.
//	  language: en-US               #   language tag: en-US, es-MX, fr.
//	  timeout: 5                    #   seconds a gather waits (default 5).
//	  max_invalid: 3                #   the 3rd invalid choice goes to exhausted (default 3, at most 10).
//	  max_no_input: 3               #   the 3rd silence goes to exhausted (default 3, at most 10).
//	  voices: {es-MX: Polly.Mia}    #   Optional: the voice of each language (see Languages).
//	start: welcome                  # Required: the node a call enters.
//	entries: [reminder]             # Optional: other nodes calls enter, such as an outbound
//	                                # call's; they and what they lead to count as reachable.
//	navigation:                     # Optional keys every DTMF gather understands; none by default.
//	  repeat: "*"                   #   hear this menu again.
//	  back: "8"                     #   go to the static parent (see below).
//	  main: "9"                     #   go to start.
//	agents: {hosts: [agent.example.com]}  # Required with an agent step: the agents' hosts.
//	languages:                      # Optional: one menu in several languages (see Languages).
//	  default: en-US                #   Required with others or by_called.
//	  others: [es-MX, fr-CA]        #   Optional: the languages a call may switch to.
//	  by_called: {"+15555550150": es-MX}  # Optional: the language calls to a number start in.
//	menus:                          # Required: node name → node.
//	  welcome: {…}
//	  billing/main: {…}             # names may hold "/": routes /ivr/billing/main…
//	errors: {…}                     # Optional: error flows (see below).
//	dial_allow: ["+1", "+44"]       # Optional toll-fraud allowlist: every number dialed,
//	                                # call_center included, must start with an entry (X is any
//	                                # digit: +1555XXXXXXX). Premium-rate prefixes (+1900, +449…,
//	                                # dialallow.Premium) are refused unless an entry names them,
//	                                # with or without a list.
//	max_call_seconds: 3600          # Optional: every <Dial>'s timeLimit unless it sets a lower
//	                                # time_limit; 0 leaves Twilio's 4 hours.
//	callbacks: {status: true, recording: true, transcription: true}  # Optional: every <Dial>'s
//	                                # number reports its progress to /callbacks/status (so do calls
//	                                # POST /calls starts), every <Record> to /callbacks/recording
//	                                # (and, transcribing, /callbacks/transcription); package
//	                                # callbacks serves them.
//	backends:                       # Optional: the operator's servers a fetch may call, and no other.
//	  bank: {url: "https://bank.example.com/ivr", timeout: 3s}  # url: https://, http:// to loopback
//	                                # only, or $NAME / ${NAME} from the environment (Options.Env);
//	                                # timeout: default 3s, at most 10s.
//	variables:                      # Optional: every variable a fetch sets or a menu uses.
//	  balance: {type: number, default: "0", sensitive: false}  # type string (default), number,
//	                                # boolean; default when unset; sensitive: encrypted in URLs.
//
// A node speaks its say prompts, then takes at most one step: gather, goto, dial, record,
// enqueue, redirect, hangup, pin, agent or switch (with none the call ends after say). In Go the step is
// [Action.Do], a [Step]; Node embeds Action:
//
//	sales:
//	  permission: view              # Optional; the permission its routes ask for. Default view.
//	  sensitive: false              # Optional: digits entered here must never be logged.
//	  voice: Polly.Joanna           # Optional; default defaults.voice.
//	  language: en-US               # Optional; default defaults.language.
//	  errors: {forbidden: …}        # Optional: this node's own error flows.
//	  hours:                        # Optional: checked on entry.
//	    timezone: America/New_York  #   Required, IANA.
//	    weekly: ["Mon-Fri 09:00-17:00", "Sat 10:00-14:00"]  # Required: days (Mon, Mon-Fri,
//	                                #   Mon,Wed, Fri-Mon) and HH:MM-HH:MM, end after start.
//	    holidays: ["2026-12-25"]    #   Optional: closed all day.
//	    closed: voicemail           #   Required: a destination.
//	    open: …                     #   Optional destination; default the node's own body.
//	  say: Connecting you to sales.
//	  dial: {number: "+15555550111", caller_id: "+15555550100", timeout: 20, time_limit: 1800, no_answer: voicemail}
//
// Prompts (say, gather.prompt, gather.invalid, gather.no_input) are a string (one say), a
// mapping (one prompt), or a list of those. A prompt mapping is exactly one of
// {say: text, voice, language, loop}, {play: https-url, loop} or {pause: seconds}.
//
// A gather offers options:
//
//	gather:
//	  prompt: For sales press 1.    # Spoken while waiting; callers may interrupt it.
//	  input: dtmf                   # dtmf (default), speech or both.
//	  timeout: 5                    # Optional; default defaults.timeout.
//	  num_digits: 1                 # Optional; default 1 when every key is one digit.
//	  finish_on_key: "#"            # Optional; Twilio's default "#".
//	  hints: [sales]                # Optional speech hints; default the option words.
//	  options:                      # Required: DTMF keys, or words when input is speech.
//	    "1": sales                  #   a destination (see below)
//	  synonyms: {"1": [sales, buy]} # Optional: more words for an option (speech or both).
//	  invalid: Sorry, that is not an option.   # Optional prompts; a default in English.
//	  no_input: We did not get your choice.    # Optional prompts; a default in English.
//	  max_invalid: 3                # Optional; default defaults.max_invalid.
//	  max_no_input: 3               # Optional; default defaults.max_no_input.
//	  exhausted: {dial: call_center}  # Optional; default dial call_center (or say goodbye
//	                                # and hang up without one).
//	  other: lookup                 # Optional: input that matches no option (an account number)
//	                                # goes here, kept as the variable digits (or speech), instead
//	                                # of counting as invalid; num_digits then defaults to none.
//
// A menu can ask a backend for the call's data when the call enters it, say it, and branch on it:
//
//	balance:
//	  fetch:                        # Optional: before hours, prompts and step.
//	    backend: bank               #   Required: a name under backends.
//	    sets: [balance]             #   Required: the answer's fields kept, as declared variables.
//	    on_error: {say: Sorry., goto: welcome}  # Optional: timeout, non-2xx, malformed or
//	                                #   mistyped answer; default the node's internal error flow.
//	  say: "Your balance is {{ money .balance }}."   # text/template: money, digits, date, sayas.
//	  switch:
//	    on: balance                 # a variable; or digits, speech (the last gather input),
//	                                # caller, called.
//	    cases:                      # the first whose conditions all hold: is, in, has, lt, lte,
//	      - {lt: 0, then: billing}  # gt, gte, exists. Numbers compare as numbers; speech after
//	                                # lower-casing and dropping punctuation.
//	    default: goodbye            # Required.
//
// The server does the fetch ([Route.Fetch], [FetchCall.Accept]) and passes the call's variables
// in [Input].Vars; the variables then travel in the call's state token. A say text with {{ }}
// is compiled into its document as a marker that [Route.Answer] replaces with the rendered,
// escaped text, a {{ sayas "telephone" .number }} as an SSML <say-as> element of the <Say> (a
// voice other than Polly.… or Google.… is refused, none is warned of); a node with no variable, fetch or switch is pre-rendered as any other
// ([Route.Dynamic] is false). Validation checks that every variable a prompt uses has a default
// or is set by a fetch on every path that reaches its node.
//
// A menu can hand the caller to an AI voice agent and take the call back:
//
//	assistant:
//	  agent:
//	    relay: wss://agent.example.com/relay   # ConversationRelay; or stream: wss://… (raw audio)
//	    welcome: Hi, how can I help?           # Optional (relay), as language, voice, tts_provider.
//	    parameters: {topic: billing}           # Optional: <Parameter>s, in the setup message.
//	    on_end:                                # Required: the handoff data's "reason" (or "next")
//	      transfer: {say: Connecting you., dial: call_center}   # → a destination;
//	      menu: welcome
//	      default: goodbye                     # Required: any other value, or none.
//	    on_error: {say: Sorry., goto: welcome} # Optional: a failed session; by default the
//	                                           # caller is connected once more, then hears the
//	                                           # node's internal error flow.
//
// Its URL must be wss://, with no query, on a host listed in agents.hosts. The node's route
// renders <Connect action="…/assistant/agent"> around a <ConversationRelay> or <Stream> with the
// parameters plus switchboard_menu (the node) and switchboard_state (the call's state token,
// which the server writes in). Twilio requests name/agent when the session ends; that route
// answers only a request carrying the token sealed for this call.
//
// The token in the Connect action lives as long as a call may (four hours), not the 15 minutes
// of the call's other tokens, so that a long conversation still comes back; it opens only for
// this call at this route. Without on_error, a failed session connects the caller once more
// (the action then carries r=1, sealed in the token), and a second failure is the internal
// error flow.
//
// Invalid choices and silences are counted separately, in the gather's action URL
// (/ivr/welcome/gather?i=1&n=0), which Twilio signs: the server keeps no call state. Twilio does
// not call the action on silence, so a <Redirect> to the same URL follows the <Gather>; a
// request there with neither digits nor speech is a silence.
//
// A menu's step may instead be a pin, which asks for a PIN and a pound before the call goes on:
//
//	staff_login:
//	  pin:
//	    prompt: Enter your staff PIN, then press pound.   # Optional; this by default.
//	    secret: staff         # Required: the PIN's name in the PIN secrets file, never the PIN.
//	    grants: staff         # Required: a right PIN gives the call pin:staff, for this call only.
//	    max_attempts: 3       # Optional; default 3. Silence counts as a wrong PIN.
//	    wrong: That PIN is not correct.   # Optional; said before asking again.
//	    then: staff           # Required: a destination for the right PIN.
//	    failed: {say: Goodbye., hangup: true}   # Optional; this by default. Also a locked-out number.
//
// Its route name/pin receives the digits (the attempt count rides in ?a=); every route of a node
// with a pin is sensitive. The server checks the digits and seals the grant into the call's URLs.
//
// A destination (an option, exhausted, hours open and closed, dial no_answer, record then, an
// error flow) is a node name, or a mapping of optional say prompts followed by at most one of:
//
//	goto: sales                                   # go to a node; {say: …, goto: …} is say-then-go
//	dial: "+15555550111"                          # or call_center, or the mapping shown above
//	record: {max_length: 120, transcribe: true, finish_on_key: "#", then: goodbye}
//	enqueue: {name: support, wait_url: https://…}
//	redirect: https://example.com/twiml           # hand the call to TwiML outside the flow, or
//	                                              # to a path on this server (redirect: /ivr/balance,
//	                                              # a route the program adds with App.Voice)
//	hangup: true
//
// Going to another node is always a <Redirect> to that node's route, never its TwiML inline, so
// the authorizer checks the target's permission on every step.
//
// The back key goes to a node's static parent: the node from which a breadth-first walk from
// start, over options in key order, first reaches it. At start, back repeats; a node reached only
// through an error flow goes back to start.
//
// # Languages
//
// A flow with languages.others speaks one set of menus in several languages. Any prompt's text —
// say, gather prompt, invalid and no_input, a pin's prompt and wrong, an agent's welcome, the
// says of destinations and error flows — may be a mapping by language tag where a string goes:
//
//	say: {en-US: Thanks for calling., es-MX: Gracias por llamar.}
//	gather:
//	  prompt:
//	    - {en-US: For sales press 1., es-MX: Para ventas oprima 1.}
//	    - {say: "Para español, oprima 9.", language: es-MX}   # pinned: this text in every language
//	  options:
//	    "1": sales
//	    "9": {language: es-MX}                   # switch; with no step, this menu again
//	    "7": {say: {fr-CA: Français.}, language: fr-CA, goto: sales}
//
// A call speaks one language at a time: the one languages.by_called gives the number it called,
// else languages.default. A destination with language: switches it for the rest of the call; its
// say is already in the new language (and needs only that language's text), and with no step it
// re-enters the menu it is in (from an
// error flow, the start menu). On a menu, language: remains the menu's own speaking language
// (see above), not a switch. The URLs of a call in another language name it (?l=es-MX), which
// Twilio signs and the server seals into the call's state token with the rest of the query; a URL
// naming a language the server did not seal for the call is refused like any other call state.
// A call in the default language names none (and so carries no state), except one that chose the
// default language on a by_called number (?l=en-US): the default language is rendered a second
// time for those calls. Error flows, the built-in texts (Spanish and French wording built in, English for
// other languages) and the agent's relay language follow the call's language.
//
// Each language has its voice in defaults.voices; the default language may use defaults.voice.
// A menu's or an error flow's own voice and language hold in the default language only. A prompt
// with a language of its own is pinned: the same text and voice in every language, but left out
// of that language's own documents (a call in Spanish does not hear "Para español…"). A say
// without the call's language is spoken in the default language's text and voice, and loading
// warns about each such say (file:line:col, the languages missing); a translation into a
// language the flow does not declare, or a say with no text in the default language, is an
// error. The flow is rendered once per language at load: N languages × the flow's documents.
//
// # Error flows
//
//	errors:
//	  voice: Polly.Joanna           # Optional, as language; default the node's or flow's.
//	  unauthenticated: …            # a destination; falls back to forbidden when unset.
//	  forbidden: {say: This line is for staff., dial: call_center}   # no policy line grants the route
//	  denied: {say: This call cannot be completed., hangup: true}     # a deny line refused the caller
//	  not_found: {say: That option is not available., goto: welcome}
//	  internal: {say: We're sorry., dial: call_center}
//	  by_prefix:                    # Top level only: route prefix → error flows.
//	    /ivr/billing: {not_found: {say: …, goto: billing/main}}
//
// The flow for a path is the first set among: the owning node's errors, the longest by_prefix
// entry the path falls under, the top-level errors, then a built-in "We're sorry…" that dials
// call_center (or hangs up without one). A forbidden or unauthenticated flow may send the caller
// to a menu (by goto, or by redirect to a route of the flow) but not back into a refusal: when a
// caller refused at a menu can be sent, through menus that follow on with no input, to a menu
// that may refuse them too, and so on back to the first, the flow is refused — the caller would
// be redirected forever. A menu the policy opens to every caller ([Options].Open) cannot refuse;
// without a policy, any menu may. Denied is what a caller refused by an explicit deny line hears
// (a blocklist); it never falls back to forbidden, may not goto a menu, and its built-in flow
// says "This call cannot be completed." and hangs up, naming no business and dialing no one; a
// denied flow that dials out is a warning. Error flows cannot record, nor dial with
// no_answer: they own no route to receive the result.
//
// # Routes
//
// Each node has the route base_path/name. A gather node adds name/gather; a node with a dial
// that has no_answer adds name/dialed (Twilio's DialCallStatus picks hang up or no_answer); a
// node that records adds name/recorded; a pin node adds name/pin; an agent node adds name/agent. When a node holds several of those, ?s=<n> in the
// action URL says which. Every route of a node asks for the node's permission and carries its
// sensitive flag.
//
// # Adding a kind of step
//
// The kinds of [Step] are a sealed set, listed once in step.go's kinds table (its key in a flow
// file, what the loader decodes that key's value into, whether only a menu may take it). A new
// kind — a PIN check, a backend fetch, an agent — is:
//
//  1. its type in model.go (a struct with yaml and validate tags, like [Dial]), with Kind and
//     step methods in step.go, a Kind constant and a row of kinds; the loader then knows its
//     key and the validator its field rules, with no other change (rules that relate its
//     fields are a struct-level function in rules.go);
//  2. a case in checker.action (validate.go) for the rules that span fields or nodes: targets
//     that must name a menu, what an error flow may not do;
//  3. a case in nodeCompiler.step (compile.go) that returns its verbs; a kind that answers a
//     request of its own adds a route with nodeCompiler.addRoute, a routeKind and its case in
//     [Route.Respond] (respond.go), as gather does;
//  4. a case in graph.action (graph.go) that draws its edges;
//  5. a sample in step_test.go's stepSamples, a node of that kind in testdata/kinds.yaml for
//     the golden files (go test -update), and its lines in this documentation.
//
// TestEveryKindRenders fails until 1 to 5 are done: a kind without its case in the compiler is
// a problem that stops [Compile].
//
// # Validation
//
// Loading reports unknown keys (with a suggestion), wrong types, duplicate keys and options,
// targets that name no node, a missing or unknown start, numbers that are not E.164, voice and
// language formats, time zones and hours ranges, a node that does two things, option keys that
// clash with navigation keys or finish_on_key, a loop of nodes with no gather between them (an
// error: Twilio would redirect forever), a refusal that leads back into a refusal, nodes no path
// from start reaches (a warning), a permission no policy line grants (a warning, with
// [Options].Grants), and any rendered document over 64 kB. Time zones need zoneinfo: a program
// that serves flows on a machine without it should import time/tzdata.
//
// Each check lives in one of four places, and every problem carries the YAML path of what it
// is about, which the loader maps to file:line:col:
//
//   - The loader (load.go): YAML syntax, types, unknown and duplicate keys, aliases, and a node
//     or destination that sets two kinds of step.
//   - The validator, go-playground/validator/v10 (validate.go, rules.go): every rule about what
//     one struct says. Formats and ranges are validate tags on the fields of model.go, with one
//     English message per tag in fieldRules; rules that relate the fields of one struct (a
//     prompt is one of say, play or pause; option keys a caller can enter; hours.open or a
//     body; call_center set when dialed) are struct-level functions in rules.go, whose message
//     is their problem's parameter. Its namespaces become field paths by walking the flow's
//     values (fieldPath), whatever the field: a new field needs its tag, nothing else.
//   - The checker (validate.go, graph.go, refusal.go): rules that relate parts of the flow —
//     goto targets, start and entries; where a step may be (a menu-only kind in a destination,
//     what an error flow cannot do); navigation keys each gather can take; the graph
//     (reachability, loops without a gather, refusals that lead back into a refusal); and the
//     policy, through [Options].
//   - The compiler (compile.go): every document within Twilio's 64 kB.
package flow
