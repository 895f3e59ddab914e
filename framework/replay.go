package framework

import (
	"net/http"
	"sync"
	"time"
)

// ReplayCache remembers the requests already served, so that a captured signed request cannot be
// sent again. Seen records key and reports whether it was recorded before (and has not expired).
// Implementations must be safe for concurrent use; back one with a shared store (Redis, a
// database) when several instances serve the same number.
type ReplayCache interface {
	Seen(key string, now time.Time) bool
}

// replayKey identifies a Twilio request: its signature, and the idempotency token Twilio sends on
// retries when there is one.
func replayKey(r *http.Request) string {
	return r.Header.Get("X-Twilio-Signature") + "|" + r.Header.Get("I-Twilio-Idempotency-Token")
}

// MemoryReplayCache is a ReplayCache in this process's memory, holding each key for TTL.
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

// Seen implements ReplayCache.
func (m *MemoryReplayCache) Seen(key string, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if exp, ok := m.seen[key]; ok && now.Before(exp) {
		return true
	}
	if len(m.seen) >= m.max {
		m.evict(now)
	}
	m.seen[key] = now.Add(m.ttl)
	return false
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
