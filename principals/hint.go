package principals

import (
	"fmt"
	"hash/maphash"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/switchboard-ivr/switchboard/internal/budget"
)

// HintsPerSecond is how many failed requests a second a Twilio policy computes new hints for,
// with a burst of as many; [HintsSkipped] stands in for the hints of the others.
const HintsPerSecond = 10

// HintsSkipped is the [Failure.Hint] of a failed signature whose hints were not computed because
// hints for more than [HintsPerSecond] other requests were computed in the last second.
const HintsSkipped = "hints skipped: too many failed signatures a second"

// hintCache remembers the hints of the last failed requests, by a hash of everything a hint
// depends on, and budgets the computation of new ones.
type hintCache struct {
	seed   maphash.Seed
	budget budget.Budget // HintsPerSecond, burst HintsPerSecond; set by NewTwilio
	// entries are read without a lock: a flood of forged requests looks them up on every core,
	// and a new one (at most HintsPerSecond a second) replaces an entry whole.
	entries [64]atomic.Pointer[hintEntry]
}

// hintEntry is one remembered hint and the key of the request it was computed for.
type hintEntry struct {
	key  uint64
	hint string
}

// budgetedHint returns p.hint for the request: remembered when the same request failed lately,
// computed while the budget lasts, else [HintsSkipped]. A flood of forged requests must not cost
// ten HMACs each. signed is true when st.buf already holds the text signed for the URL as
// rebuilt, as a failed st.match leaves it; the cache key hashes that text.
func (p *TwilioPolicy) budgetedHint(st *verifyState, r *http.Request, req *signedRequest, want []byte, keys []*macKey, signed bool) string {
	c := &p.hints
	var h maphash.Hash
	h.SetSeed(c.seed)
	h.Write(want)
	if !signed {
		st.canonical(p.target(r, false), req.params)
	}
	h.Write(st.buf)
	for _, s := range [...]string{r.Host, r.RemoteAddr, lastHeader(r, forwardedProtoHeader), lastHeader(r, forwardedHostHeader)} {
		h.WriteString(s)
		h.WriteByte(0)
	}
	if r.TLS != nil {
		h.WriteByte(1)
	}
	key := h.Sum64()
	slot := &c.entries[key%uint64(len(c.entries))]
	if e := slot.Load(); e != nil && e.key == key {
		return e.hint
	}
	if !c.budget.Allow(time.Now().UnixNano()) {
		return HintsSkipped
	}
	hint := p.hint(st, r, req, want, keys)
	slot.Store(&hintEntry{key: key, hint: hint})
	return hint
}

// hint guesses why a signature failed by trying the usual mistakes. It runs only on failure and
// never grants anything.
func (p *TwilioPolicy) hint(st *verifyState, r *http.Request, req *signedRequest, want []byte, keys []*macKey) string {
	own := p.target(r, false)
	authz := r.Header.Get("Authorization")
	if len(keys) > 0 {
		seen, other := own.swapScheme()
		if st.match(want, keys, other, req.params, authz) {
			if p.public != "" {
				return fmt.Sprintf("would match as %s:// but the public URL is %s://", other.schemeName(), seen)
			}
			return fmt.Sprintf("would match as %s:// but the app sees %s://; configure the public URL or trusted proxies", other.schemeName(), seen)
		}
		if p.public == "" {
			if fwd := p.target(r, true); fwd != own && st.match(want, keys, fwd, req.params, authz) {
				return "would match with the forwarded headers from an untrusted peer " + r.RemoteAddr + "; add it to the trusted proxies if it is your proxy"
			}
		} else {
			t := target{uri: own.uri, scheme: "http", host: r.Host}
			if r.TLS != nil {
				t.scheme = "https"
			}
			if st.match(want, keys, t, req.params, authz) {
				return "would match the URL the app sees, " + t.scheme + "://" + t.host + "; check the public URL"
			}
		}
		path, query, hasQuery := strings.Cut(own.uri, "?")
		slash := own
		var msg string
		if strings.HasSuffix(path, "/") {
			slash.uri, msg = strings.TrimSuffix(path, "/"), "would match without the trailing slash"
		} else {
			slash.uri, msg = path+"/", "would match with a trailing slash"
		}
		if hasQuery {
			slash.uri += "?" + query
		}
		if st.match(want, keys, slash, req.params, authz) {
			return msg
		}
	}
	var others []*macKey
	for _, k := range p.all {
		if !slices.Contains(keys, k) {
			others = append(others, k)
		}
	}
	if len(others) > 0 && st.match(want, others, own, req.params, authz) {
		return "would match with another account's token"
	}
	return ""
}
