package principals

import (
	"net/url"
	"slices"
	"strings"
)

// A param is one decoded key=value pair of an application/x-www-form-urlencoded text.
type param struct{ key, value string }

// parseForm appends the pairs of the form-encoded text s to dst, in the order they appear.
//
// It differs from [url.ParseQuery] on purpose: a ';' is an ordinary character (Go rejects it,
// Twilio signs it), and empty values are kept ("FinishedOnKey="). A malformed % escape makes
// strict parsing fail (ok == false); lenient parsing drops that pair, as Go does.
//
// Keys and values without escapes are substrings of s; all the escaped ones share one
// allocation.
func parseForm(dst []param, s string, strict bool) (_ []param, ok bool) {
	start := len(dst)
	escaped := 0 // bytes in pairs that need unescaping, an upper bound of their decoded size
	for s != "" {
		var kv string
		kv, s, _ = strings.Cut(s, "&")
		if kv == "" {
			continue
		}
		switch scanEscapes(kv) {
		case malformed:
			if strict {
				return dst[:start], false
			}
			continue
		case escapes:
			escaped += len(kv)
		}
		k, v, _ := strings.Cut(kv, "=")
		dst = append(dst, param{k, v})
	}
	if escaped == 0 {
		return dst, true
	}
	// Unescape into one buffer, then slice the one string it becomes.
	var b strings.Builder
	b.Grow(escaped)
	type span struct{ k0, k1, v1 int }
	var stack [64]span
	spans := stack[:0]
	for _, p := range dst[start:] {
		k0 := b.Len()
		unescapeTo(&b, p.key)
		k1 := b.Len()
		unescapeTo(&b, p.value)
		spans = append(spans, span{k0, k1, b.Len()})
	}
	arena := b.String()
	for i := range dst[start:] {
		p, sp := &dst[start+i], spans[i]
		// An escape decodes to at least one byte, so only unescaped pieces are non-empty.
		if sp.k1 > sp.k0 {
			p.key = arena[sp.k0:sp.k1]
		}
		if sp.v1 > sp.k1 {
			p.value = arena[sp.k1:sp.v1]
		}
	}
	return dst, true
}

const (
	plain = iota
	escapes
	malformed
)

// scanEscapes reports whether s holds '+' or % escapes, and whether every '%' starts a two-digit
// hex escape.
func scanEscapes(s string) int {
	res := plain
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '+':
			res = escapes
		case '%':
			if i+2 >= len(s) || !ishex(s[i+1]) || !ishex(s[i+2]) {
				return malformed
			}
			res = escapes
			i += 2
		}
	}
	return res
}

// unescapeTo writes s with '+' as a space and %XX decoded; s has valid escapes. A piece that
// needs no unescaping writes nothing: it stays a substring of the original text.
func unescapeTo(b *strings.Builder, s string) {
	if scanEscapes(s) == plain {
		return
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b.WriteByte(' ')
		case '%':
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

// byKey orders params by key only; a stable sort with it keeps repeated keys' values in the
// order they were sent.
func byKey(a, b param) int { return strings.Compare(a.key, b.key) }

// byKeyValue orders params by key, then value: the order Twilio signs them in.
func byKeyValue(a, b param) int {
	if c := strings.Compare(a.key, b.key); c != 0 {
		return c
	}
	return strings.Compare(a.value, b.value)
}

// values builds url.Values from params sorted by key; each key's slice has its capacity capped,
// so appending to one never writes into another.
func values(ps []param) url.Values {
	if len(ps) == 0 {
		return url.Values{}
	}
	distinct := 1
	for i := 1; i < len(ps); i++ {
		if ps[i].key != ps[i-1].key {
			distinct++
		}
	}
	m := make(url.Values, distinct)
	backing := make([]string, len(ps))
	for i, p := range ps {
		backing[i] = p.value
	}
	for i := 0; i < len(ps); {
		j := i + 1
		for j < len(ps) && ps[j].key == ps[i].key {
			j++
		}
		m[ps[i].key] = backing[i:j:j]
		i = j
	}
	return m
}

// sortForSignature sorts ps (already sorted by key) by key, then value.
func sortForSignature(ps []param) {
	for i := 0; i < len(ps); {
		j := i + 1
		for j < len(ps) && ps[j].key == ps[i].key {
			j++
		}
		if j-i > 1 {
			slices.SortFunc(ps[i:j], byKeyValue)
		}
		i = j
	}
}
