package principals_test

import (
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

const (
	token      = "12345"
	secondary  = "67890"
	subToken   = "sub-account-token"
	mainSID    = "AC00000000000000000000000000000001"
	subSID     = "AC00000000000000000000000000000002"
	proxyAddr  = "10.0.0.7:51234"
	strangerIP = "203.0.113.9:40000"
)

var docParams = url.Values{
	"CallSid": {"CA1234567890ABCDE"},
	"Caller":  {"+14158675309"},
	"Digits":  {"1234"},
	"From":    {"+14158675309"},
	"To":      {"+18005551212"},
}

func newTwilio(t testing.TB, opts principals.TwilioOptions) *principals.TwilioPolicy {
	t.Helper()
	if opts.Tokens == nil && opts.AccountTokens == nil && !opts.Disabled {
		opts.Tokens = []principals.Secret{principals.NewSecret(token)}
	}
	p, err := principals.NewTwilio(opts)
	if err != nil {
		t.Fatalf("NewTwilio: %v", err)
	}
	return p
}

// authenticate runs p on r and returns the failure, if any, as a *Failure.
func authenticate(t testing.TB, p principals.Policy, r *http.Request) (principals.Identity, bool, *principals.Failure) {
	t.Helper()
	id, ok, err := p.Authenticate(r)
	var f *principals.Failure
	if err != nil && !errors.As(err, &f) {
		t.Fatalf("Authenticate error %v is not a *Failure", err)
	}
	if ok && err != nil {
		t.Fatalf("Authenticate vouched and failed at once: %v", err)
	}
	return id, ok, f
}

func TestTwilioDocumentedExampleVerifies(t *testing.T) {
	const u = "https://mycompany.com/myapp.php?foo=1&bar=2"
	const want = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
	if got := principalstest.Sign(token, u, docParams); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	r := principalstest.NewPOST(token, u, docParams)
	if got := r.Header.Get("X-Twilio-Signature"); got != want {
		t.Fatalf("NewPOST signed %s, want %s", got, want)
	}
	id, ok, f := authenticate(t, newTwilio(t, principals.TwilioOptions{}), r)
	if !ok {
		t.Fatalf("documented example rejected: %v", f)
	}
	// Twilio's example has no Direction field, so it names no caller (TwilioPolicy).
	wantP := []string{"twilio", principals.AnonymousCaller}
	if !slices.Equal(id.Principals, wantP) || id.CallSID != "CA1234567890ABCDE" || id.Policy != "twilio" {
		t.Errorf("identity = %+v, want principals %q and CallSID CA1234567890ABCDE", id, wantP)
	}
	sig, err := newTwilio(t, principals.TwilioOptions{}).Sign(principalstest.NewPOST(token, u, docParams))
	if err != nil || sig != want {
		t.Errorf("TwilioPolicy.Sign = %q, %v; want %s", sig, err, want)
	}
}

// A trap is one way the URL or the signed text can go wrong.
type trap struct {
	name    string
	opts    principals.TwilioOptions
	request func() *http.Request
	vouch   bool
	reason  *principals.Reason // when !vouch
	hint    string             // a substring of the hint; "" means no hint is expected
}

func runTraps(t *testing.T, traps []trap) {
	t.Helper()
	for _, tc := range traps {
		t.Run(tc.name, func(t *testing.T) {
			p := newTwilio(t, tc.opts)
			r := tc.request()
			_, ok, f := authenticate(t, p, r)
			if ok != tc.vouch {
				t.Fatalf("vouched = %v, want %v (failure: %v)", ok, tc.vouch, f)
			}
			if ok {
				return
			}
			if f == nil || f.Reason != tc.reason || !errors.Is(f, tc.reason) {
				t.Fatalf("failure = %v, want reason %v", f, tc.reason)
			}
			if tc.hint == "" && f.Hint != "" || !strings.Contains(f.Hint, tc.hint) {
				t.Errorf("hint = %q, want %q", f.Hint, tc.hint)
			}
		})
	}
}

// post returns a form POST that Twilio signed for signedURL but that arrives at target.
func post(signedURL, target string, params url.Values) func() *http.Request {
	return func() *http.Request {
		return principalstest.NewPOSTBody(target, params.Encode(), principalstest.Sign(token, signedURL, params))
	}
}

func proxied(r *http.Request, peer, internalHost string) *http.Request {
	return principalstest.ViaProxy(r, netip.MustParseAddrPort(peer), internalHost)
}

func TestTwilioURLTraps(t *testing.T) {
	const public = "https://ivr.example.com/ivr/welcome?retry=1"
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	behindProxy := func() *http.Request {
		return proxied(principalstest.NewPOST(token, public, docParams), proxyAddr, "app:8080")
	}
	runTraps(t, []trap{
		{name: "TLSProxyWithoutTrustIsRejectedWithAnHTTPSHint",
			request: func() *http.Request {
				r := proxied(principalstest.NewPOST(token, public, docParams), proxyAddr, "")
				r.Header.Del("X-Forwarded-Host")
				return r
			},
			reason: principals.ErrSignatureMismatch, hint: "would match as https:// but the app sees http://; configure the public URL or trusted proxies"},
		{name: "TLSProxyIsAcceptedOnceTrusted", opts: principals.TwilioOptions{TrustedProxies: trusted},
			request: behindProxy, vouch: true},
		{name: "TLSProxyIsAcceptedWithAPublicURL", opts: principals.TwilioOptions{PublicURL: "https://ivr.example.com"},
			request: behindProxy, vouch: true},
		{name: "PublicURLWithATrailingSlashIsJoinedOnce", opts: principals.TwilioOptions{PublicURL: "https://ivr.example.com/"},
			request: behindProxy, vouch: true},
		{name: "PublicURLPathPrefixIsPrepended", opts: principals.TwilioOptions{PublicURL: "https://example.com/acme"},
			request: func() *http.Request {
				r := principalstest.NewPOST(token, "https://example.com/acme/ivr/welcome", docParams)
				r.RequestURI = "/ivr/welcome" // the proxy stripped /acme
				return r
			}, vouch: true},
		{name: "ForwardedHeadersFromAnUntrustedPeerAreIgnored", opts: principals.TwilioOptions{TrustedProxies: trusted},
			request: func() *http.Request {
				return proxied(principalstest.NewPOST(token, public, docParams), strangerIP, "app:8080")
			},
			reason: principals.ErrSignatureMismatch, hint: "would match with the forwarded headers from an untrusted peer"},
		{name: "ForwardedHeadersAreIgnoredWhenNoProxyIsTrusted",
			request: func() *http.Request {
				return proxied(principalstest.NewPOST(token, public, docParams), proxyAddr, "app:8080")
			},
			reason: principals.ErrSignatureMismatch, hint: "untrusted peer"},
		{name: "ForgedForwardedHostCannotRedirectTheCheck", opts: principals.TwilioOptions{TrustedProxies: trusted},
			request: func() *http.Request {
				// An attacker holds a signature for their own host and asks us to believe it.
				r := principalstest.NewPOST(token, "https://attacker.example/ivr/welcome?retry=1", docParams)
				r.Host = "ivr.example.com"
				r.Header.Set("X-Forwarded-Host", "attacker.example")
				r.RemoteAddr = strangerIP
				return r
			},
			reason: principals.ErrSignatureMismatch, hint: "untrusted peer"},
		{name: "PublicURLMismatchHintsAtTheURLTheAppSees", opts: principals.TwilioOptions{PublicURL: "https://other.example.com"},
			request: func() *http.Request { return principalstest.NewPOST(token, public, docParams) },
			reason:  principals.ErrSignatureMismatch, hint: "would match the URL the app sees"},

		{name: "DefaultHTTPSPortInTheSignedURLIsAccepted",
			request: post("https://example.com:443/ivr", "https://example.com/ivr", docParams), vouch: true},
		{name: "DefaultHTTPSPortInTheHostIsAccepted",
			request: post("https://example.com/ivr", "https://example.com:443/ivr", docParams), vouch: true},
		{name: "DefaultHTTPPortIsAccepted",
			request: post("http://example.com:80/ivr", "http://example.com/ivr", docParams), vouch: true},
		{name: "HTTPPortOnHTTPSIsNotTheDefault",
			request: post("https://example.com:80/ivr", "https://example.com/ivr", docParams),
			reason:  principals.ErrSignatureMismatch},
		{name: "AnyPortIsRemovedAsEverySDKDoes",
			request: post("https://example.com/ivr", "https://example.com:8443/ivr", docParams), vouch: true},
		{name: "AnyPortOnHTTPIsRemovedToo",
			request: post("http://example.com/ivr", "http://example.com:1234/ivr", docParams), vouch: true},
		{name: "APortIsNeverAddedWhereTheRequestHasOne",
			request: post("https://example.com:8443/ivr", "https://example.com:9443/ivr", docParams),
			reason:  principals.ErrSignatureMismatch},
		{name: "IPv6HostWithAnyPortIsRemoved",
			request: post("https://[2001:db8::1]/ivr", "https://[2001:db8::1]:8443/ivr", docParams), vouch: true},
		{name: "PublicURLWithAPortIsTriedWithout", opts: principals.TwilioOptions{PublicURL: "https://ivr.example.com:8443"},
			request: post("https://ivr.example.com/ivr", "http://internal/ivr", docParams), vouch: true},
		{name: "PublicURLPortIsToggledToo", opts: principals.TwilioOptions{PublicURL: "https://example.com"},
			request: post("https://example.com:443/ivr", "http://internal/ivr", docParams), vouch: true},

		{name: "MissingTrailingSlashIsRejectedWithAHint",
			request: post("https://example.com/ivr/", "https://example.com/ivr", docParams),
			reason:  principals.ErrSignatureMismatch, hint: "would match with a trailing slash"},
		{name: "ExtraTrailingSlashIsRejectedWithAHint",
			request: post("https://example.com/ivr?x=1", "https://example.com/ivr/?x=1", docParams),
			reason:  principals.ErrSignatureMismatch, hint: "would match without the trailing slash"},

		{name: "IPv6HostWithPortIsAccepted",
			request: post("https://[::1]:8443/ivr", "https://[::1]:8443/ivr", docParams), vouch: true},
		{name: "IPv6HostWithDefaultPortIsToggled",
			request: post("https://[2001:db8::1]/ivr", "https://[2001:db8::1]:443/ivr", docParams), vouch: true},
		{name: "UpperCaseSchemeIsKeptWhenThePortIsToggled", opts: principals.TwilioOptions{PublicURL: "HTTPS://Example.com"},
			request: post("HTTPS://Example.com:443/ivr", "https://example.com/ivr", docParams), vouch: true},

		{name: "RawPathIsKeptByteForByte",
			request: post("https://example.com/caf%C3%A9/ivr?next=%2Fmenu&x=a+b", "https://example.com/caf%C3%A9/ivr?next=%2Fmenu&x=a+b", docParams), vouch: true},
		{name: "ReencodedPathIsRejected",
			request: post("https://example.com/caf%C3%A9/ivr", "https://example.com/caf%c3%a9/ivr", docParams),
			reason:  principals.ErrSignatureMismatch},
		{name: "NonASCIIPathIsAccepted",
			request: post("https://example.com/café/ivr", "https://example.com/café/ivr", docParams), vouch: true},
		{name: "MalformedEscapeInTheURLIsSignedAsIs",
			request: func() *http.Request {
				r := post("https://example.com/ivr%zz?x=%", "https://example.com/ivr", docParams)()
				r.RequestURI = "/ivr%zz?x=%" // what net/http keeps although it cannot parse it
				return r
			}, vouch: true},
		{name: "ReorderedQueryIsRejected",
			request: post("https://example.com/ivr?b=2&a=1", "https://example.com/ivr?a=1&b=2", docParams),
			reason:  principals.ErrSignatureMismatch},
	})
}

func TestTwilioSignedTextTraps(t *testing.T) {
	const u = "https://example.com/ivr/gather"
	body := func(raw string, signedWith url.Values) func() *http.Request {
		return func() *http.Request {
			return principalstest.NewPOSTBody(u, raw, principalstest.Sign(token, u, signedWith))
		}
	}
	runTraps(t, []trap{
		{name: "RepeatedKeysKeepEveryValueSorted",
			request: body("Digits=2&Digits=1&Digits=3", url.Values{"Digits": {"1", "2", "3"}}), vouch: true},
		{name: "RepeatedKeysSignedWithOnlyTheFirstValueAreRejected",
			request: body("Digits=2&Digits=1", url.Values{"Digits": {"2"}}),
			reason:  principals.ErrSignatureMismatch},
		{name: "IdenticalRepeatedValuesCountedOnceAreAccepted",
			request: body("A=1&A=1", url.Values{"A": {"1"}}), vouch: true},
		{name: "IdenticalRepeatedValuesAllKeptAreAccepted",
			request: body("A=1&A=1", url.Values{"A": {"1", "1"}}), vouch: true},
		{name: "DistinctRepeatedValuesAreNeverDeduplicated",
			request: body("A=1&A=1&A=2", url.Values{"A": {"1", "2"}}), vouch: true},
		{name: "DroppingADistinctRepeatedValueIsRejected",
			request: body("A=1&A=2", url.Values{"A": {"1"}}),
			reason:  principals.ErrSignatureMismatch},
		{name: "KeyWithASlashIsRefused",
			request: body("gather%3Fi%3D1Digits=1", url.Values{"gather?i=1Digits": {"1"}}),
			reason:  principals.ErrMalformedFormKey},
		{name: "EmptyKeyIsRefused",
			request: body("=1&Digits=1", url.Values{"": {"1"}, "Digits": {"1"}}),
			reason:  principals.ErrMalformedFormKey},
		{name: "KeyWithASpaceIsRefused",
			request: body("Call+Sid=1", url.Values{"Call Sid": {"1"}}),
			reason:  principals.ErrMalformedFormKey},
		{name: "TwilioKeyAlphabetIsAccepted",
			request: body("AddOns=%7B%7D&Called=%2B1&StirVerstat=TN-Validation-Passed-A&SpeechResult=yes&msg=Gather+End&x.y-z_1=2",
				url.Values{"AddOns": {"{}"}, "Called": {"+1"}, "StirVerstat": {"TN-Validation-Passed-A"}, "SpeechResult": {"yes"}, "msg": {"Gather End"}, "x.y-z_1": {"2"}}),
			vouch: true},
		{name: "UpperCaseBodySHA256IsRejected",
			request: func() *http.Request {
				b := []byte(`{"CallSid":"CA1"}`)
				signed := u + "?bodySHA256=" + strings.ToUpper(principalstest.BodySHA256(b))
				r := principalstest.NewPOSTBody(signed, string(b), principalstest.Sign(token, signed, nil))
				r.Header.Set("Content-Type", "application/json")
				return r
			}, reason: principals.ErrBodySHA256Mismatch},
		{name: "EmptyValuesAreSigned",
			request: body("Digits=1&FinishedOnKey=", url.Values{"Digits": {"1"}, "FinishedOnKey": {""}}), vouch: true},
		{name: "DroppingAnEmptyValueIsRejected",
			request: body("Digits=1", url.Values{"Digits": {"1"}, "FinishedOnKey": {""}}),
			reason:  principals.ErrSignatureMismatch},
		{name: "KeyWithoutEqualsIsAnEmptyValue",
			request: body("Digits=1&FinishedOnKey", url.Values{"Digits": {"1"}, "FinishedOnKey": {""}}), vouch: true},
		{name: "SemicolonIsAnOrdinaryCharacter",
			request: body("SpeechResult=yes;no&Digits=1", url.Values{"SpeechResult": {"yes;no"}, "Digits": {"1"}}), vouch: true},
		{name: "PlusIsASpaceAndEscapesAreDecoded",
			request: body("FromCity=SAN+FRANCISCO&From=%2B14158675309&Msg=caf%C3%A9", url.Values{"FromCity": {"SAN FRANCISCO"}, "From": {"+14158675309"}, "Msg": {"café"}}), vouch: true},
		{name: "MalformedEscapeInTheBodyIsNotVouchedFor",
			request: body("Digits=%zz", url.Values{"Digits": {"%zz"}}),
			reason:  principals.ErrMalformedForm},
		{name: "TruncatedEscapeInTheBodyIsNotVouchedFor",
			request: body("Digits=1%2", url.Values{"Digits": {"1%2"}}),
			reason:  principals.ErrMalformedForm},
		{name: "GETSignsTheQueryAndIgnoresTheBody",
			request: func() *http.Request {
				r := principalstest.NewGET(token, u+"?Digits=1&From=%2B14158675309")
				r.Body = io.NopCloser(strings.NewReader("Digits=9"))
				return r
			}, vouch: true},
		{name: "GETWithATamperedQueryIsRejected",
			request: func() *http.Request {
				r := principalstest.NewGET(token, u+"?Digits=1")
				return httptestWithHeader("GET", u+"?Digits=2", "", r.Header)
			}, reason: principals.ErrSignatureMismatch},
		{name: "JSONBodyIsCheckedThroughBodySHA256",
			request: func() *http.Request { return principalstest.NewJSON(token, u+"?x=1", []byte(`{"CallSid":"CA1"}`)) }, vouch: true},
		{name: "TamperedJSONBodyIsRejected",
			request: func() *http.Request {
				r := principalstest.NewJSON(token, u, []byte(`{"CallSid":"CA1"}`))
				r.Body = io.NopCloser(strings.NewReader(`{"CallSid":"CA2"}`))
				return r
			}, reason: principals.ErrBodySHA256Mismatch},
		{name: "JSONBodyWithoutBodySHA256IsRejected",
			request: func() *http.Request {
				r := principalstest.NewPOSTBody(u, `{"CallSid":"CA1"}`, principalstest.Sign(token, u, nil))
				r.Header.Set("Content-Type", "application/json")
				return r
			}, reason: principals.ErrMissingBodySHA256},
		{name: "OversizedBodyIsNotVouchedFor", opts: principals.TwilioOptions{MaxBody: 64},
			request: body("Msg="+strings.Repeat("x", 100), url.Values{"Msg": {strings.Repeat("x", 100)}}),
			reason:  principals.ErrBodyTooLarge, hint: "limit 64"},
		{name: "OversizedBodyWithoutLengthIsNotVouchedFor", opts: principals.TwilioOptions{MaxBody: 64},
			request: func() *http.Request {
				r := body("Msg="+strings.Repeat("x", 100), url.Values{"Msg": {strings.Repeat("x", 100)}})()
				r.ContentLength = -1
				return r
			}, reason: principals.ErrBodyTooLarge, hint: "limit 64"},
		{name: "BodyAtTheLimitIsRead", opts: principals.TwilioOptions{MaxBody: 104},
			request: body("Msg="+strings.Repeat("x", 100), url.Values{"Msg": {strings.Repeat("x", 100)}}), vouch: true},
	})
}

func httptestWithHeader(method, target, body string, h http.Header) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header = h.Clone()
	return r
}

