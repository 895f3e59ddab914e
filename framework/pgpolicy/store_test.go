package pgpolicy

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-ivr/switchboard"
	"github.com/switchboard-ivr/switchboard/framework/pgpolicy/pgpolicytest"
)

func openTest(t *testing.T) (*Store, string) {
	t.Helper()
	url := pgpolicytest.NewDatabase(t)
	s, err := Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, url
}

func rules(t *testing.T, lines ...string) []Rule {
	t.Helper()
	var out []Rule
	for _, l := range lines {
		r, err := ParseRule(l)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func replaceWith(rs []Rule) func([]Rule) ([]Rule, error) {
	return func([]Rule) ([]Rule, error) { return rs, nil }
}

func texts(rs []Rule) string { return strings.TrimSpace(Text(rs)) }

func TestAnEmptyDatabaseHoldsNoPolicy(t *testing.T) {
	s, _ := openTest(t)
	if _, err := s.Load(context.Background()); !errors.Is(err, ErrNoPolicy) {
		t.Errorf("Load on an empty database = %v, want ErrNoPolicy", err)
	}
}

func TestImportedPolicyReadsBackWithStableIDs(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	want := rules(t, "g, caller:+15555550199, group:blocked", "p, twilio, /ivr/*, view, allow", "p, group:blocked, /ivr/*, *, deny")
	c, err := s.Change(ctx, switchboard.DefaultModel, nil, replaceWith(want))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Added) != 3 || len(c.Removed) != 0 {
		t.Errorf("import into an empty database: %d added, %d removed, want 3 and 0", len(c.Added), len(c.Removed))
	}
	snap, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(snap.Rules); got != "p, group:blocked, /ivr/*, *, deny\np, twilio, /ivr/*, view, allow\ng, caller:+15555550199, group:blocked" {
		t.Errorf("the policy reads back as\n%s\nwant p rules then g rules, each sorted", got)
	}
	if snap.Version != c.Version {
		t.Errorf("Load says version %d, Change said %d", snap.Version, c.Version)
	}
	for _, r := range snap.Rules {
		if len(r.ID) < 16 {
			t.Errorf("rule %q has id %q, want the adapter's hash", r.Text(), r.ID)
		}
	}
	// The same rules in another database have the same ids: the id is a hash of the content.
	other, _ := openTest(t)
	if _, err := other.Change(ctx, switchboard.DefaultModel, nil, replaceWith(want)); err != nil {
		t.Fatal(err)
	}
	snap2, _ := other.Load(ctx)
	for i := range snap.Rules {
		if snap.Rules[i].ID != snap2.Rules[i].ID {
			t.Errorf("rule %q: id %s in one database, %s in another", snap.Rules[i].Text(), snap.Rules[i].ID, snap2.Rules[i].ID)
		}
	}
}

func TestABrokenChangeIsRefusedWholeAndNamesTheRule(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	if _, err := s.Change(ctx, switchboard.DefaultModel, nil, replaceWith(rules(t, "p, twilio, /ivr/*, view, allow"))); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Load(ctx)
	_, err := s.Change(ctx, switchboard.DefaultModel, nil, func(rs []Rule) ([]Rule, error) {
		return append(rs, rules(t, "p, group:blocked, /ivr/*, *, dney", "g, caller:+15555550199, group:blocked")...), nil
	})
	if err == nil || !strings.Contains(err.Error(), `policy-db rule (new) "p, group:blocked, /ivr/*, *, dney"`) || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("a typo in the effect: %v, want a refusal naming the new rule", err)
	}
	after, _ := s.Load(ctx)
	if texts(after.Rules) != texts(before.Rules) || after.Version != before.Version {
		t.Errorf("a refused change changed the policy:\n%s\n(version %d → %d)", texts(after.Rules), before.Version, after.Version)
	}
}

func TestEveryChangeBumpsTheVersionAndNotifies(t *testing.T) {
	s, url := openTest(t)
	ctx := context.Background()
	if _, err := s.Change(ctx, switchboard.DefaultModel, nil, replaceWith(rules(t, "p, twilio, /ivr/*, view, allow", "p, group:blocked, /ivr/*, *, deny"))); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		t.Fatal(err)
	}
	v0, _ := s.Version(ctx)
	c, err := s.Change(ctx, switchboard.DefaultModel, nil, func(rs []Rule) ([]Rule, error) {
		return append(rs, rules(t, "g, caller:+15555550142, group:blocked")...), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Version <= v0 {
		t.Errorf("version %d after a change, was %d", c.Version, v0)
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	n, err := conn.WaitForNotification(wctx)
	if err != nil {
		t.Fatalf("no notification on %s after a change: %v", Channel, err)
	}
	if n.Payload == "" {
		t.Error("the notification carries no version")
	}
	// A change made behind Switchboard's back — psql, another Casbin program — is announced too.
	if _, err := conn.Exec(ctx, "DELETE FROM casbin_rule WHERE v0 = 'caller:+15555550142'"); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Version(ctx); v <= c.Version {
		t.Errorf("version %d after a DELETE by hand, was %d", v, c.Version)
	}
}

func TestConcurrentChangesAreSerialised(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	if _, err := s.Change(ctx, switchboard.DefaultModel, nil, replaceWith(rules(t, "p, twilio, /ivr/*, view, allow", "p, group:blocked, /ivr/*, *, deny"))); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	numbers := []string{"+15555550101", "+15555550102", "+15555550103", "+15555550104"}
	for _, n := range numbers {
		wg.Go(func() {
			if _, err := s.Change(ctx, switchboard.DefaultModel, nil, func(rs []Rule) ([]Rule, error) {
				return append(rs, Rule{Type: "g", Fields: []string{"caller:" + n, "group:blocked"}}), nil
			}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	snap, _ := s.Load(ctx)
	if len(snap.Rules) != 2+len(numbers) {
		t.Errorf("4 concurrent blocks left %d rules, want %d: a change was lost\n%s", len(snap.Rules), 2+len(numbers), texts(snap.Rules))
	}
}

func TestFindTakesAnIDPrefixOrTheRuleText(t *testing.T) {
	rs := []Rule{{ID: "a1b2c3d4e5f6", Type: "p", Fields: []string{"twilio", "/ivr/*", "view", "allow"}}, {ID: "a1b2c3ffffff", Type: "g", Fields: []string{"x", "y"}}}
	tests := []struct {
		given  string
		expect int
	}{
		{"a1b2c3d4", 1}, {"a1b2c3", 2}, {"a1b2", 0}, {"p, twilio, /ivr/*, view, allow", 1}, {"g, x, z", 0},
	}
	for _, tt := range tests {
		if got := Find(rs, tt.given); len(got) != tt.expect {
			t.Errorf("Find(%q) found %d rules, want %d", tt.given, len(got), tt.expect)
		}
	}
}

func TestOpenOnADatabaseThatDoesNotAnswerSaysWhereAndNotThePassword(t *testing.T) {
	_, err := Open(context.Background(), "postgres://u:hunter2@127.0.0.1:1/db?connect_timeout=1")
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1/db") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Open = %v, want an error naming 127.0.0.1:1/db without the password", err)
	}
}
