package callstate

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-ivr/switchboard/internal/varname"
)

// Errors that [Sealer.Open] returns; match them with errors.Is.
var (
	ErrMalformed = errors.New("callstate: malformed token")
	ErrInvalid   = errors.New("callstate: token not issued for this call and path, or under another key")
	ErrExpired   = errors.New("callstate: token expired")
)

// Limits on what a token holds, so that a URL stays short and a request can never make the
// server decode much.
const (
	MaxScopes   = 8              // scopes in one State
	MaxScopeLen = 64             // bytes of one scope
	MaxDataLen  = 256            // bytes of State.Data
	MaxVarsLen  = 512            // bytes of State.Vars and State.Secret together, as sealed (names, values, a length byte each)
	MaxVarName  = varname.MaxLen // bytes of a variable's name
	MaxTokenLen = 2560           // characters of a token Open looks at
)

// ErrTooLarge is wrapped by the error Seal returns when a State's variables exceed MaxVarsLen:
// the caller decides what a call whose data does not fit does (a flow's fetch goes to on_error).
var ErrTooLarge = errors.New("callstate: the call's variables exceed MaxVarsLen")

// DefaultTTL is how long a token lives when [Options.TTL] is zero. Every response of a call
// seals the state anew for the URLs it holds, so the TTL bounds the gap between two requests of
// one call (a prompt, a gather's timeout, a dial that rings), not the length of the call.
const DefaultTTL = 15 * time.Minute

const (
	version1  = 1  // scopes and data
	version   = 2  // scopes, data, variables in clear, variables encrypted
	macSize   = 16 // HMAC-SHA256 truncated to 128 bits
	domain    = "switchboard/callstate/v1\x00"
	varsLabel = "switchboard/callstate/vars/v1" // derives the key that encrypts State.Secret
)

var enc = base64.RawURLEncoding.Strict()

// State is what a call carries from one request to the next.
type State struct {
	// Scopes are the names the call was granted, such as the PIN scopes it entered ("staff").
	// Each is 1 to MaxScopeLen bytes of letters, digits and ".-_:"; Seal sorts them and drops
	// repeats.
	Scopes []string
	// Data is other per-call state the caller of Seal defines, such as retry counts. Optional;
	// at most MaxDataLen bytes.
	Data string
	// Vars are the call's variables (a flow's fetch answers): name → value. They are covered by
	// the MAC, so nobody can change them, but anyone who sees the URL can read them. Names are
	// identifiers ([A-Za-z_][A-Za-z0-9_]*) of at most MaxVarName bytes. Optional.
	Vars map[string]string
	// Secret are variables that must never appear in clear in a URL (a flow's sensitive
	// variables): Seal encrypts them with AES-256-GCM under a key derived from the sealing key
	// (HMAC-SHA256 of the key and "switchboard/callstate/vars/v1"), so Twilio's request logs,
	// proxies and browser histories see only ciphertext. Optional. Vars and Secret together
	// are at most MaxVarsLen bytes as sealed; over that, Seal fails with [ErrTooLarge].
	Secret map[string]string
}

// Options configures [New]. A nil *Options means every default.
type Options struct {
	// Secondary are older keys that still open tokens while keys rotate; Seal uses only the
	// primary. Optional.
	Secondary []Key
	// TTL is how long a sealed token stays valid. Optional; DefaultTTL.
	TTL time.Duration
}

// Sealer seals and opens tokens. It is immutable and safe for concurrent use.
type Sealer struct {
	keys  [][]byte      // primary first
	aeads []cipher.AEAD // per key: encrypts State.Secret
	macs  []sync.Pool   // per key: keyed HMAC-SHA256 states (*macState), reset for each token
	ttl   time.Duration
}

// macState is one keyed HMAC and the buffer its message is built in. Bound: a sync.Pool keeps a
// few per processor and drops them over two garbage collections; a buffer past 4 KiB (a token
// is at most MaxTokenLen) is not kept.
type macState struct {
	h   hash.Hash
	msg []byte
	sum [sha256.Size]byte
}

