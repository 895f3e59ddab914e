package framework_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"

	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/framework/flow"
	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

// A flow built in Go, served with the default policy: a signed request hears the menu, a forged
// one hears the error call flow — both with HTTP 200 and TwiML.
func ExampleNew() {
	menu := `version: 1
call_center: "+15555550100"
start: main
menus:
  main:
    gather:
      prompt: For sales press 1.
      options:
        "1": {dial: "+15555550111"}
errors:
  forbidden: {say: We could not verify this call., dial: call_center}
`
	f, problems := flow.Parse("menu.yaml", []byte(menu), nil)
	if err := problems.Err(); err != nil {
		fmt.Println(err)
		return
	}
	token := "0123456789abcdef0123456789abcdef" // in production: os.Getenv("TWILIO_AUTH_TOKEN")
	tw, err := principals.NewTwilio(principals.TwilioOptions{Tokens: []principals.Secret{principals.NewSecret(token)}})
	if err != nil {
		fmt.Println(err)
		return
	}
	app, err := framework.New(&framework.Options{
		Flow:     framework.Value(f),
		Policies: []principals.Policy{tw},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	params := url.Values{"CallSid": {"CA1"}, "From": {"+15555550142"}, "Digits": {"1"}}
	for _, tok := range []string{token, "forged"} {
		w := httptest.NewRecorder()
		app.ServeHTTP(w, principalstest.NewPOST(tok, "https://ivr.example.com/ivr/main/gather?i=0&n=0", params))
		fmt.Println(w.Code, w.Header().Get("Content-Type"))
		fmt.Println(w.Body.String())
	}
	// Output:
	// 200 text/xml; charset=utf-8
	// <?xml version="1.0" encoding="UTF-8"?><Response><Dial><Number>+15555550111</Number></Dial></Response>
	// 200 text/xml; charset=utf-8
	// <?xml version="1.0" encoding="UTF-8"?><Response><Say>We could not verify this call.</Say><Dial><Number>+15555550100</Number></Dial></Response>
}
