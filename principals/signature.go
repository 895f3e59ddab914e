package principals

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"hash"
	"net/url"
	"strings"
	"sync"
)

// An Algorithm is a webhook signature algorithm: the HMAC that signs the text of a request.
type Algorithm uint8

const (
	// HMACSHA1 is Twilio's default, keyed with the account's auth token.
	HMACSHA1 Algorithm = iota
	// HMACSHA256 is used with webhook shared keys, when a Webhooks Rule names one; Twilio then
	// says so in X-Twilio-Webhooks-Signature-Settings.
	HMACSHA256
)

// String returns the algorithm's name as X-Twilio-Webhooks-Signature-Settings writes it:
// "HMAC_SHA1" or "HMAC_SHA256".
func (a Algorithm) String() string {
	if a == HMACSHA256 {
		return "HMAC_SHA256"
	}
	return "HMAC_SHA1"
}

// ParseAlgorithm reads an algorithm's name, as [Algorithm.String] writes it.
func ParseAlgorithm(s string) (Algorithm, bool) {
	switch s {
	case "HMAC_SHA1":
		return HMACSHA1, true
	case "HMAC_SHA256":
		return HMACSHA256, true
	}
	return 0, false
}

func (a Algorithm) size() int {
	if a == HMACSHA256 {
		return sha256.Size
	}
	return sha1.Size
}

func (a Algorithm) newHash() func() hash.Hash {
	if a == HMACSHA256 {
		return sha256.New
	}
	return sha1.New
}

// sigEncoding decodes X-Twilio-Signature: standard base64 with padding, strictly.
var sigEncoding = base64.StdEncoding.Strict()

// A digest is a decoded X-Twilio-Signature: 20 bytes of HMAC-SHA1 or 32 of HMAC-SHA256.
type digest struct {
	b [sha256.Size]byte
	n int
}

func (d *digest) bytes() []byte { return d.b[:d.n] }

// decodeSignature decodes a header value that must be the base64 of exactly size bytes.
func decodeSignature(dst *digest, s string, size int) bool {
	if len(s) != base64.StdEncoding.EncodedLen(size) {
		return false
	}
	var buf [sha256.Size + 2]byte
	n, err := sigEncoding.Decode(buf[:], []byte(s))
	if err != nil || n != size {
		return false
	}
	dst.n = copy(dst.b[:], buf[:n])
	return true
}

// A macKey is one secret with a pool of keyed HMAC states of one algorithm.
type macKey struct {
	pool sync.Pool
}

type macState struct {
	h   hash.Hash
	sum [sha256.Size]byte
}

func newMacKey(s Secret, alg Algorithm) *macKey {
	k := new(macKey)
	key := []byte(s.Reveal())
	h := alg.newHash()
	k.pool.New = func() any { return &macState{h: hmac.New(h, key)} }
	return k
}

// equal reports whether the HMAC of msg followed by more is want, in constant time.
func (k *macKey) equal(msg, more, want []byte) bool {
	m := k.pool.Get().(*macState)
	m.h.Reset()
	m.h.Write(msg)
	if len(more) > 0 {
		m.h.Write(more)
	}
	ok := hmac.Equal(m.h.Sum(m.sum[:0]), want)
	k.pool.Put(m)
	return ok
}

// sign returns the base64 of the HMAC of msg.
func (k *macKey) sign(msg []byte) string {
	m := k.pool.Get().(*macState)
	m.h.Reset()
	m.h.Write(msg)
	s := base64.StdEncoding.EncodeToString(m.h.Sum(m.sum[:0]))
	k.pool.Put(m)
	return s
}

var (
	errEmptySecret      = errors.New("principals: NewSigner: the secret is empty")
	errUnknownAlgorithm = errors.New("principals: NewSigner: unknown algorithm")
)

// A Signer computes X-Twilio-Signature values as Twilio does, for programs that play Twilio's
// part, such as `switchboard simulate` and package caller. Create one with [NewSigner]; it is
// safe for concurrent use.
type Signer struct {
	key *macKey
}

// NewSigner returns a signer keyed with secret: an auth token with [HMACSHA1], or a webhook
// shared key's secret with either algorithm.
func NewSigner(secret Secret, alg Algorithm) (*Signer, error) {
	if secret.IsZero() {
		return nil, errEmptySecret
	}
	if alg != HMACSHA1 && alg != HMACSHA256 {
		return nil, errUnknownAlgorithm
	}
	return &Signer{key: newMacKey(secret, alg)}, nil
}

// Sign returns the signature of a request to rawURL, the URL exactly as Twilio was configured
// with it (query and any user:password@ included), carrying the form fields: the HMAC of
// rawURL followed by each key and value, keys sorted, a repeated key's values sorted and all
// kept (as twilio-go, twilio-java and twilio-ruby sign them). Pass nil form for a GET, whose
// fields are in rawURL's query, or a JSON body, whose hash is in rawURL's bodySHA256.
func (s *Signer) Sign(rawURL string, form url.Values) string {
	ps := make([]param, 0, len(form))
	for k, vs := range form {
		for _, v := range vs {
			ps = append(ps, param{k, v})
		}
	}
	sortByKey(ps)
	sortForSignature(ps)
	var b strings.Builder
	b.WriteString(rawURL)
	for _, p := range ps {
		b.WriteString(p.key)
		b.WriteString(p.value)
	}
	return s.key.sign([]byte(b.String()))
}

