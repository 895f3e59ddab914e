package principals

import (
	"encoding/binary"
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
// The keys and values share one allocation of len(s) bytes.
func parseForm(dst []param, s string, strict bool) (_ []param, ok bool) {
	return parseFormInto(dst, s, strict, nil)
}

// parseFormInto is parseForm that decodes into arena, after what it already holds, when arena is
// not nil: the policy passes the buffer it read the body into, with room for the body once more,
// so that the body and its decoded pairs share one allocation. Strings made earlier from arena's
// bytes stay valid: decoding writes only past them (and a grown arena leaves them in the old
// array).
//
// It makes one pass over s, copying each byte decoded to its place, plain bytes eight at a time
// (see decodePair): a form is mostly short pieces with an escape or a '+' in most values, where
// finding the special bytes first and copying the runs between them paid a call and a copy for
// every piece (BenchmarkParseForm/sorted, parse and sort, with bench/callgrind.sh: 18,078
// instructions that way, 14,585 this one).
func parseFormInto(dst []param, s string, strict bool, arena *[]byte) (_ []param, ok bool) {
	start := len(dst)
	var own []byte
	b := arena
	if b == nil {
		b = &own
	}
	buf := slices.Grow(*b, len(s)) // decoding never lengthens the text
	base := len(buf)
	out := buf[base : base+len(s)]
	text := bytesString(out) // the pairs are slices of it; out is written only past them
	w := 0
	for i := 0; i < len(s); {
		// One pair, from s[i] to the next '&', decoded to out[k:w]; its key ends at eq.
		k := w
		var eq int
		var bad bool
		i, w, eq, bad = decodePair(out, s, i, w)
		switch {
		case bad && strict:
			return dst[:start], false
		case bad:
			w = k
		case eq < 0 && w == k: // an empty pair: "&&"
		case eq < 0:
			dst = append(dst, param{text[k:w], ""})
		default:
			dst = append(dst, param{text[k:eq], text[eq:w]})
		}
	}
	*b = buf[:base+w]
	return dst, true
}

// decodePair decodes the pair of s that starts at i to out[w:], up to the next '&' or the end,
// and returns where the next pair starts, the end of what it wrote, the end of the key (-1
// without an '='), and whether an escape was malformed.
func decodePair(out []byte, s string, i, w int) (next, end, eq int, bad bool) {
	eq = -1
	out = out[:len(s)]
	for ; i < len(s); i++ {
		// Plain bytes eight at a time: the word is stored whole (w <= i, so it fits), and what
		// follows its first special byte is written over by the bytes that come next.
		for i+8 <= len(s) {
			x := load64(s[i : i+8])
			binary.LittleEndian.PutUint64(out[w:w+8], x)
			n := plainPrefix(x)
			i, w = i+n, w+n
			if n < 8 {
				break
			}
		}
		if i == len(s) {
			break
		}
		c := s[i]
		cls := formByte[c]
		if cls == formPlain {
			out[w] = c
			w++
			continue
		}
		switch cls {
		case formAmp:
			return i + 1, w, eq, bad
		case formEquals:
			if eq < 0 {
				eq = w
				continue
			}
			out[w] = c
		case formPlus:
			out[w] = ' '
		case formEscape:
			if i+2 >= len(s) || !ishex(s[i+1]) || !ishex(s[i+2]) {
				bad = true
				continue
			}
			out[w] = unhex(s[i+1])<<4 | unhex(s[i+2])
			i += 2
		}
		w++
	}
	return i, w, eq, bad
}

// plainPrefix returns how many of the eight bytes of x, first byte lowest, come before the first
// '&', '=', '+' or '%'. For each of the four, a byte of x^pattern is zero where x holds it, and
// (y-0x01…)&^y sets the high bit of the lowest zero byte of y exactly (a higher byte may be
// flagged by the borrow, but never a lower one).
func plainPrefix(x uint64) int {
	const lsb, msb = 0x0101010101010101, 0x8080808080808080
	a, e, p, q := x^(lsb*'&'), x^(lsb*'='), x^(lsb*'%'), x^(lsb*'+')
	m := ((a-lsb)&^a | (e-lsb)&^e | (p-lsb)&^p | (q-lsb)&^q) & msb
	return bits.TrailingZeros64(m) >> 3 // 8 when m is 0
}

// load64 reads 8 bytes little-endian; the compiler makes it one load.
func load64(b string) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// The classes of formByte.
const (
	formPlain = iota
	formAmp
	formEquals
	formPlus
	formEscape
)

// formByte classifies each byte of a form-encoded text.
var formByte = [256]uint8{'&': formAmp, '=': formEquals, '+': formPlus, '%': formEscape}

// bytesString returns the bytes of b as a string without copying them. The caller promises that
// the bytes are not written again while the string is in use: arenas only grow, and the policy
// reuses a request's buffer only after [Result.Release].
func bytesString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
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
