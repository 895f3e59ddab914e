package principals_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

// A Twilio policy behind a TLS-terminating proxy, with the public URL configured, checks a
// request signed for the public URL.
func ExampleNewTwilio() {
	p, err := principals.NewTwilio(principals.TwilioOptions{
		Tokens:    []principals.Secret{principals.NewSecret("12345")},
		PublicURL: "https://mycompany.com",
	})
	if err != nil {
		panic(err)
	}
	// Twilio's documented example has no Direction field, so it names no caller beyond
	// caller:anonymous; a real voice webhook sends Direction=inbound and holds caller:<From>.
	params := url.Values{
		"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+14158675309"}, "Digits": {"1234"},
		"From": {"+14158675309"}, "To": {"+18005551212"},
	}
	r := principalstest.NewPOST("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params)
	fmt.Println(r.Header.Get("X-Twilio-Signature"))

	res := principals.Authenticate(r, p)
	fmt.Println(res.Principals)

	r = principalstest.NewPOST("wrong-token", "https://mycompany.com/myapp.php", params)
	res = principals.Authenticate(r, p)
	fmt.Println(res.Principals, res.Failures)
	// Output:
	// RSOYDt4T1cUTdK1PDd93/VVr8B8=
	// caller:anonymous, system.Authenticated, system.Everyone, twilio
	// system.Everyone [twilio: signature mismatch]
}

// A program that plays Twilio's part, such as a test or a load generator, signs requests with a
// Signer: here the published vector of a webhook URL with credentials.
func ExampleSigner_Sign() {
	s, err := principals.NewSigner(principals.NewSecret("12345"), principals.HMACSHA1)
	if err != nil {
		panic(err)
	}
	// Twilio's documented example has no Direction field, so it names no caller beyond
	// caller:anonymous; a real voice webhook sends Direction=inbound and holds caller:<From>.
	params := url.Values{
		"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+14158675309"}, "Digits": {"1234"},
		"From": {"+14158675309"}, "To": {"+18005551212"},
	}
	fmt.Println(s.Sign("https://user:pass@mycompany.com/myapp.php?foo=1&bar=2", params))
	// Output:
	// CukzLTc1tT5dXEDIHm/tKBanW10=
}

// Why a request was not vouched for is a Reason, matched with errors.Is; its Label is a fixed
// metric label value.
func ExampleReason() {
	p, err := principals.NewTwilio(principals.TwilioOptions{Tokens: []principals.Secret{principals.NewSecret("12345")}})
	if err != nil {
		panic(err)
	}
	r := principalstest.NewPOST("wrong-token", "https://mycompany.com/ivr", url.Values{"Digits": {"1"}})
	_, _, err = p.Authenticate(r)
	var f *principals.Failure
	if errors.As(err, &f) && errors.Is(err, principals.ErrSignatureMismatch) {
		fmt.Println(f.Reason.Label())
	}
	// Output:
	// signature_mismatch
}

// A Media Streams or ConversationRelay endpoint served with plain net/http guards its WebSocket
// upgrade with the same policy: Twilio signs the handshake over the wss:// URL.
func ExampleTwilioPolicy_webSocket() {
	p, err := principals.NewTwilio(principals.TwilioOptions{
		Tokens:    []principals.Secret{principals.NewSecret("12345")},
		PublicURL: "https://ivr.example.com",
	})
	if err != nil {
		panic(err)
	}
	stream := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok, _ := p.Authenticate(r); !ok {
			http.Error(w, "forbidden", http.StatusForbidden) // log the error; tell the peer nothing
			return
		}
		fmt.Fprintln(w, "upgrade") // a real endpoint upgrades the connection here
	})
	for _, token := range []string{"12345", "forged"} {
		w := httptest.NewRecorder()
		stream.ServeHTTP(w, principalstest.NewHandshake(token, "wss://ivr.example.com/stream?call=CA1"))
		fmt.Print(w.Code, " ", w.Body.String())
	}
	// Output:
	// 200 upgrade
	// 403 forbidden
}