func TestTwilioHeaderAndTokenTraps(t *testing.T) {
	const u = "https://example.com/ivr"
	withSig := func(sigs ...string) func() *http.Request {
		return func() *http.Request {
			r := principalstest.NewPOST(token, u, docParams)
			r.Header.Del("X-Twilio-Signature")
			for _, s := range sigs {
				r.Header.Add("X-Twilio-Signature", s)
			}
			return r
		}
	}
	good := principalstest.Sign(token, u, docParams)
	sub := url.Values{"AccountSid": {subSID}, "From": {"+15551234567"}}
	signedWith := func(tok string, params url.Values) func() *http.Request {
		return func() *http.Request {
			return principalstest.NewPOSTBody(u, params.Encode(), principalstest.Sign(tok, u, params))
		}
	}
	both := []principals.Secret{principals.NewSecret(token), principals.NewSecret(secondary)}
	accounts := map[string][]principals.Secret{subSID: {principals.NewSecret(subToken)}}
	runTraps(t, []trap{
		{name: "MissingHeaderIsReported", request: withSig(), reason: principals.ErrMissingSignature},
		{name: "DuplicateHeaderIsRejected", request: withSig(good, good), reason: principals.ErrDuplicateSignature},
		{name: "NonBase64HeaderIsMalformed", request: withSig("not a signature at all!!!!!"), reason: principals.ErrMalformedSignature},
		{name: "ShortDigestIsMalformed", request: withSig("AAAAAAAAAAAAAAAAAAAAAAAAAA=="), reason: principals.ErrMalformedSignature},
		{name: "NonCanonicalPaddingBitsAreMalformed", request: withSig(good[:26] + string(good[26]+1) + "="), reason: principals.ErrMalformedSignature},
		{name: "EmptyHeaderIsMalformed", request: withSig(""), reason: principals.ErrMalformedSignature},

		{name: "SecondaryTokenVerifiesDuringRotation", opts: principals.TwilioOptions{Tokens: both},
			request: signedWith(secondary, docParams), vouch: true},
		{name: "PrimaryTokenVerifiesDuringRotation", opts: principals.TwilioOptions{Tokens: both},
			request: signedWith(token, docParams), vouch: true},
		{name: "RetiredTokenIsRejected",
			request: signedWith(secondary, docParams), reason: principals.ErrSignatureMismatch},
		{name: "SubaccountTokenVerifiesItsAccount", opts: principals.TwilioOptions{Tokens: both, AccountTokens: accounts},
			request: signedWith(subToken, sub), vouch: true},
		{name: "MainTokenDoesNotVerifyASubaccount", opts: principals.TwilioOptions{Tokens: both, AccountTokens: accounts},
			request: signedWith(token, sub), reason: principals.ErrSignatureMismatch, hint: "would match with another account's token"},
		{name: "SubaccountTokenDoesNotVerifyTheMainAccount", opts: principals.TwilioOptions{Tokens: both, AccountTokens: accounts},
			request: signedWith(subToken, docParams), reason: principals.ErrSignatureMismatch, hint: "another account's token"},
		{name: "UnknownAccountWithoutDefaultTokens", opts: principals.TwilioOptions{AccountTokens: accounts},
			request: signedWith(subToken, docParams), reason: principals.ErrUnknownAccount, hint: "another account's token"},
	})
}

