package pin

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// Lengths of a PIN, in digits.
const (
	MinLength = 4
	MaxLength = 12
)

// Cost is the bcrypt cost [Hash] uses: 2^10 rounds, about 50–100 ms a check on a server core.
const Cost = bcrypt.DefaultCost

// Secrets are the hashed PINs of a secrets file, by name. It is immutable and safe for
// concurrent use.
type Secrets struct {
	hashes map[string][]byte
}

// Hash returns the line field a secrets file stores for pin: its bcrypt hash, "$2a$10$…". pin
// must be MinLength to MaxLength digits.
func Hash(pin string) (string, error) {
	if err := checkPIN(pin); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pin), Cost)
	if err != nil {
		return "", fmt.Errorf("pin: %w", err)
	}
	return string(h), nil
}

func checkPIN(pin string) error {
	if len(pin) < MinLength || len(pin) > MaxLength || strings.Trim(pin, "0123456789") != "" {
		return fmt.Errorf("pin: a PIN is %d to %d digits", MinLength, MaxLength)
	}
	return nil
}

// Load reads a secrets file; see [Parse]. On systems with Unix permissions, a file that other
// users can read or write is refused: restrict it with chmod 600.
func Load(path string) (*Secrets, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("pin: secrets file: %w", err)
	}
	defer f.Close()
	if runtime.GOOS != "windows" {
		fi, err := f.Stat()
		if err != nil {
			return nil, fmt.Errorf("pin: secrets file: %w", err)
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			return nil, fmt.Errorf("pin: secrets file %s is accessible to other users (mode %#o); restrict it with: chmod 600 %s", path, perm, path)
		}
	}
	return Parse(path, f)
}

// Parse reads a secrets file from r; name is the file name used in errors. Each line holds
//
//	name  $2a$10$…
//
// a secret's name (letters, digits and ".-_", the name a flow's pin node gives as its secret) and
// the bcrypt hash of its PIN ([Hash], or `switchboard key --pin`), separated by spaces or tabs.
// Blank lines and lines starting with '#' are skipped. Every problem is reported, as
// "file:line: problem", joined; no problem quotes a hash.
func Parse(name string, r io.Reader) (*Secrets, error) {
	s := &Secrets{hashes: map[string][]byte{}}
	seen := map[string]int{}
	var errs []error
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s:%d: "+format, append([]any{name, n}, args...)...))
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			bad("want `name $2a$10$…` (a name and a bcrypt hash), got %d fields", len(fields))
			continue
		}
		sn, h := fields[0], fields[1]
		if !ValidName(sn) {
			bad("secret name %q: want letters, digits and .-_", sn)
		}
		if cost, err := bcrypt.Cost([]byte(h)); err != nil {
			bad("the hash of %q is not a bcrypt hash (make one with `switchboard key --pin`)", sn)
		} else if cost < bcrypt.DefaultCost {
			bad("the hash of %q has bcrypt cost %d; use at least %d", sn, cost, bcrypt.DefaultCost)
		}
		if prev, ok := seen[sn]; ok {
			bad("secret %q repeats line %d", sn, prev)
		}
		seen[sn] = n
		s.hashes[sn] = []byte(h)
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", name, err))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

// ValidName reports whether s can name a secret: 1 to 64 letters, digits and ".-_".
func ValidName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Has reports whether the file holds a secret called name.
func (s *Secrets) Has(name string) bool {
	if s == nil {
		return false
	}
	_, ok := s.hashes[name]
	return ok
}

// Names returns the secrets' names, sorted.
func (s *Secrets) Names() []string {
	if s == nil {
		return nil
	}
	names := make([]string, 0, len(s.hashes))
	for n := range s.hashes {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Check reports whether digits is the PIN of the secret called name. It costs one bcrypt
// comparison (constant time in digits) whenever digits could be a PIN, and nothing when it could
// not (the wrong length, not digits) or no such secret exists.
func (s *Secrets) Check(name, digits string) bool {
	if s == nil {
		return false
	}
	h, ok := s.hashes[name]
	if !ok || checkPIN(digits) != nil {
		return false
	}
	return bcrypt.CompareHashAndPassword(h, []byte(digits)) == nil
}

// PrincipalPrefix names the principal a call holds once it entered the PIN of a scope:
// "pin:staff".
const PrincipalPrefix = "pin:"

// Principal returns the principal of a PIN scope, "pin:<scope>".
func Principal(scope string) string { return PrincipalPrefix + scope }
