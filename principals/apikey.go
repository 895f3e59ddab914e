package principals

import (
	"bufio"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
)

// APIKeyPolicyName is the name the API key policy gives in [Identity.Policy] and
// [Failure.Policy].
const APIKeyPolicyName = "apikey"

// APIKeyPolicy vouches for requests that carry an operator key as "Authorization: Bearer <key>".
// Keys are stored only as SHA-256 hashes. It yields "key:<name>" and "group:<g>" for each of the
// key's groups. Create one with [ParseAPIKeys] or [LoadAPIKeys]; it is safe for concurrent use.
//
// A request without an Authorization header, or with another scheme (Basic …), carries no
// credentials of this kind: ok == false and no error.
type APIKeyPolicy struct {
	keys []apiKey
}

type apiKey struct {
	name       string
	hash       [sha256.Size]byte
	principals []string
}

// HashAPIKey returns the line field under which a keys file stores key: "sha256:" and the hex
// SHA-256 of key. Keys should be long random strings, such as 32 random bytes in hex.
func HashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// LoadAPIKeys reads a keys file; see [ParseAPIKeys].
func LoadAPIKeys(path string) (*APIKeyPolicy, error) {
	return parseFile(path, ParseAPIKeys)
}

// parseFile opens path and parses it with parse, naming it by its path in errors.
func parseFile[T any](path string, parse func(name string, r io.Reader) (T, error)) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, err
	}
	defer f.Close()
	return parse(path, f)
}

// ParseAPIKeys reads a keys file from r; name is the file name used in errors. Each line holds
//
//	name  sha256:<hex>  [group,group…]
//
// separated by spaces or tabs. Blank lines and lines starting with '#' are skipped. Names and
// groups are letters, digits and ".-_@"; a name or group that is reserved (system.*, twilio) is
// refused, as are a repeated name and a repeated hash. Every problem is reported, as
// "file:line: problem", joined.
func ParseAPIKeys(name string, r io.Reader) (*APIKeyPolicy, error) {
	keys, err := parseCredentials(name, r, credentialFormat{kind: "key", principal: Key, uniqueHash: true})
	if err != nil {
		return nil, err
	}
	return &APIKeyPolicy{keys: keys}, nil
}

// A credentialFormat says what the lines of a keys or credentials file name.
type credentialFormat struct {
	kind       string              // "key" or "user", in errors
	principal  func(string) string // the principal of a line's name
	uniqueHash bool                // refuse two lines with the same hash (two names for one key)
}

// parseCredentials reads the lines "name sha256:<hex> [group,…]" of a keys or credentials file;
// see [ParseAPIKeys].
func parseCredentials(name string, r io.Reader, cf credentialFormat) ([]apiKey, error) {
	var keys []apiKey
	var errs []error
	seenName := map[string]int{}
	seenHash := map[[sha256.Size]byte]int{}
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
		if len(fields) < 2 || len(fields) > 3 {
			bad("want `name sha256:<hex> [group,…]`, got %d fields", len(fields))
			continue
		}
		k := apiKey{name: fields[0]}
		if msg := checkName(k.name); msg != "" {
			bad("%s name %q %s", cf.kind, k.name, msg)
		}
		hexSum, ok := strings.CutPrefix(fields[1], "sha256:")
		if ok && len(hexSum) == hex.EncodedLen(sha256.Size) {
			_, err := hex.Decode(k.hash[:], []byte(hexSum))
			ok = err == nil
		}
		if !ok || len(hexSum) != hex.EncodedLen(sha256.Size) {
			bad("hash of %q must be sha256: and 64 hex digits (see HashAPIKey)", k.name)
		}
		k.principals = []string{cf.principal(k.name)}
		if len(fields) == 3 {
			for g := range strings.SplitSeq(fields[2], ",") {
				if msg := checkName(g); msg != "" {
					bad("group %q of %s %q %s", g, cf.kind, k.name, msg)
					continue
				}
				k.principals = append(k.principals, Group(g))
			}
		}
		if prev, ok := seenName[k.name]; ok {
			bad("%s name %q repeats line %d", cf.kind, k.name, prev)
		}
		if prev, ok := seenHash[k.hash]; ok && cf.uniqueHash && k.hash != ([sha256.Size]byte{}) {
			bad("%s %q has the same hash as line %d", cf.kind, k.name, prev)
		}
		seenName[k.name], seenHash[k.hash] = n, n
		keys = append(keys, k)
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", name, err))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return keys, nil
}

// CheckName returns what is wrong with s as the name of a key, a user or a group in a keys or
// credentials file ("may hold only letters, digits and .-_@"), or nil.
func CheckName(s string) error {
	if msg := checkName(s); msg != "" {
		return errors.New(msg)
	}
	return nil
}

// checkName returns why s cannot be a key or group name, or "".
func checkName(s string) string {
	if s == "" {
		return "is empty"
	}
	if IsReserved(s) {
		return "is reserved"
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(".-_@", c) >= 0) {
			return "may hold only letters, digits and .-_@"
		}
	}
	return ""
}

// Len returns the number of keys.
func (p *APIKeyPolicy) Len() int { return len(p.keys) }

// Authenticate implements [Policy].
func (p *APIKeyPolicy) Authenticate(r *http.Request) (Identity, bool, error) {
	hs := r.Header.Values("Authorization")
	if len(hs) == 0 {
		return Identity{}, false, nil
	}
	key, isBearer, ok := parseBearer(hs[0])
	if !isBearer {
		return Identity{}, false, nil
	}
	if len(hs) > 1 {
		return Identity{}, false, &Failure{Policy: APIKeyPolicyName, Reason: ErrDuplicateAuth}
	}
	if !ok {
		return Identity{}, false, &Failure{Policy: APIKeyPolicyName, Reason: ErrMalformedBearer}
	}
	sum := sha256.Sum256([]byte(key))
	found := -1
	for i := range p.keys { // every key is compared, whatever matches
		if subtle.ConstantTimeCompare(sum[:], p.keys[i].hash[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return Identity{}, false, &Failure{Policy: APIKeyPolicyName, Reason: ErrUnknownKey}
	}
	return Identity{Policy: APIKeyPolicyName, Principals: slices.Clone(p.keys[found].principals)}, true, nil
}

// parseBearer parses an Authorization header value. isBearer reports whether the scheme is
// Bearer (in any case); ok whether a well-formed token (RFC 6750 b64token) follows it.
func parseBearer(h string) (token string, isBearer, ok bool) {
	scheme, rest, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", false, false
	}
	token = strings.TrimLeft(rest, " ")
	if token == "" {
		return "", true, false
	}
	for i := 0; i < len(token); i++ {
		c := token[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~+/", c) >= 0) {
			if c == '=' && strings.Trim(token[i:], "=") == "" {
				break // trailing padding
			}
			return "", true, false
		}
	}
	return token, true, true
}
