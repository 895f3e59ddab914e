// Package varname says what may name a call's variable: the one rule that a backend's JSON
// field, a flow's variable and the state token share.
package varname

// MaxLen is the most bytes a name may have.
const MaxLen = 64

// Valid reports whether s is an identifier of 1 to MaxLen bytes: [A-Za-z_][A-Za-z0-9_]*, as a
// prompt template can spell it (.balance).
func Valid(s string) bool {
	if s == "" || len(s) > MaxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}
