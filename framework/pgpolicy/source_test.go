package pgpolicy

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-ivr/switchboard"
)

func importRules(t *testing.T, s *Store, lines ...string) {
	t.Helper()
	if _, err := s.Change(context.Background(), switchboard.DefaultModel, nil, replaceWith(rules(t, lines...))); err != nil {
		t.Fatal(err)
	}
}

func TestSourceDeliversEveryRuleNamedByItsID(t *testing.T) {
	s, _ := openTest(t)
	importRules(t, s, "p, twilio, /ivr/*, view, allow", "g, caller:+15555550199, group:blocked")
	p, err := NewSource(s, nil).LoadPolicy(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Lines) != 2 {
		t.Fatalf("%d lines, want 2", len(p.Lines))
	}
	for _, l := range p.Lines {
		if l.Origin.Source != SourceName || len(l.Origin.ID) < 16 || l.Origin.Line != 0 {
			t.Errorf("line %q has origin %+v, want %s and the rule's id", l.Text, l.Origin, SourceName)
		}
		if !strings.HasPrefix(l.Origin.String(), SourceName+" rule ") {
			t.Errorf("the origin reads %q", l.Origin.String())
		}
	}
}

func TestSourceRefusesAnEmptyDatabase(t *testing.T) {
	s, _ := openTest(t)
	if _, err := NewSource(s, nil).LoadPolicy(context.Background()); !errors.Is(err, ErrNoPolicy) {
		t.Errorf("LoadPolicy on an empty database = %v, want ErrNoPolicy: a replica with no policy must not start", err)
	}
}

func TestSourceKeepsTheLastPolicyWhileTheDatabaseIsAway(t *testing.T) {
	s, _ := openTest(t)
	importRules(t, s, "p, twilio, /ivr/*, view, allow", "p, group:blocked, /ivr/*, *, deny")
	var logs logSink
	src := NewSource(s, slog.New(slog.NewTextHandler(&logs, nil)))
	first, err := src.LoadPolicy(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Health(); err != nil {
		t.Errorf("Health = %v with the database up", err)
	}
	s.Close() // every query fails from now on, as when the server is gone
	for range 3 {
		again, err := src.LoadPolicy(context.Background())
		if err != nil || len(again.Lines) != len(first.Lines) {
			t.Fatalf("LoadPolicy with the database away = %d lines, %v; want the last policy read", len(again.Lines), err)
		}
	}
	if err := src.Health(); err == nil || !strings.Contains(err.Error(), "serving the policy of version") {
		t.Errorf("Health = %v, want the outage and the version being served", err)
	}
	if n := strings.Count(logs.String(), "policy database unreachable"); n != 1 {
		t.Errorf("%d log lines for one outage, want 1:\n%s", n, logs.String())
	}
}

func TestWatchSaysChangedWhenThePolicyChanges(t *testing.T) {
	s, _ := openTest(t)
	importRules(t, s, "p, twilio, /ivr/*, view, allow", "p, group:blocked, /ivr/*, *, deny")
	src := NewSource(s, slog.New(slog.DiscardHandler))
	if _, err := src.LoadPolicy(context.Background()); err != nil {
		t.Fatal(err)
	}
	changed := make(chan struct{}, 16)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { src.Watch(ctx, time.Hour, func() { changed <- struct{}{} }); close(done) }() // no poll: only the notification
	defer func() { cancel(); <-done }()
	select { // the listener says so once it listens (it may have missed a change meanwhile)
	case <-changed:
	case <-time.After(10 * time.Second):
		t.Fatal("the listener did not report connecting")
	}
	if _, err := s.Change(context.Background(), switchboard.DefaultModel, nil, func(rs []Rule) ([]Rule, error) {
		return append(rs, Rule{Type: "g", Fields: []string{"caller:+15555550142", "group:blocked"}}), nil
	}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	case <-time.After(10 * time.Second):
		t.Fatal("no change reported 10 s after a change")
	}
}

func TestWatchPollsTheVersionInCaseANotificationIsLost(t *testing.T) {
	s, _ := openTest(t)
	importRules(t, s, "p, twilio, /ivr/*, view, allow", "p, group:blocked, /ivr/*, *, deny")
	src := NewSource(s, slog.New(slog.DiscardHandler))
	if _, err := src.LoadPolicy(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The version moves without a notification reaching anyone (as when a listener was away).
	if _, err := s.pool.Exec(context.Background(), "UPDATE switchboard_policy_version SET version = version + 1"); err != nil {
		t.Fatal(err)
	}
	polled := make(chan struct{}, 16)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var seen int
	go func() {
		src.Watch(ctx, 20*time.Millisecond, func() { polled <- struct{}{} })
		close(done)
	}()
	defer func() { cancel(); <-done }()
	for deadline := time.After(10 * time.Second); seen < 2; {
		select {
		case <-polled: // the listener's connect, then the poll that saw the version move
			seen++
		case <-deadline:
			t.Fatalf("%d reports in 10 s, want the poll's after the listener's", seen)
		}
	}
}

// logSink collects what a Source logs from the test's own goroutine.
type logSink struct {
	b strings.Builder
}

func (l *logSink) Write(p []byte) (int, error) { return l.b.Write(p) }
func (l *logSink) String() string              { return l.b.String() }
