package callbacks_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"

	"github.com/switchboard-ivr/switchboard/callbacks"
	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

// A Receiver with no backend logs each callback, once and, for a call's status events, in
// SequenceNumber order: here "ringing" (1) arrives before "initiated" (0), and is logged after it.
func ExampleReceiver() {
	token := "0123456789abcdef0123456789abcdef" // in production: os.Getenv("TWILIO_AUTH_TOKEN")
	tw, err := principals.NewTwilio(principals.TwilioOptions{Tokens: []principals.Secret{principals.NewSecret(token)}})
	if err != nil {
		fmt.Println(err)
		return
	}
	app, err := framework.New(&framework.Options{
		Flow:     framework.Text("flow.yaml", "version: 1\nstart: a\ncallbacks: {status: true}\nmenus:\n  a: {dial: \"+15555550111\"}\n"),
		Policy:   framework.Text("policy.csv", "p, twilio, /ivr/*, view, allow\np, twilio, /callbacks/*, callback, allow\n"),
		Policies: []principals.Policy{tw},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The log, without its time, shows what the receiver did.
	log := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}))
	rc := callbacks.New(&callbacks.Options{Logger: log})
	if err := rc.Register(app); err != nil {
		fmt.Println(err)
		return
	}
	for _, ev := range [][2]string{{"1", "ringing"}, {"1", "ringing"}, {"0", "initiated"}} {
		form := url.Values{"CallSid": {"CA1"}, "SequenceNumber": {ev[0]}, "CallStatus": {ev[1]}}
		w := httptest.NewRecorder()
		app.ServeHTTP(w, principalstest.NewPOST(token, "https://ivr.example.com/callbacks/status", form))
		fmt.Println(w.Code, strings.TrimSpace(w.Body.String()) == "")
	}
	// Output:
	// 200 true
	// level=INFO msg="callback repeated" kind=status call_sid=CA1 sequence=1
	// 200 true
	// level=INFO msg=callback kind=status call_sid=CA1 status=initiated sequence=0
	// level=INFO msg=callback kind=status call_sid=CA1 status=ringing sequence=1
	// 200 true
}
