package redisstate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/switchboard-ivr/switchboard/framework"
)

// Options configures a [Store]. A nil *Options means every default.
type Options struct {
	// Logger receives one line when Redis goes away and one when it returns. Optional;
	// slog.Default().
	Logger *slog.Logger
	// Prefix starts every key, so that several lines can share one Redis. Optional;
	// "switchboard:".
	Prefix string
	// Timeout bounds each operation, connecting included. Optional; 250 ms: a call waits at most
	// this long on a Redis that does not answer.
	Timeout time.Duration
	// ReplayTTL is how long a served request is remembered. Optional; 5 minutes.
	ReplayTTL time.Duration
}

// Store is the shared state in one Redis. It is safe for concurrent use.
type Store struct {
	rdb       *redis.Client
	log       *slog.Logger
	addr      string
	prefix    string
	timeout   time.Duration
	replayTTL time.Duration

	mu        sync.Mutex
	downSince time.Time // zero while Redis answers
	lastErr   error
	retryAt   time.Time // after a failure, operations fail at once until then
}

var (
	_ framework.ReplayCache     = (*Store)(nil)
	_ framework.FailedAuthStore = (*Store)(nil)
	_ framework.AttemptStore    = (*Store)(nil)
	_ framework.Dependency      = (*Store)(nil)
)

// retryAfter is how long operations fail at once after one failed, so that a Redis that hangs
// costs a call at most one Timeout a second, not one per request.
const retryAfter = time.Second

// Open returns a Store for the Redis at url (redis://[:password@]host:port/db, or rediss:// for
// TLS). It does not need Redis to be up: a Store whose Redis is down fails its operations, and
// recovers when Redis returns. Open fails only on a malformed URL.
func Open(url string, opts *Options) (*Store, error) {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Prefix == "" {
		o.Prefix = "switchboard:"
	}
	if o.Timeout <= 0 {
		o.Timeout = 250 * time.Millisecond
	}
	if o.ReplayTTL <= 0 {
		o.ReplayTTL = 5 * time.Minute
	}
	ro, err := redis.ParseURL(url)
	if err != nil {
		// The URL may hold a password: the error names neither.
		return nil, errors.New("redisstate: the Redis URL is not redis://[:password@]host:port[/db]")
	}
	ro.DialTimeout, ro.ReadTimeout, ro.WriteTimeout, ro.PoolTimeout = o.Timeout, o.Timeout, o.Timeout, o.Timeout
	ro.ContextTimeoutEnabled = true
	ro.MaxRetries = -1 // the next request is the retry
	ro.DisableIdentity = true
	ro.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	return &Store{
		rdb: redis.NewClient(ro), log: o.Logger, addr: ro.Addr, prefix: o.Prefix,
		timeout: o.Timeout, replayTTL: o.ReplayTTL,
	}, nil
}

// Close closes the connections to Redis.
func (s *Store) Close() error { return s.rdb.Close() }

// Name implements framework.Dependency.
func (s *Store) Name() string { return "redis" }

// Health implements framework.Dependency: it pings Redis (within Timeout) and says, while Redis
// is away, since when and what the replicas do meanwhile.
func (s *Store) Health() error {
	if err := s.do(func(ctx context.Context) error { return s.rdb.Ping(ctx).Err() }); err != nil {
		s.mu.Lock()
		since := s.downSince
		s.mu.Unlock()
		return fmt.Errorf("redis at %s unreachable since %s (%v): replay-protected calls hear the internal flow, PIN lockouts refuse, the failed-auth and /calls limits are per process",
			s.addr, since.UTC().Format(time.RFC3339), err)
	}
	return nil
}

// Seen implements framework.ReplayCache with SET NX EX: the first replica to record key wins,
// and every replica sees it for ReplayTTL. now is unused: Redis's clock expires the key.
func (s *Store) Seen(key string, _ time.Time) (bool, error) {
	var fresh bool
	err := s.do(func(ctx context.Context) error {
		var err error
		fresh, err = s.rdb.SetNX(ctx, s.key("replay:", key), 1, s.replayTTL).Result()
		return err
	})
	return !fresh && err == nil, err
}

