package outbound_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/outbound"
	"github.com/switchboard-ivr/switchboard/principals"
)

// POST /calls starts a call into the flow's reminder entry; a stand-in for Twilio's REST API on
// loopback shows what Twilio is asked.
func ExampleRegister() {
	twilio := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		fmt.Println(r.Method, r.URL.Path)
		for _, k := range []string{"To", "From", "Url", "TimeLimit", "StatusCallback"} {
			fmt.Printf("  %s=%s\n", k, r.PostForm.Get(k))
		}
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"sid": "CA0123", "status": "queued"}`)
	}))
	defer twilio.Close()

	operatorKey := "operator-key-0123456789abcdef01234" // in production: a line of the keys file
	keys, err := principals.ParseAPIKeys("keys", strings.NewReader("otto "+principals.HashAPIKey(operatorKey)+" operators\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	app, err := framework.New(&framework.Options{
		Flow: framework.Text("flow.yaml", `version: 1
start: welcome
entries: [reminder]
dial_allow: ["+1"]
max_call_seconds: 600
callbacks: {status: true}
menus:
  welcome: {say: Welcome., hangup: true}
  reminder: {say: Your appointment is tomorrow at nine., hangup: true}
`),
		Policy:   framework.Text("policy.csv", "p, twilio, /ivr/*, view, allow\np, group:operators, /calls, call, allow\n"),
		Policies: []principals.Policy{keys},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = outbound.Register(app, &outbound.Options{
		AccountSID: "AC0123456789abcdef0123456789abcdef",
		AuthToken:  principals.NewSecret("0123456789abcdef0123456789abcdef"), // os.Getenv("TWILIO_AUTH_TOKEN")
		From:       "+15555550100",
		PublicURL:  "https://ivr.example.com",
		BaseURL:    twilio.URL, // omit in production: https://api.twilio.com
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, body := range []string{`{"to": "+15555550142", "menu": "reminder"}`, `{"to": "+442071838750", "menu": "reminder"}`} {
		r := httptest.NewRequest(http.MethodPost, "https://ivr.example.com/calls", strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+operatorKey)
		w := httptest.NewRecorder()
		app.ServeHTTP(w, r)
		fmt.Println(w.Code, strings.TrimSpace(w.Body.String()))
	}
	// Output:
	// POST /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls.json
	//   To=+15555550142
	//   From=+15555550100
	//   Url=https://ivr.example.com/ivr/reminder
	//   TimeLimit=600
	//   StatusCallback=https://ivr.example.com/callbacks/status
	// 201 {"sid":"CA0123","status":"queued","to":"+15555550142","url":"https://ivr.example.com/ivr/reminder"}
	// 400 {"type":"about:blank","title":"Bad Request","status":400,"detail":"to: refused by the flow's dial_allow: destination not allowed: the number matches no allowlist entry (+1)"}
}
