package flow

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Input is what Twilio sent with a request, as far as a route needs it.
type Input struct {
	Digits         string    // the Digits form field
	Speech         string    // the SpeechResult form field
	Query          string    // the request URL's raw query, which carries retry counts
	DialCallStatus string    // the DialCallStatus form field, on a dialed route
	Now            time.Time // the time for business hours; zero means time.Now()
	PIN            PINResult // on a pin route: what the server found of the digits
	SessionStatus  string    // the SessionStatus form field, on an agent route
	HandoffData    string    // the HandoffData form field, on an agent route: the agent's JSON
	Called         string    // the Called form field: picks the language of a request whose URL names none (languages.by_called)
	// Vars are the call's variables, on a [Route.Dynamic] route: those its state token carries,
	// those a fetch on this request set, and caller, called, digits and speech.
	Vars map[string]string
	// FetchFailed says the route's fetch ([Route.Fetch]) failed: the answer is its on_error.
	FetchFailed bool

	picking bool // Answer asks Respond for the document with its markers
}

// PINResult is what the server found of the digits sent to a pin route ([Route.PIN]).
type PINResult uint8

// The outcomes of a PIN check.
const (
	PINUnchecked PINResult = iota // no digits (silence), or not checked: counts as a wrong attempt
	PINRight                      // the digits are the secret's PIN
	PINWrong                      // they are not
	PINLocked                     // the calling number is locked out: the failed branch, unchecked
)

// PINCheck is what a pin route asks the server to check: the digits against the PIN named
// Secret in the secrets file; a right one grants the call the scope Grants.
type PINCheck struct {
	Secret string
	Grants string
}

// PIN returns what the server must check before [Route.Respond] on a pin route (the node's
// /pin), or nil on any other route.
func (r *Route) PIN() *PINCheck {
	if r.kind != routePIN {
		return nil
	}
	return r.n.pin
}

// Route is one path a compiled flow answers, with the permission the authorizer must check for
// it.
type Route struct {
	Path       string // a static Echo route pattern such as "/ivr/welcome/gather", without query
	Node       string // the node the route belongs to
	Permission string // the permission a caller needs; "view" unless the node sets one
	Sensitive  bool   // the digits entered here must never be logged

	kind      routeKind
	n         *node      // the route's node in the default language
	ns        []*node    // in each language of the flow, by index; nil in a flow of one language
	lt        *langTable // picks a request's language; nil in a flow of one language
	saveInput bool       // the flow uses the caller's digits or speech after a gather (Route.SavesInput)
}

type routeKind uint8

const (
	routeEntry    routeKind = iota // /ivr/<node>
	routeGather                    // /ivr/<node>/gather?i=&n=
	routeDialed                    // /ivr/<node>/dialed?s=
	routeRecorded                  // /ivr/<node>/recorded?s=
	routePIN                       // /ivr/<node>/pin?a=
	routeAgent                     // /ivr/<node>/agent?r=
)

// HandsOff reports whether the route's document may hand the call to an agent (the entry route
// of a node with an agent step, and its /agent route, which may connect the caller once more
// after a failed session): the server then seals the call's state into it whether or not the
// call holds any scopes, and writes the token in place of [StatePlaceholder].
func (r *Route) HandsOff() bool {
	return r.n.agent && (r.kind == routeEntry || r.kind == routeAgent)
}

// AgentReturn reports whether the route is where an agent session ends (a node's /agent): the
// server must accept a request there only with the state token it sealed for this call.
func (r *Route) AgentReturn() bool { return r.kind == routeAgent }

// ErrState is wrapped by the error [Route.CheckState] returns: the request's URL carries call
// state (a retry count, a dial or record site, a PIN attempt count) that this server never
// emits for the route.
var ErrState = errors.New("flow: call state in the URL is not one this route emits")

// CheckState reports whether the raw query of a request to the route carries only call state the
// compiler emits for it: on a gather route i= and n= (the invalid and no-input counts), on a
// dialed or recorded route s= (the site), on a pin route a= (the attempts so far), on an agent
// route r= (the sessions retried after a failure). Each, when
// present, must appear once, as decimal digits without a sign or leading zero, and below the
// route's bound (max_invalid, max_no_input, the node's dial or record sites, max_attempts). A
// missing parameter is state zero (the first entry, or site 0, whose URL has no s=). Parameters
// the route does not read are ignored. A non-nil error wraps [ErrState] and names the parameter;
// the server answers it with the not-found flow rather than reset a counter.
func (r *Route) CheckState(query string) error {
	n := r.n
	switch r.kind {
	case routeGather:
		if err := checkParam(query, "i", n.maxI); err != nil {
			return err
		}
		return checkParam(query, "n", n.maxN)
	case routeDialed:
		return checkParam(query, "s", len(n.dialed))
	case routeRecorded:
		return checkParam(query, "s", len(n.recorded))
	case routePIN:
		return checkParam(query, "a", n.pinMax)
	case routeAgent:
		return checkParam(query, "r", len(n.agentRetry)) // none with on_error
	}
	return nil
}

