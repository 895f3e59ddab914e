package principals_test

import (
	"crypto/tls"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/twilio/twilio-go/client"

	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

// oracleCase is a request given as what Twilio signed (the URL and the raw form body) and the
// URL the app sees, when it differs.
type oracleCase struct {
	name, url, body, seen string
}

var placeholderTLS = &tls.ConnectionState{}

func (c oracleCase) seenURL() string {
	if c.seen != "" {
		return c.seen
	}
	return c.url
}

// signedRequest builds the request Twilio sends for c, signed by principalstest.Sign.
func (c oracleCase) signedRequest(t testing.TB) (*http.Request, string) {
	t.Helper()
	params, err := url.ParseQuery(c.body)
	if err != nil {
		params = parseLoose(c.body)
	}
	sig := principalstest.Sign(token, c.url, params)
	r := principalstest.NewPOSTBody("http://placeholder/", c.body, sig)
	scheme, rest, _ := strings.Cut(c.seenURL(), "://")
	host, uri := rest, "/"
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		host, uri = rest[:i], rest[i:]
	}
	r.Host, r.RequestURI = host, uri
	r.TLS = nil
	if strings.EqualFold(scheme, "https") {
		r.TLS = placeholderTLS
	}
	return r, sig
}

// parseLoose splits a form body the way Twilio means it: ';' is text.
func parseLoose(body string) url.Values {
	v := url.Values{}
	for kv := range strings.SplitSeq(body, "&") {
		k, val, _ := strings.Cut(kv, "=")
		k, _ = url.QueryUnescape(k)
		val, _ = url.QueryUnescape(val)
		v[k] = append(v[k], val)
	}
	return v
}

// Inputs on which twilio-go's RequestValidator is right: ASCII paths, no repeated keys, no ';',
// lower-case schemes, no IPv6 hosts, valid escapes.
var oracleAgrees = []oracleCase{
	{name: "documented example", url: "https://mycompany.com/myapp.php?foo=1&bar=2", body: "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212"},
	{name: "no params", url: "https://example.com/ivr"},
	{name: "empty value", url: "https://example.com/ivr/gather?retry=2", body: "Digits=&FinishedOnKey=&From=%2B15551234567"},
	{name: "plus and escapes", url: "https://example.com/ivr", body: "FromCity=SAN+FRANCISCO&Msg=caf%C3%A9&Note=a%26b%3Dc"},
	{name: "http with port 80", url: "http://example.com:80/ivr", body: "Digits=1"},
	{name: "signed with port 443, seen without", url: "https://example.com:443/ivr", body: "Digits=1", seen: "https://example.com/ivr"},
	{name: "signed without port 443, seen with", url: "https://example.com/ivr", body: "Digits=1", seen: "https://example.com:443/ivr"},
	{name: "trailing slash", url: "https://example.com/ivr/", body: "Digits=1"},
	{name: "encoded query", url: "https://example.com/ivr?next=%2Fmenu%3Fa%3D1&x=a+b", body: "Digits=1"},
	{name: "voice callback", url: "https://ivr.example.com/ivr/welcome/gather?attempt=1", body: callbackBody},
}

// Inputs on which twilio-go's RequestValidator is wrong: the six reasons principals does its own
// canonicalisation.
var oracleWrong = []oracleCase{
	{name: "repeated key keeps only its first value", url: "https://example.com/ivr", body: "Digits=1&Digits=2"},
	{name: "non-ASCII path is re-encoded when the port is changed", url: "https://example.com/café", body: "Digits=1", seen: "https://example.com:443/café"},
	{name: "IPv6 host with a port is broken", url: "https://[::1]/ivr", body: "Digits=1", seen: "https://[::1]:443/ivr"},
	{name: "upper-case scheme is lower-cased when the port is changed", url: "HTTPS://example.com/ivr", body: "Digits=1", seen: "HTTPS://example.com:443/ivr"},
	{name: "semicolon in the body is refused", url: "https://example.com/ivr", body: "SpeechResult=yes;no"},
	{name: "malformed escape in the URL is refused", url: "https://example.com/ivr%zz", body: "Digits=1"},
}

func TestTwilioAgreesWithTwilioGoWhereItIsRight(t *testing.T) {
	for _, c := range oracleAgrees {
		t.Run(c.name, func(t *testing.T) {
			r, sig := c.signedRequest(t)
			v := client.NewRequestValidator(token)
			if !v.ValidateBody(c.seenURL(), []byte(c.body), sig) {
				t.Fatalf("twilio-go rejects %s %q: the test case is wrong", c.seenURL(), c.body)
			}
			p := newTwilio(t, principals.TwilioOptions{})
			if _, ok, f := authenticate(t, p, r); !ok {
				t.Errorf("twilio-go accepts, we reject: %v", f)
			}
			// A one-byte change to the signed URL: both must reject.
			tampered := strings.Replace(c.url, "/ivr", "/ivR", 1)
			if tampered == c.url {
				tampered = c.url + "x"
			}
			if v.ValidateBody(tampered, []byte(c.body), sig) {
				t.Errorf("twilio-go accepts a tampered URL")
			}
		})
	}
}

func TestTwilioIsRightWhereTwilioGoIsWrong(t *testing.T) {
	for _, c := range oracleWrong {
		t.Run(c.name, func(t *testing.T) {
			r, sig := c.signedRequest(t)
			v := client.NewRequestValidator(token)
			if v.ValidateBody(c.seenURL(), []byte(c.body), sig) {
				t.Errorf("twilio-go now accepts %s %q; drop this case from the package doc", c.seenURL(), c.body)
			}
			if _, ok, f := authenticate(t, newTwilio(t, principals.TwilioOptions{PublicURL: publicOf(c.seenURL())}), r); !ok {
				t.Errorf("rejected: %v", f)
			}
		})
	}
}

// publicOf returns the scheme and host of a URL, as written.
func publicOf(u string) string {
	scheme, rest, _ := strings.Cut(u, "://")
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		rest = rest[:i]
	}
	return scheme + "://" + rest
}
