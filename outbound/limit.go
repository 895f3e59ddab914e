package outbound

import (
	"fmt"
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

// Bounds on the rate limiters' tables, keyed by request data (the key's name, the destination).
// Eviction: when a new key finds its table full, the buckets back at their full burst (idle:
// forgetting them changes nothing) are dropped; when none is idle, the call is refused (429)
// rather than forgetting a bucket still being spent, which would reopen a limit a fraudster had
// exhausted.
const (
	maxKeys         = 10_000
	maxDestinations = 100_000
)

type limits struct {
	every rate.Limit
	burst int
	max   int
	mu    sync.Mutex
	by    map[string]*rate.Limiter // bounded by max; see above
}

func newLimits(r *Rate, def Rate, bound int) (*limits, error) {
	if r == nil {
		r = &def
	}
	if r.Calls < 1 || r.Per < time.Second {
		return nil, fmt.Errorf("outbound: a rate limit needs at least 1 call per at least 1s, not %d per %v", r.Calls, r.Per)
	}
	return &limits{every: rate.Limit(float64(r.Calls) / r.Per.Seconds()), burst: r.Calls, max: bound, by: map[string]*rate.Limiter{}}, nil
}

func (l *limits) allow(key string) bool {
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
