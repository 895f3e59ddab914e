package principals

import (
	"math/bits"
	"net/url"
	"slices"
	"strings"
	"unsafe"
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
// holds, when arena is not nil: the policy passes the buffer it read the body into, so that the
// body and its decoded pieces share one allocation. Strings made earlier from arena's bytes stay
// valid: appending writes only past them (and a grown arena leaves them in the old array).
//
// It makes one pass over s, stopping only at '&', '=', '%' and '+' (found eight bytes at a
// time): a form is mostly short pieces, where the setup of an IndexByte per piece costs more
// than it saves. A piece is decoded from its first escape on, as the pass meets its escapes,
// into a buffer on the stack that is copied to the arena once at the end.
func parseFormInto(dst []param, s string, strict bool, arena *[]byte) (_ []param, ok bool) {
	start := len(dst)
	var decStack [1024]byte
	dec := decStack[:0]
	type span struct{ at, k0, k1, v0, v1 int } // dst[at] decodes to dec[k0:k1] and dec[v0:v1]; -1 when plain
	var spanStack [32]span
	spans := spanStack[:0]
	for i := 0; i < len(s); {
		// One pair, s[i:j]: its first '=' is at eq. While a piece is being decoded, s[last:j]
		// is what remains to be copied to dec.
		j, eq, last := i, -1, i
		sp := span{at: len(dst), k0: -1, k1: -1, v0: -1, v1: -1}
		dec0, bad := len(dec), false
	scan:
		for ; ; j++ {
			if j = nextFormByte(s, j); j == len(s) {
				break
			}
			c := s[j]
			switch c {
			case '&':
				break scan
			case '=':
				if eq < 0 {
					eq = j
					if sp.k0 >= 0 {
						dec = append(dec, s[last:j]...)
						sp.k1 = len(dec)
					}
				}
				continue
			case '%':
				if j+2 >= len(s) || !ishex(s[j+1]) || !ishex(s[j+2]) {
					bad = true
					continue
				}
			}
			// '+' or a valid escape: decode its piece from here on.
			switch {
			case eq < 0 && sp.k0 < 0:
				sp.k0, last = len(dec), i
			case eq >= 0 && sp.v0 < 0:
				sp.v0, last = len(dec), eq+1
			}
			dec = append(dec, s[last:j]...)
			if c == '+' {
				dec = append(dec, ' ')
				last = j + 1
			} else {
				dec = append(dec, unhex(s[j+1])<<4|unhex(s[j+2]))
				j += 2
				last = j + 1
			}
		}
		pair := s[i:j]
		i = j + 1
		switch {
		case bad && strict:
			return dst[:start], false
		case bad:
			dec = dec[:dec0]
			continue
		case pair == "":
			continue
		}
		k, v := pair, ""
		if eq >= 0 {
			k, v = s[j-len(pair):eq], s[eq+1:j]
		}
		switch {
		case eq < 0 && sp.k0 >= 0:
			dec = append(dec, s[last:j]...)
			sp.k1 = len(dec)
		case sp.v0 >= 0:
			dec = append(dec, s[last:j]...)
			sp.v1 = len(dec)
		}
		if sp.k0 >= 0 || sp.v0 >= 0 {
			spans = append(spans, sp)
		}
		dst = append(dst, param{k, v})
	}
	if len(spans) == 0 {
		return dst, true
	}
	// Copy the decoded pieces to the arena once, then slice the one string they become.
	var own []byte
	b := arena
	if b == nil {
		b = &own
	}
	base := len(*b)
	*b = append(*b, dec...)
	text := bytesString((*b)[:base+len(dec)])
	for _, sp := range spans {
		p := &dst[sp.at]
		if sp.k0 >= 0 {
			p.key = text[base+sp.k0 : base+sp.k1]
		}
		if sp.v0 >= 0 {
			p.value = text[base+sp.v0 : base+sp.v1]
		}
	}
	return dst, true
}

// bytesString returns the bytes of b as a string without copying them. The caller promises that
// the bytes are not written again while the string is in use: arenas only grow, and the policy
// reuses a request's buffer only after [Result.Release].
func bytesString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// nextFormByte returns the index of the first '&', '=', '%' or '+' in s at or after i, or
// len(s). It tests eight bytes at a time (SWAR): for each of the four bytes, a byte of w^pattern
// is zero where w holds it, and (x-0x01…)&^x sets the high bit of the lowest zero byte of x
// exactly (a higher byte may be flagged by the borrow, but never a lower one).
func nextFormByte(s string, i int) int {
	const lsb, msb = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(s); i += 8 {
		w := load64(s[i : i+8])
		a, e, p, q := w^(lsb*'&'), w^(lsb*'='), w^(lsb*'%'), w^(lsb*'+')
		if m := ((a-lsb)&^a | (e-lsb)&^e | (p-lsb)&^p | (q-lsb)&^q) & msb; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(s); i++ {
		switch s[i] {
		case '&', '=', '%', '+':
			return i
		}
	}
	return len(s)
}

// load64 reads 8 bytes little-endian; the compiler makes it one load.
func load64(b string) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
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
// zero Form is empty. A Form is never modified, so it is safe to share — until the [Result] it
// came from is released, when its memory serves another request (see [Result.Release]).
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

// Lookup returns the first value of key and whether key is in the form, even with an empty
// value: Get and Has in one search.
func (f Form) Lookup(key string) (string, bool) {
	if ps := keyValues(f.ps, key); len(ps) > 0 {
		return ps[0].value, true
	}
	return "", false
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
	i, j := 0, len(ps) // the first pair whose key is not less than key, by bisection
	for i < j {
		h := int(uint(i+j) >> 1)
		if keyLess(ps[h].key, key) {
			i = h + 1
		} else {
			j = h
		}
	}
	if i == len(ps) || ps[i].key != key {
		return nil
	}
	return ps[i:keyRun(ps, i)]
}

// keyLess is a < b for form keys. Twilio's keys are short and part early ("CallSid",
// "CallStatus"), where a loop over the bytes beats the runtime's comparison, which vectorizes
// for long strings and pays a call and set-up on every short one.
func keyLess(a, b string) bool {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
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

// sortByKey sorts ps by key, stably: a repeated key's values stay in the order sent. A form of a
// few dozen pairs, often sent in order already, sorts fastest by insertion.
func sortByKey(ps []param) {
	if len(ps) > 64 {
		slices.SortStableFunc(ps, byKey)
		return
	}
	for i := 1; i < len(ps); i++ {
		if !keyLess(ps[i].key, ps[i-1].key) {
			continue
		}
		p, j := ps[i], i
		for ; j > 0 && keyLess(p.key, ps[j-1].key); j-- {
			ps[j] = ps[j-1]
		}
		ps[j] = p
	}
}
