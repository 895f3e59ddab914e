package framework

import (
	"net/http"
	"net/netip"
	"slices"
	"sync"

	"golang.org/x/time/rate"

	"github.com/switchboard-ivr/switchboard/principals"
)

// FailedAuthStore keeps the failed-authentication limit outside the process, so that every
// instance serving a number spends one budget per source address (see framework/redisstate).
// Allow takes one token from key's bucket, which refills perSecond tokens a second up to burst,
// and reports whether there was one. An error means the store could not decide: the App then
// applies its own per-process limit to the request. Implementations must be safe for concurrent
// use and expire idle keys.
type FailedAuthStore interface {
	Allow(key string, perSecond float64, burst int) (bool, error)
}

// limiter throttles, per source address, requests that fail authentication. It is consulted only
// after authentication failed, so a request that passes is never throttled. With a shared store
// it asks the store first and falls back to its own buckets when the store fails.
type limiter struct {
	rate    rate.Limit
	burst   int
	trusted []netip.Prefix
	shared  FailedAuthStore // nil: per process only
	mu      sync.Mutex
	peers   map[netip.Addr]*rate.Limiter
}

// maxPeers bounds the limiter's memory, keyed by request data (the client address, or its /64):
// at most maxPeers buckets of about 150 bytes, 15 MB in all. Eviction: when a new address finds
// the table full, the table starts afresh — every address, attacker or not, gets a full burst
// again, which errs towards answering calls.
const maxPeers = 100_000

func newLimiter(perSecond float64, trusted []netip.Prefix, shared FailedAuthStore) *limiter {
	l := &limiter{rate: rate.Limit(perSecond), burst: max(1, int(2*perSecond)), trusted: slices.Clone(trusted), shared: shared, peers: map[netip.Addr]*rate.Limiter{}}
	if perSecond < 0 {
		l.rate = rate.Inf
	}
	return l
}

func (l *limiter) allow(r *http.Request) bool {
	if l.rate == rate.Inf {
		return true
	}
	addr := bucketOf(principals.ClientAddr(r, l.trusted))
	if l.shared != nil {
		if ok, err := l.shared.Allow(addr.String(), float64(l.rate), l.burst); err == nil {
			return ok
		}
	}
	l.mu.Lock()
	lim, ok := l.peers[addr]
	if !ok {
		if len(l.peers) >= maxPeers {
			clear(l.peers)
		}
		lim = rate.NewLimiter(l.rate, l.burst)
		l.peers[addr] = lim
	}
	l.mu.Unlock()
	return lim.Allow()
}

// bucketOf returns the address a client is limited under: an IPv4 address itself, and for IPv6
// its /64, the smallest block a site is given, so that one client cannot rotate through the
// addresses of its own network to escape the limit.
func bucketOf(a netip.Addr) netip.Addr {
	if a.Is6() {
		if p, err := a.Prefix(64); err == nil {
			return p.Addr()
		}
	}
	return a
}
