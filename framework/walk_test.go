package framework

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

// walk places a call into h at start, the way Twilio runs TwiML, and returns what the caller
// experienced, one event a line: "SAY …", "GATHER pressed 1", "GATHER no input", "DIAL +1…",
// "RECORD", "ENQUEUE name", "HANGUP". Gathers are answered from presses in order; when they run
// out, a Gather gets no input and the call falls through to the next verb, as on Twilio. caller
// is the From number. The walk ends at a Hangup, a Dial without action, the end of a document,
// or after 30 requests (an error: a loop). A Dial with an action reports DialCallStatus
// "completed", or "no-answer" when the next entry of presses is "no-answer".
func walk(t *testing.T, h http.Handler, caller, start string, presses ...string) []string {
	t.Helper()
	var events []string
	target, params := start, callerParams(caller)
	for range 30 {
		doc := twimlOf(t, call(t, h, target, params))
		next, nextParams := "", callerParams(caller)
	verbs:
		for _, v := range doc.Children {
			switch v.Name {
			case "Say":
				events = append(events, "SAY "+v.Text)
			case "Play":
				events = append(events, "PLAY "+v.Text)
			case "Pause":
			case "Gather":
				for _, s := range v.says() {
					events = append(events, "SAY "+s)
				}
				if len(presses) == 0 {
					events = append(events, "GATHER no input")
					continue
				}
				events = append(events, "GATHER pressed "+presses[0])
				nextParams.Set("Digits", presses[0])
				presses = presses[1:]
				next = resolve(t, target, v.Attrs["action"])
				break verbs
			case "Redirect":
				next = resolve(t, target, v.Text)
				break verbs
			case "Dial":
				num := v.find("Number")
				if num == nil {
					t.Fatalf("Dial without a Number in %s", target)
				}
				events = append(events, "DIAL "+strings.TrimSpace(num.Text))
				if v.Attrs["action"] == "" {
					return events
				}
				status := "completed"
				if len(presses) > 0 && presses[0] == "no-answer" {
					status, presses = "no-answer", presses[1:]
				}
				events = append(events, "DIALED "+status)
				nextParams.Set("DialCallStatus", status)
				next = resolve(t, target, v.Attrs["action"])
				break verbs
			case "Record":
				events = append(events, "RECORD")
				nextParams.Set("RecordingUrl", "https://api.twilio.com/recording/RE1")
				next = resolve(t, target, v.Attrs["action"])
				break verbs
			case "Enqueue":
				events = append(events, "ENQUEUE "+v.Text)
				return events
			case "Hangup":
				events = append(events, "HANGUP")
				return events
			default:
				t.Fatalf("unexpected verb <%s> in %s", v.Name, target)
			}
		}
		if next == "" {
			return events
		}
		target, params = next, nextParams
	}
	t.Fatalf("the call did not end after 30 requests; events so far:\n%s", strings.Join(events, "\n"))
	return nil
}

// resolve returns ref relative to the path (and query) base, as Twilio resolves TwiML URLs.
func resolve(t *testing.T, base, ref string) string {
	t.Helper()
	b, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	r, err := b.Parse(ref)
	if err != nil {
		t.Fatal(err)
	}
	return r.RequestURI()
}

// callerParams returns the fields of a voice webhook from caller: a number, optionally followed
// by a space and an attestation level ("+15555550123 A"), sent as StirVerstat.
func callerParams(caller string) url.Values {
	number, level, _ := strings.Cut(caller, " ")
	p := principalstest.CallParams(number)
	switch level {
	case "A", "B", "C":
		p.Set("StirVerstat", "TN-Validation-Passed-"+level)
	case "failed":
		p.Set("StirVerstat", "TN-Validation-Failed")
	}
	return p
}
