package framework

import (
	"net/http"
	"slices"
	"testing"

	"github.com/switchboard-ivr/switchboard/principals/principalstest"
	"github.com/switchboard-ivr/switchboard/twiml"
)

// TestFlowRouteDispatchAgreesWithEcho serves flow routes through the dispatcher's direct lookup
// and checks that it answers what Echo's router would: the route's TwiML on GET and POST, the
// not-found flow for an escaped path Echo does not match, and a route registered with App.Voice
// on a flow route's path wins over the flow, as it does in Echo.
func TestFlowRouteDispatchAgreesWithEcho(t *testing.T) {
	app := newTestApp(t, nil)
	params := principalstest.CallParams(staffNumber, "Digits", "1")
	welcome := twimlOf(t, call(t, app, "/ivr/welcome", params))
	if len(welcome.verbs()) == 0 {
		t.Fatal("the welcome menu answered no verbs")
	}
	// GET signs the URL alone, with the parameters in the query.
	get := principalstest.NewGET(testToken, testHost+"/ivr/welcome?"+params.Encode())
	if got := twimlOf(t, send(app, get)); !slices.Equal(got.verbs(), welcome.verbs()) {
		t.Errorf("GET /ivr/welcome answered %v, POST %v", got.verbs(), welcome.verbs())
	}
	// An escaped slash: Echo matches the raw path, which is no route; neither may the lookup.
	r := principalstest.NewPOST(testToken, testHost+"/ivr%2Fwelcome", params)
	if r.URL.RawPath == "" {
		t.Fatalf("the request lost its escaped path: %+v", r.URL)
	}
	if got := twimlOf(t, send(app, r)); slices.Equal(got.verbs(), welcome.verbs()) {
		t.Errorf("POST /ivr%%2Fwelcome answered the welcome menu; Echo matches no route there")
	}

	if err := app.Voice(http.MethodPost, "/ivr/welcome", "view", func(*http.Request) (twiml.Response, error) {
		return twiml.Response{Verbs: []twiml.Verb{twiml.Say{Text: "registered route"}}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := twimlOf(t, call(t, app, "/ivr/welcome", params)).says(); !slices.Equal(got, []string{"registered route"}) {
		t.Errorf("POST /ivr/welcome after App.Voice said %q, want the registered route", got)
	}
}
