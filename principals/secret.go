package principals

import "log/slog"

// Secret holds a credential such as an auth token. It prints, formats and logs as "REDACTED";
// call [Secret.Reveal] where the value itself is needed.
type Secret struct{ v string }

// NewSecret wraps s.
func NewSecret(s string) Secret { return Secret{v: s} }

// Reveal returns the secret value. Never log it.
func (s Secret) Reveal() string { return s.v }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.v == "" }

func (s Secret) String() string               { return "REDACTED" }
func (s Secret) GoString() string             { return "REDACTED" }
func (s Secret) LogValue() slog.Value         { return slog.StringValue("REDACTED") }
func (s Secret) MarshalText() ([]byte, error) { return []byte("REDACTED"), nil }
