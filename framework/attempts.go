package framework

import (
	"sync"
	"time"
)

// AttemptStore counts failed attempts per key across calls — wrong PINs per calling number — so
// that a lockout holds however the attempts are spread over calls and instances. Fail records one
// failure of key and returns how many are recorded within window of the first, this one included;
// Count returns that number without adding to it; Reset forgets key (a correct PIN). A key's
// count expires window after its first failure.
//
// An error means the store cannot count (its server is down). Callers must then treat the key as
// locked out: a lockout fails closed, or an attacker would only need to take the store down.
// Implementations must be safe for concurrent use and bound their memory.
type AttemptStore interface {
	Fail(key string, window time.Duration) (int, error)
	Count(key string) (int, error)
	Reset(key string) error
}

// MemoryAttemptStore is an AttemptStore in this process's memory: right for one instance, and
// per instance when there are several (use framework/redisstate to share it).
type MemoryAttemptStore struct {
	max  int
	now  func() time.Time
	mu   sync.Mutex
	keys map[string]attempts
}

type attempts struct {
	n       int
	expires time.Time
}

// NewMemoryAttemptStore returns a store holding at most max keys (Optional; 100,000 when zero).
// Past it, expired keys are dropped, and if none has expired, the half that expires soonest: an
// attacker who floods it with numbers shortens other numbers' lockouts, never lengthens them,
// and never grows memory.
func NewMemoryAttemptStore(max int) *MemoryAttemptStore {
	if max <= 0 {
		max = 100_000
	}
	return &MemoryAttemptStore{max: max, now: time.Now, keys: map[string]attempts{}}
}

// Fail implements AttemptStore; it never fails.
func (m *MemoryAttemptStore) Fail(key string, window time.Duration) (int, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.keys[key]
	if !ok || !now.Before(a.expires) {
		if len(m.keys) >= m.max {
			m.evict(now)
		}
		a = attempts{expires: now.Add(window)}
	}
	a.n++
	m.keys[key] = a
	return a.n, nil
}

// Count implements AttemptStore; it never fails.
func (m *MemoryAttemptStore) Count(key string) (int, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if a, ok := m.keys[key]; ok && now.Before(a.expires) {
		return a.n, nil
	}
	return 0, nil
}

// Reset implements AttemptStore; it never fails.
func (m *MemoryAttemptStore) Reset(key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.keys, key)
	return nil
}

func (m *MemoryAttemptStore) evict(now time.Time) {
	var soonest, latest time.Time
	for k, a := range m.keys {
		if !now.Before(a.expires) {
			delete(m.keys, k)
			continue
		}
		if soonest.IsZero() || a.expires.Before(soonest) {
			soonest = a.expires
		}
		if a.expires.After(latest) {
			latest = a.expires
		}
	}
	if len(m.keys) < m.max {
		return
	}
	cut := soonest.Add(latest.Sub(soonest) / 2)
	for k, a := range m.keys {
		if !a.expires.After(cut) {
			delete(m.keys, k)
		}
	}
	if len(m.keys) >= m.max {
		clear(m.keys)
	}
}
