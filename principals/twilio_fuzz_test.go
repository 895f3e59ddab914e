package principals_test

import (
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

// signedParts is a signed form POST taken apart into what travels over the wire.
type signedParts struct {
	host, uri, key, value, sig string
}

func (s signedParts) params() url.Values {
	return url.Values{s.key: {s.value}, "Digits": {"1"}}
}

func (s signedParts) request() *http.Request {
	r := &http.Request{
		Method:     http.MethodPost,
		URL:        &url.URL{Path: "/"},
		Host:       s.host,
		RequestURI: s.uri,
		Header:     http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "X-Twilio-Signature": {s.sig}},
		Body:       http.NoBody,
		RemoteAddr: "192.0.2.1:1234",
		TLS:        placeholderTLS,
	}
	if body := s.params().Encode(); body != "" {
		r.Body = &rewindBody{*strings.NewReader(body)}
		r.ContentLength = int64(len(body))
	}
	return r
}

// FuzzTamperedRequestIsRejected signs a request, changes one byte of its host, path and query,
// a form key, a form value or the signature, and checks that the policy rejects it — unless the
// change leaves the text Twilio signs the same (its key+value concatenation has no separators).
// Keys are strict: a request whose key holds a byte outside Twilio's alphabet is never signed
// here, and is refused whatever its signature.
func FuzzTamperedRequestIsRejected(f *testing.F) {
	f.Add("example.com", "/ivr/welcome?retry=1", "From", "+15551234567", uint8(0), uint16(3), byte('x'))
	f.Add("example.com:443", "/ivr/", "FinishedOnKey", "", uint8(1), uint16(4), byte('/'))
	f.Add("[::1]:8443", "/caf%C3%A9?a=%2F", "Msg", "café;ok", uint8(2), uint16(0), byte('m'))
	f.Add("ivr.example.com", "/ivr", "CallSid", "CA1", uint8(3), uint16(2), byte('2'))
	f.Add("ivr.example.com", "/ivr", "CallSid", "CA1", uint8(4), uint16(27), byte('A'))
	f.Add("ivr.example.com", "/ivr", "CallSid", "CA1", uint8(4), uint16(26), byte('1'))
	f.Add("EXAMPLE.com", "/%zz", "a_b.c-d", "c d", uint8(1), uint16(1), byte('Z'))
	f.Add("example.com:8443", "/ivr", "Digits", "1", uint8(0), uint16(12), byte('5'))
	f.Add("example.com", "/ivr?n=1", "Digits", "1", uint8(2), uint16(0), byte('/'))
	p := newTwilio(f, principals.TwilioOptions{})
	f.Fuzz(func(t *testing.T, host, uri, key, value string, part uint8, pos uint16, b byte) {
		if host == "" || !validWireHost(host) || !strings.HasPrefix(uri, "/") || !validWireURI(uri) || !twilioKey(key) {
			t.Skip()
		}
		s := signedParts{host: host, uri: uri, key: key, value: value}
		s.sig = principalstest.Sign(token, "https://"+host+uri, s.params())
		if _, ok, f := authenticate(t, p, s.request()); !ok {
			t.Fatalf("untampered request rejected: %v", f)
		}
		fields := []*string{&s.host, &s.uri, &s.key, &s.value, &s.sig}
		field := fields[int(part)%len(fields)]
		if *field == "" {
			t.Skip()
		}
		i := int(pos) % len(*field)
		if (*field)[i] == b {
			b ^= 1
		}
		*field = (*field)[:i] + string([]byte{b}) + (*field)[i+1:]
		if !strings.HasPrefix(s.uri, "/") {
			t.Skip() // net/http refuses such a request target; r.URL would not match it
		}
		if part%5 != 4 && principalstest.Sign(token, "https://"+s.host+s.uri, s.params()) == s.sig {
			t.Skip() // the signed text did not change
		}
		if _, ok, _ := authenticate(t, p, s.request()); ok {
			t.Errorf("tampered request %+v accepted", s)
		}
	})
}

// twilioKey reports whether k can be one of Twilio's parameter names.
func twilioKey(k string) bool {
	if k == "" {
		return false
	}
	for _, c := range []byte(k) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

func validWireHost(h string) bool {
	for _, c := range []byte(h) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte("/?#@\\", c) >= 0 {
			return false
		}
	}
	return true
}

func validWireURI(u string) bool {
	for _, c := range []byte(u) {
		if c <= ' ' || c == 0x7f || c == '#' {
			return false
		}
	}
	return true
}

// FuzzAuthenticateNeverPanics sends arbitrary requests through policies with every option, and
// checks the promises that hold whatever the input.
func FuzzAuthenticateNeverPanics(f *testing.F) {
	f.Add("POST", "/ivr?x=1", "example.com", "application/x-www-form-urlencoded", "From=%2B15551234567&A=1;2", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", "https", "evil.example", "10.0.0.1:1")
	f.Add("GET", "/ivr?bodySHA256=00", "[::1]:80", "application/json", `{"a":1}`, "", "HTTP", "", "[::1]:1")
	f.Add("POST", "http://x/y", "", "", "%zz&&=&a", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", ",https", "a,b", "garbage")
	policies := []*principals.TwilioPolicy{
		newTwilio(f, principals.TwilioOptions{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")}, MaxBody: 64}),
		newTwilio(f, principals.TwilioOptions{PublicURL: "HTTPS://[::1]:443/p/", AccountTokens: map[string][]principals.Secret{mainSID: {principals.NewSecret("t")}}}),
	}
	f.Fuzz(func(t *testing.T, method, uri, host, ctype, body, sig, xfp, xfh, remote string) {
		r := &http.Request{
			Method: method, URL: &url.URL{Path: "/"}, Host: host, RequestURI: uri, RemoteAddr: remote,
			Header: http.Header{"Content-Type": {ctype}, "X-Twilio-Signature": {sig}, "X-Forwarded-Proto": {xfp}, "X-Forwarded-Host": {xfh}},
			Body:   &rewindBody{*strings.NewReader(body)}, ContentLength: -1,
		}
		for _, p := range policies {
			r.Body = &rewindBody{*strings.NewReader(body)}
			r.PostForm, r.Form = nil, nil
			id, ok, err := p.Authenticate(r)
			if ok && (err != nil || len(id.Principals) == 0 || id.Principals[0] != principals.Twilio) {
				t.Errorf("vouched oddly: %+v %v", id, err)
			}
			if got := principalstest.ReadBody(r); got != body {
				t.Errorf("body after Authenticate = %q, want %q", got, body)
			}
		}
	})
}
