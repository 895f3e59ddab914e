package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/framework/pgpolicy"
	"github.com/switchboard-ivr/switchboard/framework/redisstate"
)

// sharedOptions sets up what replicas share: the policy in PostgreSQL (--policy-db) and call
// state in Redis (--state-redis): replay protection, the failed-auth limit, wrong-PIN counts,
// and — through the returned store, nil without Redis — POST /calls's rate limits. A database
// that does not answer at start is an error — the replica would have no policy — while a Redis
// that does not answer only degrades it. close releases the connections.
func sharedOptions(cfg serveConfig, log *slog.Logger, opts *framework.Options) (store *redisstate.Store, close func(), err error) {
	var closers []func()
	close = func() {
		for _, c := range closers {
			c()
		}
	}
	if cfg.policyDB != "" {
		if cfg.policy != "" {
			return nil, close, errors.New("--policy and --policy-db are both set: the policy comes from one place")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		store, err := pgpolicy.Open(ctx, cfg.policyDB)
		if err != nil {
			return nil, close, fmt.Errorf("--policy-db: %w", err)
		}
		closers = append(closers, store.Close)
		opts.Policy = pgpolicy.NewSource(store, log)
	}
	if cfg.stateRedis != "" {
		shared, err := redisstate.Open(cfg.stateRedis, &redisstate.Options{Logger: log})
		if err != nil {
			return nil, close, fmt.Errorf("--state-redis: %w", err)
		}
		closers = append(closers, func() { shared.Close() })
		if cfg.replay {
			opts.Replay = shared
		}
		opts.FailedAuthStore = shared
		opts.PINAttempts = shared
		opts.Dependencies = append(opts.Dependencies, shared)
		if err := shared.Health(); err != nil {
			// Short-lived state is no reason to refuse calls: the replica starts degraded.
			log.Warn("starting without shared state", "problem", err.Error())
		}
		store = shared
	}
	return store, close, nil
}

// policyName says where the policy comes from, for the start-up line.
func policyName(cfg serveConfig) string {
	switch {
	case cfg.policyDB != "":
		return pgpolicy.SourceName
	case cfg.policy != "":
		return cfg.policy
	}
	return "built-in policy.csv"
}
