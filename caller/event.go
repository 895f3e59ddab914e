package caller

import "strings"

// An Event is one thing the caller hears or does during a call.
type Event struct {
	Verb string // the TwiML verb, such as "Say" or "Gather"
	Text string // what was heard or done, such as "Thanks for calling." or "pressed 1"; may be empty
}

// String returns the event as `switchboard simulate` prints it: the verb in capitals, then its
// text, such as "SAY Thanks for calling." or "GATHER pressed 1". A call's sealed state in a URL
// (the st= query parameter a server adds once a call entered a PIN) prints as "st=…": it differs
// on every call and means nothing to a reader.
func (e Event) String() string {
	if e.Text == "" {
		return strings.ToUpper(e.Verb)
	}
	return strings.ToUpper(e.Verb) + " " + elideState(e.Text)
}

// elideState replaces the value of a URL's st= query parameter with "…".
func elideState(u string) string {
	q := strings.IndexByte(u, '?')
	if q < 0 {
		return u
	}
	for i := q; i < len(u); {
		if strings.HasPrefix(u[i+1:], "st=") {
			end := strings.IndexByte(u[i+4:], '&')
			if end < 0 {
				return u[:i+4] + "…"
			}
			return u[:i+4] + "…" + u[i+4+end:]
		}
		n := strings.IndexByte(u[i+1:], '&')
		if n < 0 {
			break
		}
		i += 1 + n
	}
	return u
}

// A Transcript is what happened during a call.
type Transcript struct {
	Events   []Event
	Requests int    // how many requests the call made
	End      string // how the call ended, such as "hung up"; empty when it did not end as a call can
}

// Lines returns the events as strings, in order.
func (t Transcript) Lines() []string {
	out := make([]string, len(t.Events))
	for i, e := range t.Events {
		out[i] = e.String()
	}
	return out
}

// String returns the events one a line, each ending in a newline.
func (t Transcript) String() string {
	var b strings.Builder
	for _, e := range t.Events {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}