func TestTwilioPrincipalsComeOnlyFromAVerifiedRequest(t *testing.T) {
	const u = "https://example.com/ivr"
	tests := []struct {
		name   string
		params url.Values
		want   []string
		callID string
	}{
		{"InboundCallerIsFrom", url.Values{"AccountSid": {mainSID}, "CallSid": {"CA9"}, "From": {"+15551234567"}, "To": {"+15557654321"}, "Direction": {"inbound"}},
			[]string{"twilio", "account:" + mainSID, "caller:+15551234567"}, "CA9"},
		{"OutboundCallerIsTo", url.Values{"AccountSid": {mainSID}, "From": {"+15551234567"}, "To": {"+15557654321"}, "Direction": {"outbound-api"}},
			[]string{"twilio", "account:" + mainSID, "caller:+15557654321"}, ""},
		{"OutboundDialCallerIsTo", url.Values{"From": {"+15551234567"}, "To": {"+15557654321"}, "Direction": {"outbound-dial"}},
			[]string{"twilio", "caller:+15557654321"}, ""},
		{"ClientIdentityIsAnAnonymousCaller", url.Values{"From": {"client:alice"}, "Direction": {"inbound"}},
			[]string{"twilio", principals.AnonymousCaller, "caller:client:alice"}, ""},
		{"AnonymousIsAnAnonymousCaller", url.Values{"From": {"anonymous"}}, []string{"twilio", principals.AnonymousCaller}, ""},
		{"TooShortNumberIsAnAnonymousCaller", url.Values{"From": {"+1234567"}}, []string{"twilio", principals.AnonymousCaller}, ""},
		{"TooLongNumberIsAnAnonymousCaller", url.Values{"From": {"+1234567890123456"}}, []string{"twilio", principals.AnonymousCaller}, ""},
		{"MalformedAccountSidIsNotAnAccount", url.Values{"AccountSid": {"system.Everyone"}, "From": {"+15551234567"}, "Direction": {"inbound"}}, []string{"twilio", "caller:+15551234567"}, ""},
	}
	p := newTwilio(t, principals.TwilioOptions{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, ok, f := authenticate(t, p, principalstest.NewPOST(token, u, tc.params))
			if !ok {
				t.Fatalf("rejected: %v", f)
			}
			if !slices.Equal(id.Principals, tc.want) || id.CallSID != tc.callID {
				t.Errorf("identity = %q %q, want %q %q", id.Principals, id.CallSID, tc.want, tc.callID)
			}
		})
	}
	t.Run("UnsignedFromProvesNothing", func(t *testing.T) {
		r := principalstest.NewPOST("wrong", u, tests[0].params)
		res := principals.Authenticate(r, p)
		if want := []string{principals.Everyone}; !slices.Equal(res.Principals.Names(), want) {
			t.Errorf("principals = %q, want %q", res.Principals.Names(), want)
		}
	})
}

