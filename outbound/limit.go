package outbound

import (
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Rate is a number of calls allowed per period, spent as a token bucket of Calls tokens that
// refills over Per.
type Rate struct {
	Calls int           // Required: at least 1.
	Per   time.Duration // Required: at least a second.
}

// RateStore keeps token buckets that several replicas share, such as redisstate.Store: Allow
// takes one token from the bucket named key, which refills perSecond tokens a second up to
// burst, and reports whether there was one. An error means the store could not decide.
type RateStore interface {
	Allow(key string, perSecond float64, burst int) (bool, error)
}

// Bounds on the in-process rate limiters' tables, keyed by request data (the key's name, the
// destination). Eviction: when a new key finds its table full, the buckets back at their full
// burst (idle: forgetting them changes nothing) are dropped; when none is idle, the call is
// refused (429) rather than forgetting a bucket still being spent, which would reopen a limit a
// fraudster had exhausted. A RateStore bounds its own keys (redisstate: each expires once its
// bucket would be full again).
const (
	maxKeys         = 10_000
	maxDestinations = 100_000
)

// limits is one rate limit: in the shared store when there is one, in this process otherwise,
// and in this process too while the store cannot decide (so that an outage of the store leaves
// each replica its own limit rather than none).
type limits struct {
	name   string // the store's key prefix, "calls:key:" or "calls:to:"
	every  rate.Limit
	burst  int
	shared RateStore
	log    *slog.Logger

	max int
	mu  sync.Mutex
	by  map[string]*rate.Limiter // bounded by max; see above
	// lastWarn limits the log lines of a failing store to one a minute.
	lastWarn time.Time
}

func newLimits(name string, r *Rate, def Rate, bound int, shared RateStore, log *slog.Logger) (*limits, error) {
	if r == nil {
		r = &def
	}
	if r.Calls < 1 || r.Per < time.Second {
		return nil, fmt.Errorf("outbound: a rate limit needs at least 1 call per at least 1s, not %d per %v", r.Calls, r.Per)
	}
	return &limits{name: name, every: rate.Limit(float64(r.Calls) / r.Per.Seconds()), burst: r.Calls, shared: shared, log: log,
		max: bound, by: map[string]*rate.Limiter{}}, nil
}

func (l *limits) allow(key string) bool {
	if l.shared != nil {
		ok, err := l.shared.Allow(l.name+key, float64(l.every), l.burst)
		if err == nil {
			return ok
		}
		l.warn(err)
	}
	return l.local(key)
}

func (l *limits) warn(err error) {
	now := time.Now()
	l.mu.Lock()
	if now.Sub(l.lastWarn) < time.Minute {
		l.mu.Unlock()
		return
	}
	l.lastWarn = now
	l.mu.Unlock()
	l.log.Warn("POST /calls: the shared rate limit store did not answer: limiting calls in this process meanwhile", "limit", l.name, "error", err)
}

func (l *limits) local(key string) bool {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.by[key]
	if !ok {
		if len(l.by) >= l.max {
			for k, v := range l.by {
				if v.TokensAt(now) >= float64(l.burst) {
					delete(l.by, k)
				}
			}
			if len(l.by) >= l.max {
				return false
			}
		}
		lim = rate.NewLimiter(l.every, l.burst)
		l.by[key] = lim
	}
	return lim.AllowN(now, 1)
}
