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
	return parseFormInto(dst, s, strict, nil)
}

// parseFormInto is parseForm that decodes the escaped pieces into arena, after what it already
// holds, when arena is not nil: the policy passes the builder it read the body into, so that the
// body and its decoded pieces share one allocation. Strings the builder returned earlier stay
// valid, since a strings.Builder never rewrites the bytes it has handed out.
func parseFormInto(dst []param, s string, strict bool, arena *strings.Builder) (_ []param, ok bool) {
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
	b := arena
	if b == nil {
		b = new(strings.Builder)
	}
	b.Grow(escaped)
	type span struct{ k0, k1, v1 int }
	var stack [64]span
	spans := stack[:0]
	for _, p := range dst[start:] {
		k0 := b.Len()
		unescapeTo(b, p.key)
		k1 := b.Len()
		unescapeTo(b, p.value)
		spans = append(spans, span{k0, k1, b.Len()})
	}
	text := b.String()
	for i := range dst[start:] {
		p, sp := &dst[start+i], spans[i]
		// An escape decodes to at least one byte, so only unescaped pieces are non-empty.
		if sp.k1 > sp.k0 {
			p.key = text[sp.k0:sp.k1]
		}
		if sp.v1 > sp.k1 {
			p.value = text[sp.k1:sp.v1]
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
// hex escape. It searches with IndexByte, which scans many bytes at a time.
func scanEscapes(s string) int {
	res := plain
	if strings.IndexByte(s, '+') >= 0 {
		res = escapes
	}
	for {
		i := strings.IndexByte(s, '%')
		if i < 0 {
			return res
		}
		if i+2 >= len(s) || !ishex(s[i+1]) || !ishex(s[i+2]) {
			return malformed
		}
		res = escapes
		s = s[i+3:]
	}
}

// unescapeTo writes s with '+' as a space and %XX decoded; s has valid escapes. A piece that
// needs no unescaping writes nothing: it stays a substring of the original text.
func unescapeTo(b *strings.Builder, s string) {
	if scanEscapes(s) == plain {
		return
	}
	for s != "" {
		i := strings.IndexAny(s, "%+")
		if i < 0 {
			b.WriteString(s)
			return
		}
		b.WriteString(s[:i])
		if s[i] == '+' {
			b.WriteByte(' ')
			s = s[i+1:]
			continue
		}
		b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
		s = s[i+3:]
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

// Form is the decoded fields of a form body that a policy read and checked: for the Twilio
// policy, the verified POST body (see [Identity.Form]). It keeps every pair, a repeated key's
// values in the order they were sent, and builds no map unless asked ([Form.URLValues]). The
// zero Form is empty. A Form is never modified, so it is safe to share.
type Form struct {
	ps []param // sorted by key; a repeated key's values in the order sent
}

// newForm returns a Form that owns a copy of ps, which is sorted by key with a repeated key's
// values in the order sent.
func newForm(ps []param) Form {
	if len(ps) == 0 {
		return Form{}
	}
	return Form{ps: slices.Clone(ps)}
}

// Get returns the first value of key, or "" when there is none.
func (f Form) Get(key string) string {
	if ps := keyValues(f.ps, key); len(ps) > 0 {
		return ps[0].value
	}
	return ""
}

// Has reports whether key is in the form, even with an empty value.
func (f Form) Has(key string) bool { return len(keyValues(f.ps, key)) > 0 }

// Values returns the values of key in the order they were sent, or nil.
func (f Form) Values(key string) []string {
	ps := keyValues(f.ps, key)
	if len(ps) == 0 {
		return nil
	}
	vs := make([]string, len(ps))
	for i, p := range ps {
		vs[i] = p.value
	}
	return vs
}

// Len returns the number of key=value pairs; a repeated key counts once per value.
func (f Form) Len() int { return len(f.ps) }

// URLValues returns the form as [http.Request.ParseForm] would leave it in r.PostForm: a new map
// on each call. Every value slice has its capacity capped, so appending to one never writes into
// another.
func (f Form) URLValues() url.Values {
	v := make(url.Values, distinctKeys(f.ps))
	backing := make([]string, len(f.ps))
	for i, p := range f.ps {
		backing[i] = p.value
	}
	for i := 0; i < len(f.ps); {
		j := keyRun(f.ps, i)
		v[f.ps[i].key] = backing[i:j:j]
		i = j
	}
	return v
}

// keyRun returns the end of the run of pairs, sorted by key, that share ps[i]'s key.
func keyRun(ps []param, i int) int {
	j := i + 1
	for j < len(ps) && ps[j].key == ps[i].key {
		j++
	}
	return j
}

// distinctKeys counts the keys of ps, sorted by key.
func distinctKeys(ps []param) int {
	n := 0
	for i := 0; i < len(ps); i = keyRun(ps, i) {
		n++
	}
	return n
}

// keyValues returns the pairs of ps, sorted by key, whose key is key.
func keyValues(ps []param, key string) []param {
	i, found := slices.BinarySearchFunc(ps, key, func(p param, k string) int { return strings.Compare(p.key, k) })
	if !found {
		return nil
	}
	return ps[i:keyRun(ps, i)]
}

// repeatsKey reports whether ps, sorted by key, holds a key more than once.
func repeatsKey(ps []param) bool {
	for i := 1; i < len(ps); i++ {
		if ps[i].key == ps[i-1].key {
			return true
		}
	}
	return false
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
