package principalstest_test

import (
	"fmt"
	"net/netip"
	"net/url"

	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

func ExampleSign() {
	fmt.Println(principalstest.Sign("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", url.Values{
		"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+14158675309"}, "Digits": {"1234"},
		"From": {"+14158675309"}, "To": {"+18005551212"},
	}))
	// Output: RSOYDt4T1cUTdK1PDd93/VVr8B8=
}

// A request signed for the public URL, as the app behind a TLS-terminating proxy receives it.
func ExampleViaProxy() {
	r := principalstest.NewPOST("12345", "https://ivr.example.com/ivr/welcome", url.Values{"Digits": {"1"}})
	r = principalstest.ViaProxy(r, netip.MustParseAddrPort("10.0.0.7:41000"), "app:8080")
	fmt.Println(r.Host, r.RequestURI, r.TLS == nil, r.RemoteAddr)
	fmt.Println(r.Header.Get("X-Forwarded-Proto"), r.Header.Get("X-Forwarded-Host"))
	// Output:
	// app:8080 /ivr/welcome true 10.0.0.7:41000
	// https ivr.example.com
}

func ExampleNewJSON() {
	r := principalstest.NewJSON("12345", "https://example.com/hook", []byte(`{"CallSid":"CA1"}`))
	fmt.Println(r.URL.RawQuery)
	// Output: bodySHA256=85264246de8d570722726062407cde49dc5bb2c2569c179765b178e3ffe30825
}

// The fields of a voice webhook, signed as Twilio signs them, for a handler under test.
func ExampleCallParams() {
	params := principalstest.CallParams("+15555550142", "Digits", "1")
	r := principalstest.NewPOST("test-token", "https://ivr.example.com/ivr/welcome/gather?i=0&n=0", params)
	fmt.Println(r.Method, r.URL.Path, params.Get("From"), params.Get("Digits"), r.Header.Get("X-Twilio-Signature") != "")
	// Output: POST /ivr/welcome/gather +15555550142 1 true
}