// ReadsState reports whether the route reads call state from its URL (a gather, dialed,
// recorded, pin or agent route): the server then requires that state to be the state it sealed
// for the call, or state zero when the request carries no token. Every route of a flow with
// several languages reads the call's language from its URL ([LanguageParam]), which the server
// seals the same way; [Route.ZeroState] counts a URL that names one as beyond the first state.
func (r *Route) ReadsState() bool {
	if r.lt != nil {
		return true
	}
	switch r.kind {
	case routeGather, routeDialed, routeRecorded, routePIN, routeAgent:
		return true
	}
	return false
}

// ZeroState reports whether a raw query that [Route.CheckState] accepted holds the route's first
// state: no count above zero (the first prompt of a gather or a pin) and site 0.
func (r *Route) ZeroState(query string) bool {
	var seen uint8 // the state's keys met so far: only the first of each counts, as in queryValue
	for q := query; q != ""; {
		var kv string
		kv, q = cutParam(q)
		k, v, ok := strings.Cut(kv, "=")
		var bit uint8
		switch k {
		case "i":
			bit = 1
		case "n":
			bit = 2
		case "s":
			bit = 4
		case "a":
			bit = 8
		case "r":
			bit = 16
		case LanguageParam:
			bit = 32
		}
		if !ok || bit == 0 || seen&bit != 0 {
			continue
		}
		seen |= bit
		if k == LanguageParam && v != "" {
			return false
		}
		if k != LanguageParam && count(v) > 0 {
			return false
		}
	}
	return true
}

// checkParam checks that key appears in the raw query q at most once, with a value in [0, max).
func checkParam(q, key string, max int) error {
	seen := false
	for q != "" {
		var kv string
		kv, q = cutParam(q)
		if len(kv) < len(key) || kv[:len(key)] != key || (len(kv) > len(key) && kv[len(key)] != '=') {
			continue
		}
		if seen {
			return fmt.Errorf("%w: %s= appears twice", ErrState, key)
		}
		seen = true
		v := kv[min(len(kv), len(key)+1):]
		x, ok := smallUint(v)
		if !ok {
			return fmt.Errorf("%w: %s=%.8q is not a count", ErrState, key, v)
		}
		if x >= max {
			return fmt.Errorf("%w: %s=%d is out of range (below %d)", ErrState, key, x, max)
		}
	}
	return nil
}

// smallUint parses 1 to 4 decimal digits without a leading zero ("0" itself is allowed).
func smallUint(v string) (int, bool) {
	if v == "" || len(v) > 4 || (len(v) > 1 && v[0] == '0') {
		return 0, false
	}
	x := 0
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
		x = x*10 + int(v[i]-'0')
	}
	return x, true
}