func TestTwilioFormIsParsedOnceAndShared(t *testing.T) {
	params := url.Values{"Digits": {"2", "1"}, "From": {"+15551234567"}, "FinishedOnKey": {""}}
	r := principalstest.NewPOST(token, "https://example.com/ivr?retry=1&Digits=9", params)
	raw := params.Encode()
	id, ok, f := authenticate(t, newTwilio(t, principals.TwilioOptions{}), r)
	if !ok {
		t.Fatalf("rejected: %v", f)
	}
	form := id.Form
	if got := form.URLValues(); !maps.EqualFunc(got, params, slices.Equal[[]string]) {
		t.Errorf("Identity.Form = %v, want %v (values in the order sent, the query left out)", got, params)
	}
	if form.Len() != 4 || form.Get("Digits") != "2" || !slices.Equal(form.Values("Digits"), []string{"2", "1"}) ||
		!form.Has("FinishedOnKey") || form.Get("FinishedOnKey") != "" || form.Has("retry") || form.Values("retry") != nil {
		t.Errorf("Identity.Form: Len %d, Digits %q %q, FinishedOnKey %v, retry %v",
			form.Len(), form.Get("Digits"), form.Values("Digits"), form.Has("FinishedOnKey"), form.Has("retry"))
	}
	for key, want := range map[string]struct {
		v  string
		ok bool
	}{"Digits": {"2", true}, "FinishedOnKey": {"", true}, "retry": {"", false}} {
		if v, ok := form.Lookup(key); v != want.v || ok != want.ok {
			t.Errorf("Identity.Form.Lookup(%q) = %q, %v; want %q, %v", key, v, ok, want.v, want.ok)
		}
	}
	v := form.URLValues()
	v["Digits"] = append(v["Digits"], "x")
	if got := v["From"]; !slices.Equal(got, []string{"+15551234567"}) {
		t.Errorf("appending to one key of URLValues changed another: %q", got)
	}
	if got := form.Values("Digits"); !slices.Equal(got, []string{"2", "1"}) {
		t.Errorf("changing URLValues changed the Form: %q", got)
	}
	if r.PostForm != nil || r.Form != nil {
		t.Errorf("the policy set PostForm %v, Form %v; want them left for ParseForm", r.PostForm, r.Form)
	}
	// ParseForm still works: it parses the body the policy replays.
	if err := r.ParseForm(); err != nil || r.FormValue("Digits") != "2" || !maps.EqualFunc(r.PostForm, params, slices.Equal[[]string]) {
		t.Errorf("ParseForm after the policy: %v, Digits %q, PostForm %v", err, r.FormValue("Digits"), r.PostForm)
	}
	wantForm := url.Values{"Digits": {"2", "1", "9"}, "From": {"+15551234567"}, "FinishedOnKey": {""}, "retry": {"1"}}
	if !maps.EqualFunc(r.Form, wantForm, slices.Equal[[]string]) {
		t.Errorf("Form = %v, want %v", r.Form, wantForm)
	}
	r = principalstest.NewPOST(token, "https://example.com/ivr?retry=1&Digits=9", params)
	if _, ok, f := authenticate(t, newTwilio(t, principals.TwilioOptions{}), r); !ok {
		t.Fatalf("rejected: %v", f)
	}
	if got := principalstest.ReadBody(r); got != raw {
		t.Errorf("body after Authenticate = %q, want %q", got, raw)
	}
}