// verifyState holds the reusable buffers of one verification.
type verifyState struct {
	params   []param
	sent     []param // the form sorted by key only, when a key repeats (see signedRequest.sent)
	dedup    []param // the form with repeated identical pairs counted once, when tried
	buf      []byte  // the signed text: URL, then the sorted keys and values
	alt      []byte  // the signed text of the other candidates match tries
	userinfo []byte  // the decoded credentials of an Authorization: Basic header, when tried
	// signedUser is the "user:password" of the URL that matched, nil when it had none
	signedUser []byte

	// What a request is handed, in st's memory when st is lent to a Result (see
	// TwilioPolicy.doneWith): the body and its decoded escapes and derived names, which the
	// strings of Identity.Form, CallSID and Principals point into; the reader r.Body replays the
	// body with; the verified identity's names; and the Failure of a forged request.
	text    []byte
	replay  replayBody
	names   [6]string
	failure Failure
	lent    bool
	owner   *TwilioPolicy // whose pool st returns to
}

// A variant is how a candidate URL differs from the URL as rebuilt.
type variant struct {
	togglePort bool   // the port removed, or the scheme's default port added when there is none
	userinfo   []byte // "user:password" put before the host, when not nil
}

// canonical sets st.buf to the text Twilio signs for the URL t as rebuilt, with ps, and returns
// where the URL ends in it.
func (st *verifyState) canonical(t target, ps []param) (urlEnd int) {
	st.buf = t.appendURL(st.buf[:0], variant{})
	urlEnd = len(st.buf)
	st.buf = appendForm(st.buf, ps)
	return urlEnd
}

// appendForm appends the pairs ps as Twilio signs them after the URL: each key, then its value.
func appendForm(dst []byte, ps []param) []byte {
	for _, p := range ps {
		dst = append(dst, p.key...)
		dst = append(dst, p.value...)
	}
	return dst
}

// try reports whether any of keys signs, to want, the text head followed by tail.
func try(keys []*macKey, want, head, tail []byte) bool {
	for _, k := range keys {
		if k.equal(head, tail, want) {
			return true
		}
	}
	return false
}

// match reports whether any of keys signs, to want, the URL t with ps: first the URL as rebuilt
// with the form as Twilio signs it. Only when that fails does it try what the official SDKs also
// accept, in this order: the port removed (any port) or the default one added; the URL with the
// credentials of an Authorization: Basic header (authz) before the host, with and without the
// port; and each of those with repeated identical form values counted once.
//
// When it matches, st.signedUser is the credentials the matching URL carried, nil for none.
// When it does not, st.buf holds the text of the first candidate (the URL as rebuilt, with ps),
// so that the hint's cache key reuses it; the other candidates' URLs are built in st.alt, and
// those with the same form are hashed with the form's text in st.buf rather than a copy of it.
func (st *verifyState) match(want []byte, keys []*macKey, t target, ps []param, authz string) bool {
	st.signedUser = nil
	url := st.canonical(t, ps)
	if try(keys, want, st.buf, nil) {
		return true
	}
	return st.matchOthers(want, keys, t, ps, st.buf[url:], authz)
}

// matchOthers is match's every candidate but the first; text is the form ps as signed.
func (st *verifyState) matchOthers(want []byte, keys []*macKey, t target, ps []param, text []byte, authz string) bool {
	forms := [2][]param{ps, st.dedupe(ps)}
	users := [3][]byte{nil}
	if u, ok := st.basicUserinfo(authz); ok {
		users[1] = u
		if len(u) > 1 && u[len(u)-1] == ':' { // "user:" may come from a URL with no password
			users[2] = u[:len(u)-1]
		}
	}
	ports := 1
	if t.hasPortVariant() {
		ports = 2
	}
	for fi, form := range forms {
		if fi > 0 && form == nil {
			break
		}
		for ui, u := range users {
			if ui > 0 && u == nil {
				continue
			}
			for port := range ports {
				if fi == 0 && ui == 0 && port == 0 {
					continue // the primary candidate, tried already
				}
				v := variant{togglePort: port == 1, userinfo: u}
				st.alt = t.appendURL(st.alt[:0], v)
				tail := text
				if fi > 0 {
					st.alt, tail = appendForm(st.alt, form), nil
				}
				if try(keys, want, st.alt, tail) {
					st.signedUser = u
					return true
				}
			}
		}
	}
	return false
}

// dedupe returns ps, sorted by key and value, with repeated identical pairs counted once, as
// twilio-python, twilio-node and twilio-php sign them; nil when no pair repeats.
func (st *verifyState) dedupe(ps []param) []param {
	repeats := false
	for i := 1; i < len(ps); i++ {
		if ps[i] == ps[i-1] {
			repeats = true
			break
		}
	}
	if !repeats {
		return nil
	}
	d := append(st.dedup[:0], ps...)
	n := 1
	for i := 1; i < len(d); i++ {
		if d[i] != d[n-1] {
			d[n] = d[i]
			n++
		}
	}
	st.dedup = d
	return d[:n]
}

// maxUserinfo bounds the credentials tried in the URL: an Authorization header longer than this
// is not Twilio's.
const maxUserinfo = 1024

// basicUserinfo decodes an "Authorization: Basic" header into st.userinfo: "user:password", byte
// for byte as the client sent it.
func (st *verifyState) basicUserinfo(authz string) ([]byte, bool) {
	scheme, cred, ok := strings.Cut(authz, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return nil, false
	}
	cred = strings.TrimLeft(cred, " ")
	if cred == "" || len(cred) > maxUserinfo {
		return nil, false
	}
	n := base64.StdEncoding.DecodedLen(len(cred))
	if cap(st.userinfo) < n {
		st.userinfo = make([]byte, n)
	}
	n, err := base64.StdEncoding.Decode(st.userinfo[:n], []byte(cred))
	if err != nil || n == 0 {
		return nil, false
	}
	u := st.userinfo[:n]
	for _, c := range u {
		if c < ' ' || c == 0x7f || c == '@' || c == '/' {
			return nil, false // not something a URL's userinfo can hold
		}
	}
	return u, true
}
