package framework

import (
	"crypto/sha256"
	"net/http"
	"sync"
	"time"

	"github.com/switchboard-ivr/switchboard/principals"
)

// ReplayCache remembers the requests already served, so that a captured signed request cannot be
// sent again. Seen records key and reports whether it was recorded before (and has not expired).
// Implementations must be safe for concurrent use; back one with a shared store (Redis, a
// database) when several instances serve the same number. An error means the cache could not
// tell (its store is down): the App then refuses the request with the internal flow rather than
// serve what may be a replay — replay protection fails closed.
//
// What it stops is limited by what Twilio signs. A voice webhook carries no nonce or timestamp,
// so two legitimate requests can carry the same signature (a caller who presses the same key on
// the same menu twice in one call); the key therefore includes I-Twilio-Idempotency-Token, which
// Twilio sets per webhook. That header is not signed: the cache refuses a verbatim replay, not
// one whose sender changes the token. Requests whose signature was not verified (no Twilio policy
// vouched, or checking is off) are never recorded.
type ReplayCache interface {
	Seen(key string, now time.Time) (bool, error)
}

// checkReplay refuses a request already served, and fails closed — the internal flow — when the
// cache cannot tell. It runs only on requests the policy allows, so that a refused caller hears
// the refusal whatever the cache's state, and refused requests cost the cache nothing.
func (a *App) checkReplay(ex *exchange) error {
	seen, err := a.replayed(ex.Request(), &ex.auth)
	if err != nil {
		return &Error{Op: "replay protection", Kind: KindInternal, Err: err}
	}
	if seen {
		return errReplayed
	}
	return nil
}

// replayed reports whether r, whose authentication result is auth, repeats a request already
// served, or the cache's error. Only a request whose Twilio signature verified is looked up.
func (a *App) replayed(r *http.Request, auth *principals.Result) (bool, error) {
	verified := false
	for _, id := range auth.Identities {
		if id.Policy == principals.TwilioPolicyName && !id.Unverified {
			verified = true
		}
	}
	if !verified || r.Header.Get("X-Twilio-Signature") == "" {
		return false, nil
	}
	return a.opts.Replay.Seen(replayKey(r), time.Now())
}

// replayKey identifies a Twilio request: its signature, and the idempotency token Twilio sends on
// retries when there is one, hashed to a fixed 32 bytes. The token is not signed and may be as
// long as the header limit allows, so a key of the raw headers would let one captured request
// fill a cache's memory 32 KB per entry; hashed, an entry costs the same whatever was sent.
func replayKey(r *http.Request) string {
	h := sha256.New()
	h.Write([]byte(r.Header.Get("X-Twilio-Signature")))
	h.Write([]byte{0})
	h.Write([]byte(r.Header.Get("I-Twilio-Idempotency-Token")))
	return string(h.Sum(nil))
}

// MemoryReplayCache is a ReplayCache in this process's memory, holding each key for TTL.
//
// Bound and eviction: at most max keys (each a 32-byte hash when the App is the caller). A key
// expires after TTL; when the map is full, Seen first drops the expired keys, then the half that
// expires soonest, and as a last resort everything.
type MemoryReplayCache struct {
	ttl  time.Duration
	max  int
	mu   sync.Mutex
	seen map[string]time.Time
}

// NewMemoryReplayCache returns a cache that remembers keys for ttl (Optional; 5 minutes when
// zero) and at most max keys (Optional; 100,000 when zero; the oldest half is dropped past it).
func NewMemoryReplayCache(ttl time.Duration, max int) *MemoryReplayCache {
	if ttl <= 0 {
		ttl = 5 * time.Minute
	}
	if max <= 0 {
		max = 100_000
	}
	return &MemoryReplayCache{ttl: ttl, max: max, seen: map[string]time.Time{}}
}

// Seen implements ReplayCache; it never fails.
func (m *MemoryReplayCache) Seen(key string, now time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if exp, ok := m.seen[key]; ok && now.Before(exp) {
		return true, nil
	}
	if len(m.seen) >= m.max {
		m.evict(now)
	}
	m.seen[key] = now.Add(m.ttl)
	return false, nil
}

// evict drops expired keys, and if that is not enough, the half that expires soonest.
func (m *MemoryReplayCache) evict(now time.Time) {
	for k, exp := range m.seen {
		if !now.Before(exp) {
			delete(m.seen, k)
		}
	}
	if len(m.seen) < m.max {
		return
	}
	cut := now.Add(m.ttl / 2)
	for k, exp := range m.seen {
		if exp.Before(cut) {
			delete(m.seen, k)
		}
	}
	if len(m.seen) >= m.max {
		clear(m.seen)
	}
}
