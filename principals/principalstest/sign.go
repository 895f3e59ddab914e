// Package principalstest helps test code that uses package principals: it signs requests
// exactly as Twilio does, so no test needs to turn signature checking off, and [Run] checks that
// any [principals.Policy] keeps the promises the package makes.
package principalstest

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strings"
)

// Sign returns the X-Twilio-Signature Twilio sends for a request to rawURL with the form
// params: base64 of HMAC-SHA1, keyed with token, of the URL followed by each key and value, keys
// sorted, and a repeated key's values sorted and all kept. Pass nil params for a GET (the query is
// part of rawURL) or a JSON body (rawURL carries bodySHA256).
//
// It is written plainly, apart from the policy's own code, so that each checks the other.
func Sign(token, rawURL string, params url.Values) string {
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(signedText(rawURL, params)))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// signedText returns what Twilio signs: rawURL, then each key and value, keys sorted, a
// repeated key's values sorted and all kept.
func signedText(rawURL string, params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString(rawURL)
	for _, k := range keys {
		vs := slices.Clone(params[k])
		slices.Sort(vs)
		for _, v := range vs {
			b.WriteString(k)
			b.WriteString(v)
		}
	}
	return b.String()
}

// BodySHA256 returns the hex SHA-256 of body, the value of the bodySHA256 query parameter Twilio
// adds to the URL of a request with a JSON body.
func BodySHA256(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// Encode form-encodes key, value pairs in the order given, keeping repeated keys: Encode("a",
// "1", "b", "2", "a", "3") is "a=1&b=2&a=3". It panics on an odd number of strings.
func Encode(pairs ...string) string {
	if len(pairs)%2 != 0 {
		panic("principalstest.Encode: odd number of strings")
	}
	var b strings.Builder
	for i := 0; i < len(pairs); i += 2 {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(pairs[i]))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(pairs[i+1]))
	}
	return b.String()
}

// NewPOST returns a server request, as [httptest.NewRequest] makes it, that Twilio sends to
// rawURL with the form params, signed with token. Its body lists the keys in sorted order, and a
// repeated key's values in the order given. Like httptest.NewRequest, it panics if rawURL is not
// a valid absolute URL.
func NewPOST(token, rawURL string, params url.Values) *http.Request {
	return NewPOSTBody(rawURL, params.Encode(), Sign(token, rawURL, params))
}

// NewPOSTBody returns a form POST to rawURL with a raw form body and the given signature, for
// bodies url.Values cannot express (pairs in a chosen order, unusual escapes).
func NewPOSTBody(rawURL, body, signature string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, rawURL, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-Twilio-Signature", signature)
	return r
}

// NewGET returns a GET that Twilio sends to rawURL, signed with token; the query is part of
// rawURL and is signed with it. It panics if rawURL is not a valid absolute URL.
func NewGET(token, rawURL string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, rawURL, nil)
	r.Header.Set("X-Twilio-Signature", Sign(token, rawURL, nil))
	return r
}

// NewJSON returns a POST with a JSON body that Twilio sends to rawURL: it adds the bodySHA256
// query parameter to rawURL and signs the result with token. It panics if rawURL is not a valid
// absolute URL.
func NewJSON(token, rawURL string, body []byte) *http.Request {
	sep := "?"
	if strings.Contains(rawURL, "?") {
		sep = "&"
	}
	signed := rawURL + sep + "bodySHA256=" + BodySHA256(body)
	r := httptest.NewRequest(http.MethodPost, signed, strings.NewReader(string(body)))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Twilio-Signature", Sign(token, signed, nil))
	return r
}

// ViaProxy turns a request Twilio sent to a public https URL into what an app behind a
// TLS-terminating reverse proxy receives: plain http from the proxy's address, with the public
// scheme in X-Forwarded-Proto and the public host in X-Forwarded-Host, and internalHost as
// Host ("" keeps the public host). The signature still covers the public URL. It modifies r and
// returns it.
func ViaProxy(r *http.Request, proxy netip.AddrPort, internalHost string) *http.Request {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	r.Header.Set("X-Forwarded-Proto", scheme)
	r.Header.Set("X-Forwarded-Host", r.Host)
	r.TLS = nil
	r.RemoteAddr = proxy.String()
	if internalHost != "" {
		r.Host = internalHost
	}
	if _, rest, ok := strings.Cut(r.RequestURI, "://"); ok {
		r.RequestURI = "/"
		if i := strings.IndexAny(rest, "/?"); i >= 0 {
			r.RequestURI = rest[i:]
		}
	}
	r.URL.Scheme, r.URL.Host = "", ""
	return r
}

// ReadBody returns r's body and leaves it readable again, for tests that check what a handler
// would see.
func ReadBody(r *http.Request) string {
	if r.Body == nil {
		return ""
	}
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(strings.NewReader(string(b)))
	return string(b)
}

// CallParams returns the form fields of a Twilio voice webhook for an inbound call from the number
// from to +15555550100 — AccountSid, CallSid, From, To, Direction, CallStatus — with the extra
// key, value pairs set on top (CallParams(from, "Digits", "1")). Sign them with [NewPOST].
func CallParams(from string, extra ...string) url.Values {
	v := url.Values{
		"AccountSid": {"AC0123456789abcdef0123456789abcdef"},
		"CallSid":    {"CA0123456789abcdef0123456789abcdef"},
		"From":       {from},
		"To":         {"+15555550100"},
		"Direction":  {"inbound"},
		"CallStatus": {"in-progress"},
	}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

// SignSHA256 returns the X-Twilio-Signature Twilio sends for a request that a Webhooks Rule signs
// with a shared key: the same text as [Sign], with HMAC-SHA256 keyed with the key's secret.
// Twilio then adds X-Twilio-Webhooks-Signature-Settings: key=<name>,algorithm=HMAC_SHA256.
func SignSHA256(secret, rawURL string, params url.Values) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(signedText(rawURL, params)))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// NewHandshake returns the WebSocket upgrade Twilio makes to open a Media Stream or a
// ConversationRelay session at wsURL (wss:// or ws://), signed with token over wsURL: a GET of
// the https:// (or http://) URL with "Upgrade: websocket". It panics if wsURL is not ws:// or
// wss://.
func NewHandshake(token, wsURL string) *http.Request {
	scheme, rest, _ := strings.Cut(wsURL, "://")
	var target string
	switch strings.ToLower(scheme) {
	case "wss":
		target = "https://" + rest
	case "ws":
		target = "http://" + rest
	default:
		panic("principalstest.NewHandshake: " + wsURL + " is not a ws:// or wss:// URL")
	}
	r := httptest.NewRequest(http.MethodGet, target, nil)
	r.Header.Set("Connection", "Upgrade")
	r.Header.Set("Upgrade", "websocket")
	r.Header.Set("Sec-WebSocket-Version", "13")
	r.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	r.Header.Set("X-Twilio-Signature", Sign(token, wsURL, nil))
	return r
}
