package principals_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/twilio/twilio-go/client"

	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

// sdkVector is a signature published in the official SDKs' test suites (twilio-python
// tests/unit/test_request_validator.py, twilio-node spec/validation.spec.js, twilio-ruby,
// twilio-php and the Elixir port share them), all with the auth token "12345", the documented
// parameters and the URL https://mycompany.com/myapp.php?foo=1&bar=2 unless given.
type sdkVector struct {
	name      string
	seen      string // the URL the request arrives at (scheme, host, path and query)
	basic     string // the Authorization: Basic credentials Twilio sends, "" for none
	body      string // the raw form body; the documented parameters when empty
	json      bool
	plain     bool // the credentials sent are not in the URL Twilio was configured with
	signature string
	vouch     bool
}

const sdkURL = "https://mycompany.com/myapp.php?foo=1&bar=2"

var sdkVectors = []sdkVector{
	{name: "documented example", seen: sdkURL, signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", vouch: true},
	{name: "https URL with any port is tried without it", seen: "https://mycompany.com:1234/myapp.php?foo=1&bar=2", signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", vouch: true},
	{name: "http URL with a port, signed as given", seen: "http://mycompany.com:1234/myapp.php?foo=1&bar=2", signature: "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=", vouch: true},
	{name: "https URL without a port is tried with 443", seen: sdkURL, signature: "kvajT1Ptam85bY51eRf/AJRuM3w=", vouch: true},
	{name: "http URL without a port is tried with 80", seen: "http://mycompany.com/myapp.php?foo=1&bar=2", signature: "0ZXoZLH/DfblKGATFgpif+LLRf4=", vouch: true},
	{name: "URL with credentials", seen: sdkURL, basic: "user:pass", signature: "CukzLTc1tT5dXEDIHm/tKBanW10=", vouch: true},
	{name: "URL with just a user name", seen: sdkURL, basic: "user:", signature: "2YRLlVAflCqxaNicjMpJcSTgzSs=", vouch: true},
	{name: "URL with credentials, port 443 added", seen: sdkURL, basic: "user:pass", signature: "ZQFR1PTIZXF2MXB8ZnKCvnnA+rI=", vouch: true},
	{name: "URL with credentials, seen with a port", seen: "https://mycompany.com:8443/myapp.php?foo=1&bar=2", basic: "user:pass", signature: "CukzLTc1tT5dXEDIHm/tKBanW10=", vouch: true},
	{name: "credentials signed but not sent", seen: sdkURL, signature: "CukzLTc1tT5dXEDIHm/tKBanW10="},
	{name: "other credentials sent", seen: sdkURL, basic: "user:wrong", signature: "CukzLTc1tT5dXEDIHm/tKBanW10="},
	{name: "credentials sent but not signed", seen: sdkURL, basic: "user:pass", plain: true, signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", vouch: true},
	{name: "repeated key, values sorted", seen: sdkURL, body: "Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234", signature: "IK+Dwps556ElfBT0I3Rgjkr1wJU=", vouch: true},
	{name: "apostrophe in the query", seen: sdkURL + "&Body=It's+amazing", signature: "dsq4Ehbj6cs+KdTkpF5sSSplOWw=", vouch: true},
	{name: "JSON body through bodySHA256", seen: sdkURL + "&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620",
		body: `{"property": "value", "boolean": true}`, json: true, signature: "a9nBmqA0ju/hNViExpshrM61xv4=", vouch: true},
	{name: "JSON body with only bodySHA256", seen: "https://mycompany.com/myapp.php?bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620",
		body: `{"property": "value", "boolean": true}`, json: true, signature: "y77kIzt2vzLz71DgmJGsen2scGs=", vouch: true},
	{name: "wrong signature", seen: sdkURL, signature: "WRONG_SIGNATURE_WRONG_SIGNATU="},
	{name: "a query parameter added", seen: sdkURL + "&somethingUnexpected=true", signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
}

func (v sdkVector) request() *http.Request {
	body := v.body
	if body == "" {
		body = docParams.Encode()
	}
	r := principalstest.NewPOSTBody(v.seen, body, v.signature)
	if v.json {
		r.Header.Set("Content-Type", "application/json")
	}
	if v.basic != "" {
		r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(v.basic)))
	}
	return r
}

func TestTwilioAcceptsWhatTheOfficialSDKsAcceptAndNoMore(t *testing.T) {
	p := newTwilio(t, principals.TwilioOptions{})
	for _, v := range sdkVectors {
		t.Run(v.name, func(t *testing.T) {
			_, ok, f := authenticate(t, p, v.request())
			if ok != v.vouch {
				t.Errorf("vouched = %v, want %v (%v)", ok, v.vouch, f)
			}
		})
	}
}

// The same vectors behind a public URL: the port and credential candidates apply to it too.
func TestTwilioPublicURLFollowsThePortAndCredentialRules(t *testing.T) {
	for _, v := range sdkVectors {
		if v.json || !v.vouch {
			continue
		}
		t.Run(v.name, func(t *testing.T) {
			scheme, rest, _ := strings.Cut(v.seen, "://")
			host, uri, _ := strings.Cut(rest, "/")
			p := newTwilio(t, principals.TwilioOptions{PublicURL: scheme + "://" + host})
			r := v.request()
			r.Host, r.RequestURI, r.TLS = "internal:8080", "/"+uri, nil
			if _, ok, f := authenticate(t, p, r); !ok {
				t.Errorf("rejected behind the public URL %s://%s: %v", scheme, host, f)
			}
		})
	}
}

func TestTwilioSharedKeys(t *testing.T) {
	const u = "https://example.com/ivr/welcome"
	const secret, other = "shared-key-secret", "another-secret"
	opts := principals.TwilioOptions{
		Tokens:     []principals.Secret{principals.NewSecret(token)},
		SharedKeys: map[string]principals.Secret{"sk-voice": principals.NewSecret(secret), "sk-old": principals.NewSecret(other)},
	}
	withSettings := func(sig, settings string) func() *http.Request {
		return func() *http.Request {
			r := principalstest.NewPOSTBody(u, docParams.Encode(), sig)
			if settings != "" {
				r.Header.Set("X-Twilio-Webhooks-Signature-Settings", settings)
			}
			return r
		}
	}
	sha256 := principalstest.SignSHA256(secret, u, docParams)
	runTraps(t, []trap{
		{name: "SharedKeyWithHMACSHA256Verifies", opts: opts,
			request: withSettings(sha256, "key=sk-voice,algorithm=HMAC_SHA256"), vouch: true},
		{name: "SpacesAroundTheSettingsAreIgnored", opts: opts,
			request: withSettings(sha256, " key = sk-voice , algorithm = HMAC_SHA256 "), vouch: true},
		{name: "SharedKeyWithHMACSHA1Verifies", opts: opts,
			request: withSettings(principalstest.Sign(secret, u, docParams), "algorithm=HMAC_SHA1,key=sk-voice"), vouch: true},
		{name: "WithoutTheHeaderTheAuthTokenAndSHA1Apply", opts: opts,
			request: withSettings(principalstest.Sign(token, u, docParams), ""), vouch: true},
		{name: "AnSHA256SignatureWithoutTheHeaderIsMalformed", opts: opts,
			request: withSettings(sha256, ""), reason: principals.ErrMalformedSignature},
		{name: "TheAuthTokenDoesNotVerifyAHeaderedRequest", opts: opts,
			request: withSettings(principalstest.SignSHA256(token, u, docParams), "key=sk-voice,algorithm=HMAC_SHA256"), reason: principals.ErrSignatureMismatch},
		{name: "AnotherKeysSecretDoesNotVerify", opts: opts,
			request: withSettings(sha256, "key=sk-old,algorithm=HMAC_SHA256"), reason: principals.ErrSignatureMismatch},
		{name: "UnknownKeyIsAPreciseReason", opts: opts,
			request: withSettings(sha256, "key=sk-nope,algorithm=HMAC_SHA256"), reason: principals.ErrUnknownSharedKey, hint: "no shared key of that name"},
		{name: "NoSharedKeysConfigured",
			request: withSettings(sha256, "key=sk-voice,algorithm=HMAC_SHA256"), reason: principals.ErrUnknownSharedKey, hint: "TWILIO_WEBHOOK_SHARED_KEYS"},
		{name: "UnknownAlgorithmIsAPreciseReason", opts: opts,
			request: withSettings(sha256, "key=sk-voice,algorithm=HMAC_SHA512"), reason: principals.ErrUnknownAlgorithm},
		{name: "SettingsWithoutAKeyAreMalformed", opts: opts,
			request: withSettings(sha256, "algorithm=HMAC_SHA256"), reason: principals.ErrMalformedSignatureSettings, hint: "want key=<name>,algorithm=<name>"},
		{name: "RepeatedSettingsAreMalformed", opts: opts,
			request: func() *http.Request {
				r := withSettings(sha256, "key=sk-voice,algorithm=HMAC_SHA256")()
				r.Header.Add("X-Twilio-Webhooks-Signature-Settings", "key=sk-old,algorithm=HMAC_SHA256")
				return r
			}, reason: principals.ErrMalformedSignatureSettings, hint: "the header repeats"},
		{name: "TamperedBodyIsRejected", opts: opts,
			request: func() *http.Request {
				r := principalstest.NewPOSTBody(u, "Digits=9", sha256)
				r.Header.Set("X-Twilio-Webhooks-Signature-Settings", "key=sk-voice,algorithm=HMAC_SHA256")
				return r
			}, reason: principals.ErrSignatureMismatch},
	})
}

func TestTwilioWebSocketHandshakeIsSignedOverWSS(t *testing.T) {
	handshake := func(signed, seen string) func() *http.Request {
		return func() *http.Request {
			r := principalstest.NewGET(token, seen)
			r.Header.Set("X-Twilio-Signature", principalstest.Sign(token, signed, nil))
			r.Header.Set("Upgrade", "websocket")
			r.Header.Set("Connection", "Upgrade")
			return r
		}
	}
	runTraps(t, []trap{
		{name: "WSSOverTLS", request: handshake("wss://example.com/stream", "https://example.com/stream"), vouch: true},
		{name: "WSOverPlainHTTP", request: handshake("ws://example.com/stream", "http://example.com/stream"), vouch: true},
		{name: "WSSFromThePublicURL", opts: principals.TwilioOptions{PublicURL: "https://ivr.example.com"},
			request: handshake("wss://ivr.example.com/stream?call=1", "http://internal/stream?call=1"), vouch: true},
		{name: "WSSWithItsPortRemoved", request: handshake("wss://example.com/stream", "https://example.com:8443/stream"), vouch: true},
		{name: "AnHTTPSSignatureDoesNotOpenASocket",
			request: handshake("https://example.com/stream", "https://example.com/stream"), reason: principals.ErrSignatureMismatch},
		{name: "AWSSSignatureIsNotAPlainGET",
			request: func() *http.Request {
				r := handshake("wss://example.com/stream", "https://example.com/stream")()
				r.Header.Del("Upgrade")
				return r
			}, reason: principals.ErrSignatureMismatch},
	})
}

func TestTwilioAllowedHosts(t *testing.T) {
	allowed := principals.TwilioOptions{AllowedHosts: []string{"ivr.example.com", "[::1]:8443"}}
	runTraps(t, []trap{
		{name: "AllowedHostVerifies", opts: allowed,
			request: post("https://ivr.example.com/ivr", "https://ivr.example.com/ivr", docParams), vouch: true},
		{name: "AllowedHostMatchesOnAnyPortAndCase", opts: allowed,
			request: post("https://IVR.example.com:8443/ivr", "https://IVR.example.com:8443/ivr", docParams), vouch: true},
		{name: "AnotherAppsSignatureIsRefused", opts: allowed,
			request: post("https://staging.example.com/ivr", "https://staging.example.com/ivr", docParams),
			reason:  principals.ErrHostNotAllowed, hint: "Host staging.example.com"},
		{name: "AnAllowedHostWithAPortNeedsThatPort", opts: allowed,
			request: post("https://[::1]:9443/ivr", "https://[::1]:9443/ivr", docParams), reason: principals.ErrHostNotAllowed, hint: "Host [::1]:9443"},
		{name: "AllowedHostWithItsPort", opts: allowed,
			request: post("https://[::1]:8443/ivr", "https://[::1]:8443/ivr", docParams), vouch: true},
		{name: "PublicURLFixesTheHost", opts: principals.TwilioOptions{AllowedHosts: []string{"other.example.com"}, PublicURL: "https://ivr.example.com"},
			request: post("https://ivr.example.com/ivr", "https://internal/ivr", docParams), vouch: true},
	})
	if _, err := principals.NewTwilio(principals.TwilioOptions{Tokens: []principals.Secret{principals.NewSecret("t")}, AllowedHosts: []string{"https://x"}}); err == nil || !strings.Contains(err.Error(), "AllowedHosts[0]") {
		t.Errorf("an allowed host with a scheme: %v, want an error naming AllowedHosts[0]", err)
	}
}

func TestFailureReasonsAreSentinelsWithLabels(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range principals.Reasons() {
		l := r.Label()
		if l == "" || l == "unknown" || strings.Trim(l, "abcdefghijklmnopqrstuvwxyz_0123456789") != "" || seen[l] {
			t.Errorf("reason %q has label %q: want a distinct lower-case name", r.Error(), l)
		}
		seen[l] = true
	}
	var zero principals.Reason
	if zero.Label() != "unknown" {
		t.Errorf("a Reason not declared by the package has label %q, want unknown", zero.Label())
	}
	r := principalstest.NewPOSTBody("https://example.com/ivr", "Digits=1", "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
	r.Body = failingBody{}
	r.ContentLength = -1
	_, _, err := newTwilio(t, principals.TwilioOptions{}).Authenticate(r)
	var f *principals.Failure
	if !errors.Is(err, principals.ErrBodyUnreadable) || !errors.As(err, &f) || f.Reason.Label() != "body_unreadable" || !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("a body read error: %v; want ErrBodyUnreadable, label body_unreadable, the read error in the text only", err)
	}
}

type failingBody struct{}

func (failingBody) Read([]byte) (int, error) { return 0, errors.New("connection reset") }
func (failingBody) Close() error             { return nil }

// twilio-go's RequestValidator is right on every form vector: it must agree with the policy.
func TestTwilioGoAgreesOnTheSDKVectors(t *testing.T) {
	p := newTwilio(t, principals.TwilioOptions{})
	for _, v := range sdkVectors {
		if v.json || v.body != "" {
			continue
		}
		t.Run(v.name, func(t *testing.T) {
			configured := v.seen
			if v.basic != "" && !v.plain {
				scheme, rest, _ := strings.Cut(v.seen, "://")
				configured = scheme + "://" + strings.TrimSuffix(v.basic, ":") + "@" + rest
			}
			params := map[string]string{}
			for k, vs := range docParams {
				params[k] = vs[0]
			}
			validator := client.NewRequestValidator(token)
			theirs := validator.Validate(configured, params, v.signature)
			_, ours, f := authenticate(t, p, v.request())
			if theirs != ours {
				t.Errorf("twilio-go says %v for %s, the policy %v (%v)", theirs, configured, ours, f)
			}
		})
	}
}
