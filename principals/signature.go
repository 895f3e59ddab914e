package principals

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"hash"
	"sync"
)

// sigEncoding decodes X-Twilio-Signature: standard base64 with padding, strictly.
var sigEncoding = base64.StdEncoding.Strict()

// decodeSignature decodes a header value that must be the base64 of exactly 20 bytes.
func decodeSignature(dst *[sha1.Size]byte, s string) bool {
	if len(s) != base64.StdEncoding.EncodedLen(sha1.Size) {
		return false
	}
	var buf [sha1.Size + 1]byte
	n, err := sigEncoding.Decode(buf[:], []byte(s))
	if err != nil || n != sha1.Size {
		return false
	}
	copy(dst[:], buf[:n])
	return true
}

// A macKey is one token with a pool of keyed HMAC-SHA1 states.
type macKey struct {
	pool sync.Pool
}

type macState struct {
	h   hash.Hash
	sum [sha1.Size]byte
}

func newMacKey(s Secret) *macKey {
	k := new(macKey)
	key := []byte(s.Reveal())
	k.pool.New = func() any { return &macState{h: hmac.New(sha1.New, key)} }
	return k
}

func (k *macKey) sum(msg []byte) [sha1.Size]byte {
	m := k.pool.Get().(*macState)
	m.h.Reset()
	m.h.Write(msg)
	m.h.Sum(m.sum[:0])
	out := m.sum
	k.pool.Put(m)
	return out
}

// verifyState holds the reusable buffers of one verification.
type verifyState struct {
	params []param
	sent   []param    // the form sorted by key only, when a key repeats (see signedRequest.sent)
	buf    []byte     // the signed text: URL, then the sorted keys and values
	chunk  [4096]byte // one Read for the bodies Twilio sends
}

// canonical sets st.buf to the text Twilio signs for t, with the default port toggled or not.
func (st *verifyState) canonical(t target, toggle bool, ps []param) {
	b := t.appendURL(st.buf[:0], toggle)
	for _, p := range ps {
		b = append(b, p.key...)
		b = append(b, p.value...)
	}
	st.buf = b
}

// match reports whether any key signs t (as written, or with the default port toggled) and ps
// to want.
func (st *verifyState) match(want *[sha1.Size]byte, keys []*macKey, t target, ps []param) bool {
	for _, toggle := range [2]bool{false, true} {
		if toggle && !t.hasPortVariant() {
			break
		}
		st.canonical(t, toggle, ps)
		for _, k := range keys {
			sum := k.sum(st.buf)
			if hmac.Equal(sum[:], want[:]) {
				return true
			}
		}
	}
	return false
}
