package framework

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-ivr/switchboard/framework/flow"
	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/twiml"
)

// A weekday at 10:00 in New York, when sales is open, and a Sunday, when it is closed.
var (
	openHours   = time.Date(2026, 11, 18, 15, 0, 0, 0, time.UTC)
	closedHours = time.Date(2026, 11, 22, 15, 0, 0, 0, time.UTC)
)

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

// TestCallsThroughTheDemoMenu places calls into the embedded demo flow over HTTP, with requests
// signed as Twilio signs them, and checks what the caller hears and where the call goes.
func TestCallsThroughTheDemoMenu(t *testing.T) {
	tests := []struct {
		name    string
		when    time.Time
		caller  string
		presses []string
		want    []string // events that must appear, in this order (others may come between)
		last    string   // the event the call must end with
	}{
		{
			name: "support then billing lands on the billing Dial", when: openHours, caller: otherNumber,
			presses: []string{"2", "1"},
			want:    []string{"SAY Thanks for calling Acme.", "GATHER pressed 2", "GATHER pressed 1", "SAY Connecting you to billing."},
			last:    "DIAL +15555550112",
		},
		{
			name: "sales during business hours dials sales", when: openHours, caller: otherNumber,
			presses: []string{"1"},
			want:    []string{"GATHER pressed 1", "SAY Connecting you to sales.", "DIAL +15555550111", "DIALED completed"},
			last:    "HANGUP",
		},
		{
			name: "sales not answering goes to voicemail", when: openHours, caller: otherNumber,
			presses: []string{"1", "no-answer"},
			want:    []string{"DIAL +15555550111", "DIALED no-answer", "SAY Please leave a message after the tone, then press pound.", "RECORD"},
			last:    "HANGUP",
		},
		{
			name: "sales outside business hours goes to voicemail", when: closedHours, caller: otherNumber,
			presses: []string{"1"},
			want:    []string{"GATHER pressed 1", "SAY Sales is closed right now.", "SAY Please leave a message after the tone, then press pound.", "RECORD", "SAY Thank you for calling Acme. Goodbye."},
			last:    "HANGUP",
		},
		{
			name: "an invalid choice twice is exhausted and goes to the call center", when: openHours, caller: otherNumber,
			presses: []string{"7", "7"},
			want:    []string{"GATHER pressed 7", "SAY Sorry, that is not an option.", "GATHER pressed 7", "SAY Let me connect you with someone who can help."},
			last:    "DIAL +15555550100",
		},
		{
			name: "no input hears the no-input message, a retry, then exhausted", when: openHours, caller: otherNumber,
			want: []string{"GATHER no input", "SAY We did not get your choice.", "GATHER no input", "SAY Let me connect you with someone who can help."},
			last: "DIAL +15555550100",
		},
		{
			name: "back from support returns to the welcome menu", when: openHours, caller: otherNumber,
			presses: []string{"2", "8", "0"},
			want:    []string{"GATHER pressed 2", "GATHER pressed 8", "SAY Thanks for calling Acme.", "GATHER pressed 0"},
			last:    "DIAL +15555550100",
		},
		{
			name: "after 5 the call stays in Spanish, main menu included", when: openHours, caller: otherNumber,
			presses: []string{"5", "9", "0"},
			want:    []string{"GATHER pressed 5", "SAY Gracias por llamar a Acme.", "GATHER pressed 9", "SAY Gracias por llamar a Acme.", "GATHER pressed 0"},
			last:    "DIAL +15555550100",
		},
		{
			name: "a stranger is refused the staff menu and hears the staff-only message", when: openHours, caller: otherNumber,
			presses: []string{"6"},
			want:    []string{"GATHER pressed 6", "SAY This line is for Acme staff only."},
			last:    "DIAL +15555550100",
		},
		{
			name: "a spoofed staff number, unattested, is refused the staff login", when: openHours, caller: staffNumber + " failed",
			presses: []string{"6", "2468"},
			want:    []string{"GATHER pressed 6", "SAY This line is for Acme staff only."},
			last:    "DIAL +15555550100",
		},
		{
			name: "an attested staff number without the PIN hears goodbye after three wrong PINs", when: openHours, caller: staffNumber + " A",
			presses: []string{"6", "1111", "2222", "3333"},
			want:    []string{"GATHER pressed 6", "SAY Enter your staff PIN, then press pound.", "GATHER pressed 1111", "SAY That PIN is not correct.", "GATHER pressed 3333", "SAY Goodbye."},
			last:    "HANGUP",
		},
		{
			name: "an attested staff number with the right PIN reaches an extension", when: openHours, caller: staffNumber + " A",
			presses: []string{"6", "2468", "0102"},
			want:    []string{"GATHER pressed 6", "SAY Enter your staff PIN, then press pound.", "GATHER pressed 2468", "SAY Staff line. Enter the four digit extension.", "GATHER pressed 0102"},
			last:    "DIAL +15555550122",
		},
		{
			name: "a blocked caller hears the denied flow from the first request, and the call ends with no Dial", when: openHours, caller: blockedNumber,
			want: []string{"SAY Sorry, this line cannot take your call."},
			last: "HANGUP",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := newTestApp(t, &Options{Now: fixedClock(tt.when)})
			events := walk(t, app, tt.caller, "/ivr/welcome", tt.presses...)
			transcript := strings.Join(events, "\n")
			if !inOrder(events, tt.want) {
				t.Errorf("the call did not go through %q in order; it went:\n%s", tt.want, transcript)
			}
			if got := events[len(events)-1]; got != tt.last {
				t.Errorf("the call ended with %q, want %q; it went:\n%s", got, tt.last, transcript)
			}
		})
	}
}

