package pgpolicy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"

	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/framework/authz"
)

// Source is a Store as the policy source of an App: it loads the whole policy, tells the App of
// every change within a moment (LISTEN on Channel) and polls the version in case a notification
// was lost, and keeps serving the last policy it read while the database is away.
type Source struct {
	store *Store
	log   *slog.Logger

	mu        sync.Mutex
	last      *Snapshot // the last policy read; nil before the first
	loadedAt  time.Time
	downSince time.Time // zero while the database answers
	downErr   error
}

var (
	_ framework.PolicySource   = (*Source)(nil)
	_ framework.Watcher        = (*Source)(nil)
	_ framework.HealthReporter = (*Source)(nil)
)

// NewSource returns the policy source of store. log receives one line when the database goes
// away and one when it returns (Optional; slog.Default()).
func NewSource(store *Store, log *slog.Logger) *Source {
	if log == nil {
		log = slog.Default()
	}
	return &Source{store: store, log: log}
}

// String names the source: policy-db.
func (s *Source) String() string { return SourceName }

// LoadPolicy reads the whole policy. When the database cannot be read it returns the last policy
// it read (and Health says so), or, before any, the error: a replica that never had a policy
// must not start.
func (s *Source) LoadPolicy(ctx context.Context) (authz.Policy, error) {
	snap, err := s.store.Load(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil && !errors.Is(err, ErrNoPolicy) {
		s.down(err)
		if s.last == nil {
			return authz.Policy{}, err
		}
		return s.last.Policy(SourceName), nil
	}
	s.up()
	if errors.Is(err, ErrNoPolicy) && s.last == nil {
		return authz.Policy{}, fmt.Errorf("%s: %w", s.store, err)
	}
	s.last, s.loadedAt = &snap, time.Now()
	return snap.Policy(SourceName), nil
}

// Watch calls changed within a moment of every change to the policy table (a NOTIFY on
// Channel), when the listening connection comes back after a loss, and whenever the version
// polled every poll differs from the one last loaded, until ctx is done.
func (s *Source) Watch(ctx context.Context, poll time.Duration, changed func()) {
	l := &pgxlisten.Listener{
		Connect:        s.store.connect,
		ReconnectDelay: time.Second,
		LogError: func(_ context.Context, err error) {
			s.log.Debug("policy-db listener", "error", err)
		},
	}
	l.Handle(Channel, notified(changed))
	done := make(chan struct{})
	go func() { defer close(done); _ = l.Listen(ctx) }()
	defer func() { <-done }()

	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		v, err := s.store.Version(ctx)
		s.mu.Lock()
		wasDown := !s.downSince.IsZero()
		stale := s.last == nil || s.last.Version != v
		if err != nil && !errors.Is(err, ErrNoPolicy) {
			if ctx.Err() == nil {
				s.down(err)
			}
			s.mu.Unlock()
			continue
		}
		s.up()
		s.mu.Unlock()
		if stale || wasDown {
			changed()
		}
	}
}

// notified calls changed on every notification and every time the listener (re)connects, since
// notifications sent while it was away are lost.
type notified func()

func (n notified) HandleNotification(context.Context, *pgconn.Notification, *pgx.Conn) error {
	n()
	return nil
}

func (n notified) HandleBacklog(context.Context, string, *pgx.Conn) error {
	n()
	return nil
}

// Health reports, while the database is away, since when and which policy is being served.
func (s *Source) Health() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.downSince.IsZero() {
		return nil
	}
	serving := "no policy"
	if s.last != nil {
		serving = fmt.Sprintf("the policy of version %d loaded at %s", s.last.Version, s.loadedAt.UTC().Format(time.RFC3339))
	}
	return fmt.Errorf("policy database %s unreachable since %s (%v): serving %s; changes apply when it returns",
		s.store, s.downSince.UTC().Format(time.RFC3339), s.downErr, serving)
}

// down records an outage; the caller holds s.mu.
func (s *Source) down(err error) {
	s.downErr = err
	if s.downSince.IsZero() {
		s.downSince = time.Now()
		s.log.Error("policy database unreachable: serving the last policy loaded until it returns", "db", s.store.String(), "error", err)
	}
}

// up records that the database answers; the caller holds s.mu.
func (s *Source) up() {
	if !s.downSince.IsZero() {
		s.log.Info("policy database reachable again", "db", s.store.String(), "down_for", time.Since(s.downSince).Round(time.Millisecond))
		s.downSince, s.downErr = time.Time{}, nil
	}
}

// Policy turns a snapshot into the policy an authorizer is built from: one line per rule, each
// naming its rule by id, under the source name name ("policy-db").
func (snap Snapshot) Policy(name string) authz.Policy {
	p := authz.Policy{Name: name, Lines: make([]authz.Line, len(snap.Rules))}
	for i, r := range snap.Rules {
		p.Lines[i] = authz.Line{Text: r.Text(), Origin: authz.Origin{Source: name, ID: r.ID}}
	}
	return p
}
