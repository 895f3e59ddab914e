package framework

import (
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

// callbackFlow reads the number and day the backend at url answers with sayas.
func callbackFlow(url string) string {
	return fmt.Sprintf(`version: 1
start: callback
defaults: {voice: Polly.Joanna}
backends:
  crm: {url: %q, timeout: 300ms}
variables:
  number: {type: string}
  day: {type: string}
menus:
  callback:
    fetch: {backend: crm, sets: [number, day], on_error: {say: We cannot call you back today., hangup: true}}
    say: 'We will call {{ sayas "telephone" .number }} on {{ sayas "date" "mdy" .day }}.'
    hangup: true
`, url)
}

// The caller hears the backend's values as <say-as> elements of the <Say>, in a Polly voice,
// whatever markup a value holds.
func TestTheCallerHearsSayasValuesFromTheBackend(t *testing.T) {
	for _, tc := range []struct {
		name, answer, number, day string
	}{
		{"Plain", `{"number": "2025550143", "day": "12/25/2026"}`, "2025550143", "12/25/2026"},
		{"MarkupInAValue", `{"number": "555</say-as><say-as interpret-as=\"expletive\">0143", "day": "<break time=\"9s\"/>"}`,
			`555</say-as><say-as interpret-as="expletive">0143`, `<break time="9s"/>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, srv := newBank(t)
			b.answer.Store(tc.answer)
			app := newTestApp(t, &Options{
				Flow:       Text("callback.yaml", callbackFlow(srv.URL+"/ivr")),
				Policy:     Text("policy.csv", "p, twilio, /ivr/*, view, allow\n"),
				State:      newSealer(t),
				BackendKey: principals.NewSecret(backendKey),
			})
			doc := twimlOf(t, call(t, app, "/ivr/callback", principalstest.CallParams(otherNumber)))
			say := doc.find("Say")
			if say == nil || say.Attrs["voice"] != "Polly.Joanna" {
				t.Fatalf("no <Say voice=Polly.Joanna> in %v", doc.verbs())
			}
			if got, want := say.Text, "We will call  on ."; got != want {
				t.Errorf("the Say's own text is %q, want %q", got, want)
			}
			var got []string
			for _, c := range say.Children {
				if len(c.Children) > 0 {
					t.Errorf("<%s> has elements inside: %v", c.Name, c.Children)
				}
				got = append(got, c.Name+" "+c.Attrs["interpret-as"]+" "+c.Attrs["format"]+": "+c.Text)
			}
			want := []string{"say-as telephone : " + tc.number, "say-as date mdy: " + tc.day}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("the Say holds\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}