// inOrder reports whether want is a subsequence of got.
func inOrder(got, want []string) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}

func TestCallInProgressSurvivesAFlowReload(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "flow.yaml", demoFlow)
	app := newTestApp(t, &Options{Flow: File(path), Now: fixedClock(openHours)})
	// The caller is at the welcome menu's gather when the flow changes under them.
	writeFile(t, dir, "flow.yaml", strings.Replace(demoFlow, "Connecting you to billing.", "Billing here.", 1))
	if err := app.Reload(); err != nil {
		t.Fatal(err)
	}
	events := walk(t, app, otherNumber, "/ivr/welcome/gather?i=0&n=0", "2", "1")
	if !slices.Contains(events, "SAY Billing here.") || events[len(events)-1] != "DIAL +15555550112" {
		t.Errorf("after the reload the call went:\n%s", strings.Join(events, "\n"))
	}
}

func TestAFlowHandsTheCallToAVoiceRouteOfTheProgram(t *testing.T) {
	f, probs := flow.Parse("balance.yaml", []byte(`version: 1
call_center: "+15555550100"
start: main
menus:
  main:
    gather:
      prompt: For your balance press 1.
      options:
        "1": {redirect: /ivr/balance}
`), nil)
	if err := probs.Err(); err != nil {
		t.Fatal(err)
	}
	app := newTestApp(t, &Options{Flow: Value(f)})
	err := app.Voice(http.MethodPost, "/ivr/balance", "view", func(r *http.Request) (twiml.Response, error) {
		set, _ := principals.FromContext(r.Context())
		if !set.Has(principals.Caller(otherNumber)) {
			return twiml.Response{}, errors.New("the balance route did not get the verified caller")
		}
		return twiml.Response{Verbs: []twiml.Verb{twiml.Say{Text: "Your balance is 12 dollars."}, twiml.Hangup{}}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	events := walk(t, app, otherNumber, "/ivr/main", "1")
	if want := []string{"GATHER pressed 1", "SAY Your balance is 12 dollars.", "HANGUP"}; !inOrder(events, want) {
		t.Errorf("the call went:\n%s\nwant %q in order", strings.Join(events, "\n"), want)
	}
}
