package principals

import (
	"slices"
	"strings"
)

// Reserved principal names. Every request has [Everyone]; [Authenticated] is added when some
// policy vouched for the request; [Twilio] when its Twilio signature verified.
const (
	Everyone      = "system.Everyone"
	Authenticated = "system.Authenticated"
	Twilio        = "twilio"
)

// Namespaces of derived principal names.
const (
	CallerPrefix  = "caller:"  // caller:+E164, only from a verified Twilio request
	AccountPrefix = "account:" // account:AC…, only from a verified Twilio request
	KeyPrefix     = "key:"     // key:<name>, an operator API key
	GroupPrefix   = "group:"   // group:<name>, from a keys file or the authorization policy
)

// IsE164 reports whether s is an E.164 phone number as Twilio writes one: '+', a country code
// that does not start with 0, and 8 to 15 digits in all, such as "+15551234567". It is the one
// rule every package applies: a flow's numbers, the caller principals a request yields, and the
// caller principals a policy names.
func IsE164(s string) bool {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Caller returns the principal of a caller's phone number, "caller:+15551234567".
func Caller(e164 string) string { return CallerPrefix + e164 }

// Account returns the principal of a Twilio account, "account:AC…".
func Account(sid string) string { return AccountPrefix + sid }

// Key returns the principal of an operator API key, "key:<name>".
func Key(name string) string { return KeyPrefix + name }

// Group returns the principal of a group, "group:<name>".
func Group(name string) string { return GroupPrefix + name }

// IsReserved reports whether name is one that no credential may claim for itself: the system
// names and [Twilio]. Policies derive those; they never come from a credential's own text.
func IsReserved(name string) bool {
	return strings.HasPrefix(name, "system.") || name == Twilio
}

// Set is an effective principal set: sorted, without duplicates. The zero Set is empty; use
// [NewSet] to build one.
type Set struct {
	names []string
}

// NewSet returns the set of names, sorted and deduplicated.
func NewSet(names ...string) Set {
	s := slices.Clone(names)
	slices.Sort(s)
	return Set{names: slices.Compact(s)}
}

// Effective returns the set a request would have if its policies had vouched for the principals
// in vouched: those, [Everyone] always, and [Authenticated] when any of them is not a "system."
// name. It is the rule [Authenticate] applies, for tools that ask what a set of principals may
// do (explain, the console's matrix); unlike Authenticate it refuses no name.
func Effective(vouched ...string) Set {
	names := append([]string{Everyone}, vouched...)
	for _, g := range vouched {
		if !strings.HasPrefix(g, "system.") {
			names = append(names, Authenticated)
			break
		}
	}
	return NewSet(names...)
}

// Names returns the principals in sorted order. The caller must not modify the slice.
func (s Set) Names() []string { return s.names }

// Has reports whether the set holds name.
func (s Set) Has(name string) bool {
	_, ok := slices.BinarySearch(s.names, name)
	return ok
}

// Len returns the number of principals.
func (s Set) Len() int { return len(s.names) }

// Authenticated reports whether some policy vouched for the request.
func (s Set) Authenticated() bool { return s.Has(Authenticated) }

// String returns the names joined by ", ", for logs. It does not mask phone numbers; see
// [Set.Masked].
func (s Set) String() string { return strings.Join(s.names, ", ") }

// Masked returns the names for a log line with caller numbers masked ("caller:+1555***0100",
// "caller-attested:+1555***0100").
func (s Set) Masked() []string {
	out := make([]string, len(s.names))
	for i, n := range s.names {
		if num, ok := strings.CutPrefix(n, CallerPrefix); ok && n != AnonymousCaller {
			n = CallerPrefix + MaskNumber(num)
		} else if num, ok := strings.CutPrefix(n, AttestedCallerPrefix); ok {
			n = AttestedCallerPrefix + MaskNumber(num)
		}
		out[i] = n
	}
	return out
}

// MaskNumber hides the middle of a phone number for logs: "+15555550100" becomes "+1555***0100".
// Strings too short to mask keep only their first two characters.
func MaskNumber(n string) string {
	if len(n) < 9 {
		if len(n) <= 2 {
			return n
		}
		return n[:2] + "***"
	}
	return n[:5] + "***" + n[len(n)-4:]
}