func TestTwilioFormIsEmptyWithoutAFormBody(t *testing.T) {
	p := newTwilio(t, principals.TwilioOptions{})
	r := principalstest.NewGET(token, "https://example.com/ivr?Digits=1&From=%2B15551234567")
	id, ok, f := authenticate(t, p, r)
	if !ok {
		t.Fatalf("rejected: %v", f)
	}
	if id.Form.Len() != 0 || id.Form.Get("Digits") != "" || len(id.Form.URLValues()) != 0 {
		t.Errorf("GET: Identity.Form = %v, want empty (the query is the URL's)", id.Form.URLValues())
	}
}

func TestTwilioOversizedBodyStaysReadableInFull(t *testing.T) {
	big := "Msg=" + strings.Repeat("x", 200)
	r := principalstest.NewPOSTBody("https://example.com/ivr", big, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
	r.ContentLength = -1
	_, ok, f := authenticate(t, newTwilio(t, principals.TwilioOptions{MaxBody: 50}), r)
	if ok || f.Reason != principals.ErrBodyTooLarge {
		t.Fatalf("got ok=%v %v, want %q", ok, f, principals.ErrBodyTooLarge)
	}
	var b strings.Builder
	if _, err := io.Copy(&b, r.Body); err != nil || b.String() != big {
		t.Errorf("body after Authenticate = %d bytes, %v; want all %d", b.Len(), err, len(big))
	}
}

func TestTwilioPreparsedPostFormIsSigned(t *testing.T) {
	r := principalstest.NewPOST(token, "https://example.com/ivr", docParams)
	if err := r.ParseForm(); err != nil {
		t.Fatal(err)
	}
	id, ok, f := authenticate(t, newTwilio(t, principals.TwilioOptions{}), r)
	if !ok {
		t.Errorf("request whose form was parsed earlier rejected: %v", f)
	}
	if got := id.Form.URLValues(); !maps.EqualFunc(got, docParams, slices.Equal[[]string]) {
		t.Errorf("Identity.Form = %v, want %v", got, docParams)
	}
}

func TestTwilioDisabledVouchesLoudly(t *testing.T) {
	p := newTwilio(t, principals.TwilioOptions{Disabled: true})
	r := httptest.NewRequest("POST", "/ivr", strings.NewReader("From=%2B15551234567"))
	id, ok, f := authenticate(t, p, r)
	if !ok || !id.Unverified || !slices.Equal(id.Principals, []string{"twilio"}) || !p.Disabled() {
		t.Errorf("disabled policy gave %+v ok=%v %v; want only twilio, marked Unverified", id, ok, f)
	}
	if id.Form.Get("From") != "+15551234567" || id.Form.Len() != 1 {
		t.Errorf("disabled policy: Identity.Form = %v, want the body parsed", id.Form.URLValues())
	}
	if got := principalstest.ReadBody(r); got != "From=%2B15551234567" {
		t.Errorf("body after Authenticate = %q", got)
	}
}

func TestSignatureCheckDisabledOnlyByAnExplicitFalse(t *testing.T) {
	for v, want := range map[string]bool{"": false, "false": true, "FALSE": true, "0": true, " false ": true, "true": false, "1": false,
		"no": true, "Off": true, "n": true, "yes": false, "on": false, "flase": false, "disabled": false} {
		got := principals.SignatureCheckDisabled(func(k string) string {
			if k != "TWILIO_VALIDATE_SIGNATURE" {
				t.Errorf("read %q", k)
			}
			return v
		})
		if got != want {
			t.Errorf("TWILIO_VALIDATE_SIGNATURE=%q: disabled = %v, want %v", v, got, want)
		}
	}
}

func TestParseSignatureCheckRefusesWhatItCannotRead(t *testing.T) {
	for _, v := range []string{"flase", "disabled", "nope", "2"} {
		check, err := principals.ParseSignatureCheck(v)
		if err == nil || !check || !strings.Contains(err.Error(), "want true or false") {
			t.Errorf("ParseSignatureCheck(%q) = %v, %v; want the check on and an error", v, check, err)
		}
	}
}

func TestNewTwilioRejectsBadOptionsWithoutPanicking(t *testing.T) {
	s := principals.NewSecret
	tests := []struct {
		name string
		opts principals.TwilioOptions
		want string
	}{
		{"NoToken", principals.TwilioOptions{}, "no auth token"},
		{"EmptyToken", principals.TwilioOptions{Tokens: []principals.Secret{{}}}, "Tokens[0] is empty"},
		{"BadAccountSid", principals.TwilioOptions{AccountTokens: map[string][]principals.Secret{"nope": {s("t")}}}, "not an AccountSid"},
		{"AccountWithoutToken", principals.TwilioOptions{AccountTokens: map[string][]principals.Secret{subSID: nil}}, "has no token"},
		{"PublicURLWithoutScheme", principals.TwilioOptions{Tokens: []principals.Secret{s("t")}, PublicURL: "example.com"}, "scheme must be http or https"},
		{"PublicURLWithQuery", principals.TwilioOptions{Tokens: []principals.Secret{s("t")}, PublicURL: "https://example.com/?a=1"}, "only a scheme"},
		{"PublicURLUnparsable", principals.TwilioOptions{Tokens: []principals.Secret{s("t")}, PublicURL: "https://[::1"}, "PublicURL"},
		{"NegativeMaxBody", principals.TwilioOptions{Tokens: []principals.Secret{s("t")}, MaxBody: -1}, "negative"},
		{"InvalidPrefix", principals.TwilioOptions{Tokens: []principals.Secret{s("t")}, TrustedProxies: []netip.Prefix{{}}}, "invalid prefix"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := principals.NewTwilio(tc.opts)
			if err == nil || p != nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewTwilio = %v, %v; want an error containing %q", p, err, tc.want)
			}
		})
	}
}

