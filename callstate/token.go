package callstate

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
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
	MaxScopes   = 8    // scopes in one State
	MaxScopeLen = 64   // bytes of one scope
	MaxDataLen  = 256  // bytes of State.Data
	MaxTokenLen = 1024 // characters of a token Open looks at
)

// DefaultTTL is how long a token lives when [Options.TTL] is zero. Every response of a call
// seals the state anew for the URLs it holds, so the TTL bounds the gap between two requests of
// one call (a prompt, a gather's timeout, a dial that rings), not the length of the call.
const DefaultTTL = 15 * time.Minute

const (
	version = 1
	macSize = 16 // HMAC-SHA256 truncated to 128 bits
	domain  = "switchboard/callstate/v1\x00"
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
	keys [][]byte // primary first
	ttl  time.Duration
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
	b := make([]byte, 0, 16+len(st.Data)+len(scopes)*16+macSize)
	b = append(b, version)
	b = binary.BigEndian.AppendUint64(b, uint64(now.Add(ttl).Unix()))
	b = append(b, byte(len(scopes)))
	for _, sc := range scopes {
		b = append(b, byte(len(sc)))
		b = append(b, sc...)
	}
	b = binary.AppendUvarint(b, uint64(len(st.Data)))
	b = append(b, st.Data...)
	b = append(b, s.mac(s.keys[0], callSID, path, b)...)
	return enc.EncodeToString(b), nil
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
	if err != nil || len(b) < 1+8+1+1+macSize || b[0] != version {
		return State{}, ErrMalformed
	}
	body, sum := b[:len(b)-macSize], b[len(b)-macSize:]
	ok := false
	for _, k := range s.keys { // every key is tried, whichever matches
		if hmac.Equal(sum, s.mac(k, callSID, path, body)) {
			ok = true
		}
	}
	if !ok {
		return State{}, ErrInvalid
	}
	st, exp, err := decode(body)
	if err != nil {
		return State{}, err
	}
	if !now.Before(exp) {
		return State{}, ErrExpired
	}
	return st, nil
}

// decode reads a token's body (version, expiry, scopes, data), whose MAC has been checked.
func decode(b []byte) (State, time.Time, error) {
	exp := time.Unix(int64(binary.BigEndian.Uint64(b[1:9])), 0)
	b = b[9:]
	n := int(b[0])
	b = b[1:]
	if n > MaxScopes {
		return State{}, time.Time{}, ErrMalformed
	}
	var st State
	for range n {
		if len(b) < 1 || len(b) < 1+int(b[0]) {
			return State{}, time.Time{}, ErrMalformed
		}
		st.Scopes = append(st.Scopes, string(b[1:1+int(b[0])]))
		b = b[1+int(b[0]):]
	}
	dl, k := binary.Uvarint(b)
	if k <= 0 || dl > MaxDataLen || uint64(len(b)-k) != dl {
		return State{}, time.Time{}, ErrMalformed
	}
	st.Data = string(b[k:])
	return st, exp, nil
}

// mac is the truncated HMAC-SHA256 of the domain, the call SID and the path (each
// length-prefixed, so that no two pairs run together into the same text) and the token body.
func (s *Sealer) mac(key []byte, callSID, path string, body []byte) []byte {
	h := hmac.New(sha256.New, key)
	var n [binary.MaxVarintLen64]byte
	h.Write([]byte(domain))
	h.Write(n[:binary.PutUvarint(n[:], uint64(len(callSID)))])
	h.Write([]byte(callSID))
	h.Write(n[:binary.PutUvarint(n[:], uint64(len(path)))])
	h.Write([]byte(path))
	h.Write(body)
	return h.Sum(nil)[:macSize]
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