// New returns a Sealer that seals with primary and opens with primary or any secondary key.
func New(primary Key, opts *Options) (*Sealer, error) {
	if primary.IsZero() {
		return nil, errors.New("callstate: no primary key")
	}
	s := &Sealer{keys: [][]byte{primary.b}, ttl: DefaultTTL}
	if opts != nil {
		for i, k := range opts.Secondary {
			if k.IsZero() {
				return nil, fmt.Errorf("callstate: Secondary[%d] is empty", i)
			}
			s.keys = append(s.keys, k.b)
		}
		if opts.TTL < 0 {
			return nil, fmt.Errorf("callstate: TTL %v is negative", opts.TTL)
		}
		if opts.TTL > 0 {
			s.ttl = opts.TTL
		}
	}
	s.macs = make([]sync.Pool, len(s.keys))
	for i, k := range s.keys {
		s.macs[i].New = func() any { return &macState{h: hmac.New(sha256.New, k)} }
		m := hmac.New(sha256.New, k)
		m.Write([]byte(varsLabel))
		block, err := aes.NewCipher(m.Sum(nil))
		if err != nil {
			return nil, fmt.Errorf("callstate: %w", err)
		}
		gcm, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("callstate: %w", err)
		}
		s.aeads = append(s.aeads, gcm)
	}
	return s, nil
}

// TTL returns how long the tokens Seal makes stay valid.
func (s *Sealer) TTL() time.Duration { return s.ttl }

// Seal returns a token for st that [Sealer.Open] accepts only with the same callSID and path,
// until now plus the TTL. The token is URL-safe (base64url, no padding). It fails when callSID
// is empty or st breaks the limits above.
func (s *Sealer) Seal(callSID, path string, st State, now time.Time) (string, error) {
	return s.SealFor(callSID, path, st, now, s.ttl)
}

// SealFor is [Sealer.Seal] with a token valid for ttl instead of the Sealer's TTL: for the one
// URL of a call that may be requested long after the response that holds it (an AI agent's
// session returns when the conversation ends). ttl must be positive.
func (s *Sealer) SealFor(callSID, path string, st State, now time.Time, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		return "", fmt.Errorf("callstate: TTL %v is not positive", ttl)
	}
	if callSID == "" {
		return "", errors.New("callstate: no call SID to bind the token to")
	}
	scopes := slices.Clone(st.Scopes)
	slices.Sort(scopes)
	scopes = slices.Compact(scopes)
	if len(scopes) > MaxScopes {
		return "", fmt.Errorf("callstate: %d scopes; at most %d", len(scopes), MaxScopes)
	}
	for _, sc := range scopes {
		if !validScope(sc) {
			return "", fmt.Errorf("callstate: scope %q: want 1 to %d letters, digits and .-_:", sc, MaxScopeLen)
		}
	}
	if len(st.Data) > MaxDataLen {
		return "", fmt.Errorf("callstate: Data is %d bytes; at most %d", len(st.Data), MaxDataLen)
	}
	clear, secret := noVars, noVars // most tokens carry no variables: no allocation for them
	var err error
	if len(st.Vars) > 0 {
		if clear, err = appendVars(nil, st.Vars); err != nil {
			return "", err
		}
	}
	if len(st.Secret) > 0 {
		if secret, err = appendVars(nil, st.Secret); err != nil {
			return "", err
		}
	}
	if len(clear)+len(secret) > MaxVarsLen {
		return "", fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(clear)+len(secret), MaxVarsLen)
	}
	var box []byte
	if len(st.Secret) > 0 {
		aead := s.aeads[0]
		nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(secret)+aead.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return "", fmt.Errorf("callstate: %w", err)
		}
		box = aead.Seal(nonce, nonce, secret, aad(callSID, path))
	}
	n := 24 + len(st.Data) + len(scopes)*16 + len(clear) + len(box) + macSize
	buf := tokenBufs.Get().(*[]byte)
	defer tokenBufs.Put(buf)
	b := slices.Grow((*buf)[:0], n+enc.EncodedLen(n)) // the token, then its encoding
	defer func() {
		if cap(b) <= 2*MaxTokenLen {
			*buf = b
		}
	}()
	b = append(b, version)
	b = binary.BigEndian.AppendUint64(b, uint64(now.Add(ttl).Unix()))
	b = append(b, byte(len(scopes)))
	for _, sc := range scopes {
		b = append(b, byte(len(sc)))
		b = append(b, sc...)
	}
	b = binary.AppendUvarint(b, uint64(len(st.Data)))
	b = append(b, st.Data...)
	b = binary.AppendUvarint(b, uint64(len(clear)))
	b = append(b, clear...)
	b = binary.AppendUvarint(b, uint64(len(box)))
	b = append(b, box...)
	b = s.mac(0, b, callSID, path, b)
	return string(enc.AppendEncode(b[len(b):len(b)], b)), nil
}