func TestTwilioTokensNeverShow(t *testing.T) {
	p := newTwilio(t, principals.TwilioOptions{Tokens: []principals.Secret{principals.NewSecret("s3cr3t-token-value")}})
	r := principalstest.NewPOST("s3cr3t-token-value-other", "https://example.com/ivr", docParams)
	_, _, err := p.Authenticate(r)
	if err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("error %v", err)
	}
}

func TestTwilioPolicyConforms(t *testing.T) {
	const u = "https://example.com/ivr"
	const token, secondary = "conformance-primary-token", "conformance-secondary-token"
	p := newTwilio(t, principals.TwilioOptions{Tokens: []principals.Secret{principals.NewSecret(token), principals.NewSecret(secondary)}})
	params := url.Values{"AccountSid": {mainSID}, "From": {"+15551234567"}, "CallSid": {"CA1"}, "Direction": {"inbound"}}
	principalstest.Run(t, principalstest.Suite{
		Policy:  p,
		Name:    "twilio",
		Secrets: []string{token, secondary},
		Cases: []principalstest.Case{
			{Name: "signed POST", Request: func() *http.Request { return principalstest.NewPOST(token, u, params) },
				Vouch: true, Principals: []string{"twilio", "account:" + mainSID, "caller:+15551234567"}},
			{Name: "signed with the secondary", Request: func() *http.Request { return principalstest.NewPOST(secondary, u, params) }, Vouch: true},
			{Name: "signed GET", Request: func() *http.Request { return principalstest.NewGET(token, u+"?From=%2B15551234567&Direction=inbound") },
				Vouch: true, Principals: []string{"twilio", "caller:+15551234567"}},
			{Name: "signed JSON", Request: func() *http.Request { return principalstest.NewJSON(token, u, []byte(`{"a":1}`)) }, Vouch: true},
			{Name: "behind a trusted proxy without trust", Request: func() *http.Request {
				return proxied(principalstest.NewPOST(token, u, params), proxyAddr, "app")
			}},
			{Name: "wrong token", Request: func() *http.Request { return principalstest.NewPOST("nope", u, params) }},
		},
	})
}