// tokenBucket takes one token from the bucket KEYS[1], which refills ARGV[1] tokens a second up to
// ARGV[2], and returns 1 when there was one. It runs on Redis's clock, so replicas with skewed
// clocks share one budget; the key expires once the bucket would be full again.
var tokenBucket = redis.NewScript(`
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1])
local at = tonumber(b[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000000)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return allowed
`)

// Allow implements framework.FailedAuthStore with a token bucket in a Lua script, so that taking
// a token is one atomic step whichever replica asks.
func (s *Store) Allow(key string, perSecond float64, burst int) (bool, error) {
	if perSecond <= 0 || burst <= 0 {
		return false, fmt.Errorf("redisstate: a limit of %v a second with a burst of %d admits nothing", perSecond, burst)
	}
	var allowed int64
	err := s.do(func(ctx context.Context) error {
		var err error
		allowed, err = tokenBucket.Run(ctx, s.rdb, []string{s.key("limit:", key)}, perSecond, burst).Int64()
		return err
	})
	return allowed == 1, err
}

// countFailure adds one to KEYS[1] and starts its expiry of ARGV[1] milliseconds with the first.
var countFailure = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`)

// Fail implements framework.AttemptStore.
func (s *Store) Fail(key string, window time.Duration) (int, error) {
	if window <= 0 {
		return 0, fmt.Errorf("redisstate: a lockout window of %v", window)
	}
	var n int64
	err := s.do(func(ctx context.Context) error {
		var err error
		n, err = countFailure.Run(ctx, s.rdb, []string{s.key("attempts:", key)}, window.Milliseconds()).Int64()
		return err
	})
	return int(n), err
}

// Count implements framework.AttemptStore.
func (s *Store) Count(key string) (int, error) {
	var n int
	err := s.do(func(ctx context.Context) error {
		var err error
		n, err = s.rdb.Get(ctx, s.key("attempts:", key)).Int()
		if errors.Is(err, redis.Nil) {
			n, err = 0, nil
		}
		return err
	})
	return n, err
}

// Reset implements framework.AttemptStore.
func (s *Store) Reset(key string) error {
	return s.do(func(ctx context.Context) error { return s.rdb.Del(ctx, s.key("attempts:", key)).Err() })
}

// key is the Redis key of a request-derived key: hashed, so that its length is bounded whatever
// the request held.
func (s *Store) key(kind, k string) string {
	sum := sha256.Sum256([]byte(k))
	return s.prefix + kind + hex.EncodeToString(sum[:16])
}

// errUnavailable is returned without asking Redis in the second after a failure.
var errUnavailable = errors.New("redis unavailable")

// do runs op within Timeout, unless Redis failed less than retryAfter ago, and logs when Redis
// goes away and when it comes back.
func (s *Store) do(op func(ctx context.Context) error) error {
	s.mu.Lock()
	if now := time.Now(); now.Before(s.retryAt) {
		err := s.lastErr
		s.mu.Unlock()
		return fmt.Errorf("%w: %w", errUnavailable, err)
	}
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	err := op(ctx)
	cancel()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		now := time.Now()
		s.lastErr, s.retryAt = err, now.Add(retryAfter)
		if s.downSince.IsZero() {
			s.downSince = now
			s.log.Error("redis unreachable: replay-protected calls hear the internal flow, PIN lockouts refuse, the failed-auth and /calls limits are per process until it returns",
				"addr", s.addr, "error", err)
		}
		return err
	}
	if !s.downSince.IsZero() {
		s.log.Info("redis reachable again: shared replay protection, lockouts and limits resume", "addr", s.addr,
			"down_for", time.Since(s.downSince).Round(time.Millisecond))
		s.downSince = time.Time{}
	}
	s.retryAt = time.Time{}
	return nil
}