// Respond returns the TwiML for a request to the route: pre-rendered bytes the caller must not
// modify. It never allocates on the DTMF path of a static node and never panics: counters in the
// query that are missing, garbage or out of range are clamped. The server refuses such a query
// before it gets here ([Route.CheckState]); the clamp only keeps Respond total for other callers.
//
// On a gather route, no digits and no speech is a silence (the <Redirect> after the <Gather>);
// digits or speech that match no option, an invalid choice; a navigation key goes where it says.
//
// In a flow with several languages, the document is in the language the URL names (l=), else
// the one languages.by_called gives in.Called, else the default.
//
// On a [Route.Dynamic] route the prompts render with in.Vars, and one that cannot is the
// internal error flow ([Route.Answer] says why).
func (r *Route) Respond(in Input) []byte {
	n := r.node(&in)
	if n.dyn != nil {
		if !in.picking {
			b, _ := r.Answer(in)
			return b
		}
		if r.kind == routeEntry {
			if in.FetchFailed && n.fetch != nil {
				return n.fetchFailed
			}
			if n.dyn.sw != nil && (n.hours == nil || n.hours.open(in.now())) {
				return n.dyn.sw.choose(in.Vars)
			}
		}
	}
	// The pre-rendered document for the request; on a dynamic node it holds the templates'
	// markers, which Answer fills in.
	switch r.kind {
	case routeEntry:
		if n.hours != nil {
			now := in.Now
			if now.IsZero() {
				now = time.Now()
			}
			if !n.hours.open(now) {
				return n.closed
			}
		}
		return n.entry
	case routeGather:
		if in.Digits == "" && strings.TrimSpace(in.Speech) == "" {
			i, c := counts(in.Query, n.maxI, n.maxN)
			if c+1 >= n.maxN {
				return n.exhausted
			}
			return n.noInput[i*n.maxN+c+1]
		}
		if in.Digits != "" {
			for k := range n.options {
				if n.options[k].key == in.Digits {
					return n.options[k].out
				}
			}
			for k := range n.nav {
				if n.nav[k].key == in.Digits {
					return n.nav[k].out
				}
			}
		} else {
			for k := range n.words {
				if containsWord(in.Speech, n.words[k].key) {
					return n.words[k].out
				}
			}
		}
		if n.other != nil {
			return n.other
		}
		i, c := counts(in.Query, n.maxI, n.maxN)
		if i+1 >= n.maxI {
			return n.exhausted
		}
		return n.invalid[(i+1)*n.maxN+c]
	case routeDialed:
		if in.DialCallStatus == "completed" || in.DialCallStatus == "answered" {
			return n.hangup
		}
		return n.dialed[clamp(queryInt(in.Query, "s"), len(n.dialed))]
	case routeRecorded:
		return n.recorded[clamp(queryInt(in.Query, "s"), len(n.recorded))]
	case routePIN:
		switch in.PIN {
		case PINRight:
			return n.pinOK
		case PINLocked:
			return n.pinFailed
		}
		a := clamp(queryInt(in.Query, "a"), n.pinMax)
		if a+1 >= n.pinMax {
			return n.pinFailed
		}
		return n.pinRetry[a+1]
	case routeAgent:
		return n.respondAgent(in)
	}
	return n.errs[Internal]
}

// node returns the route's node in the request's language.
func (r *Route) node(in *Input) *node {
	if r.lt == nil {
		return r.n
	}
	return r.ns[r.lt.index(in.Query, in.Called)]
}

// now returns the time business hours are decided on.
func (in *Input) now() time.Time {
	if in.Now.IsZero() {
		return time.Now()
	}
	return in.Now
}

// counts returns the invalid (i=) and no-input (n=) counts of a gather query, clamped.
func counts(q string, maxI, maxN int) (i, n int) {
	return clamp(queryInt(q, "i"), maxI), clamp(queryInt(q, "n"), maxN)
}

// queryInt returns the small non-negative integer value of key in a raw query, or -1.
func queryInt(q, key string) int { return count(queryValue(q, key)) }

// count returns the number a query value of at most four digits holds, or -1.
func count(v string) int {
	if v == "" || len(v) > 4 {
		return -1
	}
	x := 0
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return -1
		}
		x = x*10 + int(v[i]-'0')
	}
	return x
}

// queryValue returns the raw value of the first key= in a raw query, or "", without allocating:
// it runs on every gather.
func queryValue(q, key string) string {
	for q != "" {
		var kv string
		kv, q = cutParam(q)
		if len(kv) > len(key) && kv[len(key)] == '=' && kv[:len(key)] == key {
			return kv[len(key)+1:]
		}
	}
	return ""
}

// cutParam splits a raw query at its first '&': the first key=value, and the rest.
func cutParam(q string) (kv, rest string) {
	if i := strings.IndexByte(q, '&'); i >= 0 {
		return q[:i], q[i+1:]
	}
	return q, ""
}

// clamp keeps x in [0, max).
func clamp(x, max int) int {
	if x < 0 || max <= 0 {
		return 0
	}
	if x >= max {
		return max - 1
	}
	return x
}

// normalizeWord lower-cases a speech word and trims punctuation and extra spaces.
func normalizeWord(w string) string {
	fields := strings.FieldsFunc(strings.ToLower(w), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	return strings.Join(fields, " ")
}

// containsWord reports whether speech holds the normalized word w as whole words, ignoring case
// and punctuation. It does not allocate.
func containsWord(speech, w string) bool {
	for i := 0; i+len(w) <= len(speech); i++ {
		if i > 0 && isWordByteBefore(speech[:i]) {
			continue
		}
		if !strings.EqualFold(speech[i:i+len(w)], w) {
			continue
		}
		if rest := speech[i+len(w):]; rest != "" {
			r, _ := utf8.DecodeRuneInString(rest)
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				continue
			}
		}
		return true
	}
	return false
}

func isWordByteBefore(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}
