package callstate

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// KeySize is the size in bytes of a key that [GenerateKey] makes, and the least [ParseKey]
// accepts.
const KeySize = 32

// Key is a server key that seals call state. It prints, formats and logs as "REDACTED".
type Key struct{ b []byte }

// GenerateKey returns a new random key.
func GenerateKey() (Key, error) {
	b := make([]byte, KeySize)
	if _, err := rand.Read(b); err != nil {
		return Key{}, fmt.Errorf("callstate: %w", err)
	}
	return Key{b: b}, nil
}

// ParseKey reads a key written as hex digits (see [Key.Encode]): at least 2×[KeySize] of them,
// surrounding spaces ignored.
func ParseKey(s string) (Key, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Key{}, errors.New("callstate: the key is empty")
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return Key{}, errors.New("callstate: the key must be hex digits, such as the output of `openssl rand -hex 32`")
	}
	if len(b) < KeySize {
		return Key{}, fmt.Errorf("callstate: the key is %d bytes; it must be at least %d (%d hex digits)", len(b), KeySize, 2*KeySize)
	}
	return Key{b: b}, nil
}

// Encode returns the key as hex digits, for printing it once to an operator. Never log it.
func (k Key) Encode() string { return hex.EncodeToString(k.b) }

// IsZero reports whether k holds no key.
func (k Key) IsZero() bool { return len(k.b) == 0 }

func (k Key) String() string               { return "REDACTED" }
func (k Key) GoString() string             { return "REDACTED" }
func (k Key) LogValue() slog.Value         { return slog.StringValue("REDACTED") }
func (k Key) MarshalText() ([]byte, error) { return []byte("REDACTED"), nil }