// Open checks a token against the call SID and path of the request that carries it and returns
// the state sealed in it. It returns an error matching [ErrMalformed], [ErrInvalid] or
// [ErrExpired]; the MAC is checked before anything else in the token is believed.
func (s *Sealer) Open(token, callSID, path string, now time.Time) (State, error) {
	// The decoder skips CR and LF even in strict mode; a token is one spelling or none, so a
	// token with either is malformed rather than a second name for the same state.
	if token == "" || len(token) > MaxTokenLen || strings.ContainsAny(token, "\r\n") {
		return State{}, ErrMalformed
	}
	if callSID == "" {
		return State{}, ErrInvalid // a request that names no call holds no call's state
	}
	b, err := enc.DecodeString(token)
	if err != nil || len(b) < 1+8+1+1+macSize || (b[0] != version && b[0] != version1) {
		return State{}, ErrMalformed
	}
	body, sum := b[:len(b)-macSize], b[len(b)-macSize:]
	matched := -1
	var want [macSize]byte
	for i := range s.keys { // every key is tried, whichever matches
		if hmac.Equal(sum, s.mac(i, want[:0], callSID, path, body)) && matched < 0 {
			matched = i
		}
	}
	if matched < 0 {
		return State{}, ErrInvalid
	}
	st, exp, box, err := decode(body)
	if err != nil {
		return State{}, err
	}
	if len(box) > 0 {
		aead := s.aeads[matched]
		if len(box) < aead.NonceSize()+aead.Overhead() {
			return State{}, ErrMalformed
		}
		plain, err := aead.Open(nil, box[:aead.NonceSize()], box[aead.NonceSize():], aad(callSID, path))
		if err != nil {
			return State{}, ErrMalformed
		}
		if st.Secret, err = readVars(plain); err != nil {
			return State{}, err
		}
	}
	if !now.Before(exp) {
		return State{}, ErrExpired
	}
	return st, nil
}

// decode reads a token's body (version, expiry, scopes, data, and from version 2 the variables
// in clear and the encrypted box), whose MAC has been checked.
func decode(b []byte) (State, time.Time, []byte, error) {
	v := b[0]
	exp := time.Unix(int64(binary.BigEndian.Uint64(b[1:9])), 0)
	b = b[9:]
	n := int(b[0])
	b = b[1:]
	if n > MaxScopes {
		return State{}, time.Time{}, nil, ErrMalformed
	}
	var st State
	for range n {
		if len(b) < 1 || len(b) < 1+int(b[0]) {
			return State{}, time.Time{}, nil, ErrMalformed
		}
		st.Scopes = append(st.Scopes, string(b[1:1+int(b[0])]))
		b = b[1+int(b[0]):]
	}
	data, b, ok := chunk(b, MaxDataLen)
	if !ok {
		return State{}, time.Time{}, nil, ErrMalformed
	}
	st.Data = string(data)
	if v == version1 {
		if len(b) != 0 {
			return State{}, time.Time{}, nil, ErrMalformed
		}
		return st, exp, nil, nil
	}
	clear, b, ok := chunk(b, MaxVarsLen)
	if !ok {
		return State{}, time.Time{}, nil, ErrMalformed
	}
	box, b, ok := chunk(b, MaxVarsLen+64)
	if !ok || len(b) != 0 {
		return State{}, time.Time{}, nil, ErrMalformed
	}
	vars, err := readVars(clear)
	if err != nil {
		return State{}, time.Time{}, nil, err
	}
	st.Vars = vars
	return st, exp, box, nil
}

