package principals_test

import (
	"fmt"
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
	// caller:+14158675309, system.Authenticated, system.Everyone, twilio
	// system.Everyone [twilio: signature mismatch]
}