// chunk reads a uvarint length of at most max and that many bytes.
func chunk(b []byte, max int) (c, rest []byte, ok bool) {
	l, k := binary.Uvarint(b)
	if k <= 0 || l > uint64(max) || uint64(len(b)-k) < l {
		return nil, nil, false
	}
	return b[k : k+int(l)], b[k+int(l):], true
}

// appendVars writes vars as a count, then each name and value, sorted by name, each behind a
// uvarint length. An empty set is one zero byte.
// noVars is what appendVars writes for no variables. Read only.
var noVars = []byte{0}

// tokenBufs holds the buffers SealFor builds a token and its encoding in; only the string it
// returns leaves. Bound: a sync.Pool keeps a few per processor, and drops them over two garbage
// collections; a buffer past twice MaxTokenLen is not kept.
var tokenBufs = sync.Pool{New: func() any { return new([]byte) }}

func appendVars(b []byte, vars map[string]string) ([]byte, error) {
	if len(vars) > MaxVarsLen {
		return nil, fmt.Errorf("%w: %d variables", ErrTooLarge, len(vars))
	}
	names := make([]string, 0, len(vars))
	for name := range vars {
		if !varname.Valid(name) {
			return nil, fmt.Errorf("callstate: variable name %.80q: want an identifier of at most %d bytes", name, MaxVarName)
		}
		names = append(names, name)
	}
	slices.Sort(names)
	b = binary.AppendUvarint(b, uint64(len(names)))
	for _, name := range names {
		v := vars[name]
		if len(v) > MaxVarsLen {
			return nil, fmt.Errorf("%w: %s is %d bytes", ErrTooLarge, name, len(v))
		}
		b = binary.AppendUvarint(b, uint64(len(name)))
		b = append(b, name...)
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	}
	return b, nil
}

// readVars reads what appendVars wrote; nil for an empty set.
func readVars(b []byte) (map[string]string, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > MaxVarsLen {
		return nil, ErrMalformed
	}
	b = b[k:]
	if n == 0 {
		if len(b) != 0 {
			return nil, ErrMalformed
		}
		return nil, nil
	}
	out := make(map[string]string, min(n, 64))
	for range n {
		name, rest, ok := chunk(b, MaxVarName)
		if !ok || !varname.Valid(string(name)) {
			return nil, ErrMalformed
		}
		val, rest, ok := chunk(rest, MaxVarsLen)
		if !ok {
			return nil, ErrMalformed
		}
		out[string(name)] = string(val)
		b = rest
	}
	if len(b) != 0 {
		return nil, ErrMalformed
	}
	return out, nil
}

// aad binds an encrypted box to its call and path, as the MAC binds the whole token.
func aad(callSID, path string) []byte {
	return []byte(callSID + "\x00" + path)
}

// mac is the truncated HMAC-SHA256 of the domain, the call SID and the path (each
// length-prefixed, so that no two pairs run together into the same text) and the token body.
func (s *Sealer) mac(key int, dst []byte, callSID, path string, body []byte) []byte {
	// A keyed HMAC from the pool, and the message built in one buffer and written once: a
	// fresh hmac.New and a Write per piece cost about fifteen allocations a token, on every
	// answer that carries call state.
	m := s.macs[key].Get().(*macState)
	msg := append(m.msg[:0], domain...)
	msg = binary.AppendUvarint(msg, uint64(len(callSID)))
	msg = append(msg, callSID...)
	msg = binary.AppendUvarint(msg, uint64(len(path)))
	msg = append(msg, path...)
	msg = append(msg, body...)
	m.h.Reset()
	m.h.Write(msg)
	dst = append(dst, m.h.Sum(m.sum[:0])[:macSize]...)
	if cap(msg) <= 4<<10 {
		m.msg = msg
	} else {
		m.msg = nil
	}
	s.macs[key].Put(m)
	return dst
}

func validScope(s string) bool {
	if s == "" || len(s) > MaxScopeLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_' || c == ':') {
			return false
		}
	}
	return true
}
