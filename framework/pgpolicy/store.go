package pgpolicy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/switchboard-ivr/switchboard/framework/authz"
)

// SourceName names the database policy in decisions, explanations and errors:
// `denied by policy-db rule 5d1c… "p, group:blocked, /ivr/*, *, deny"`.
const SourceName = "policy-db"

// Channel is the PostgreSQL notification channel on which every change of the policy table is
// announced, with the new version as the payload.
const Channel = "switchboard_policy"

// timeout bounds each statement: a database that does not answer must not hold a reload, or a
// command, for long.
const timeout = 5 * time.Second

// lockKey is the advisory lock that serialises changes made through Store.Change (and Setup).
const lockKey int64 = 0x5357_4254_4348_5031 // "SWBTCHP1"

// Store is a policy in one PostgreSQL database. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
	cfg  *pgx.ConnConfig
	host string
}

// Snapshot is the whole policy at one version.
type Snapshot struct {
	Rules     []Rule // p rules, then g rules, each sorted by their fields
	Version   int64  // bumped by every statement that changed the table
	ChangedAt time.Time
}

// Open connects to the database at url (postgres://user[:password]@host[:port]/db?…) and checks
// that it answers. Errors name the host, never the password.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, errors.New("pgpolicy: the database URL is not postgres://user[:password]@host[:port]/database")
	}
	cfg.MaxConns = 4
	if cfg.ConnConfig.ConnectTimeout == 0 || cfg.ConnConfig.ConnectTimeout > timeout {
		cfg.ConnConfig.ConnectTimeout = 2 * time.Second
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgpolicy: %w", err)
	}
	s := &Store{pool: pool, cfg: cfg.ConnConfig, host: fmt.Sprintf("%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)}
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pgpolicy: the policy database at %s does not answer: %w", s.host, err)
	}
	return s, nil
}

// Close closes the connections.
func (s *Store) Close() { s.pool.Close() }

// String names the database without its credentials: host:port/database.
func (s *Store) String() string { return s.host }

// connect opens a connection for the exclusive use of a listener.
func (s *Store) connect(ctx context.Context) (*pgx.Conn, error) {
	return pgx.ConnectConfig(ctx, s.cfg.Copy())
}

// Setup creates what the store needs when it is missing: the adapter's casbin_rule table, the
// version counter, and the trigger that bumps it and notifies Channel after every change. It is
// idempotent; commands that write run it, serve does not (it needs only read access).
func (s *Store) Setup(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var ready bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'switchboard_policy_changed')
		AND to_regclass('switchboard_policy_version') IS NOT NULL`).Scan(&ready)
	if err != nil || ready {
		return err
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", lockKey); err != nil {
			return err
		}
		if _, err := newAdapter(s.pool, timeout, true); err != nil {
			return fmt.Errorf("creating casbin_rule: %w", err)
		}
		_, err := tx.Exec(ctx, `
CREATE TABLE IF NOT EXISTS switchboard_policy_version (
	id boolean PRIMARY KEY DEFAULT true CHECK (id),
	version bigint NOT NULL,
	changed_at timestamptz NOT NULL
);
INSERT INTO switchboard_policy_version (version, changed_at) VALUES (1, now()) ON CONFLICT (id) DO NOTHING;
CREATE OR REPLACE FUNCTION switchboard_policy_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE v bigint;
BEGIN
	UPDATE switchboard_policy_version SET version = version + 1, changed_at = now() RETURNING version INTO v;
	PERFORM pg_notify('`+Channel+`', v::text);
	RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS switchboard_policy_changed ON casbin_rule;
CREATE TRIGGER switchboard_policy_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON casbin_rule
	FOR EACH STATEMENT EXECUTE FUNCTION switchboard_policy_changed();`)
		return err
	})
}

// ErrNoPolicy means the database holds no policy: the tables are missing or hold no rule. Load
// returns it with the snapshot it read, if any.
var ErrNoPolicy = errors.New("the database holds no policy: import one with `switchboard policy import FILE`")

// Load reads the whole policy and its version in one snapshot.
func (s *Store) Load(ctx context.Context) (Snapshot, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var snap Snapshot
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		snap, err = load(ctx, tx)
		return err
	})
	if isMissingTable(err) {
		return Snapshot{}, ErrNoPolicy
	}
	if err != nil {
		return Snapshot{}, fmt.Errorf("reading the policy from %s: %w", s.host, err)
	}
	if len(snap.Rules) == 0 {
		return snap, ErrNoPolicy
	}
	return snap, nil
}

// load reads the policy within q's transaction.
func load(ctx context.Context, q pgx.Tx) (Snapshot, error) {
	var snap Snapshot
	if err := q.QueryRow(ctx, "SELECT version, changed_at FROM switchboard_policy_version").Scan(&snap.Version, &snap.ChangedAt); err != nil {
		return snap, err
	}
	rows, err := q.Query(ctx, `SELECT id, p_type, coalesce(v0, ''), coalesce(v1, ''), coalesce(v2, ''), coalesce(v3, ''), coalesce(v4, ''), coalesce(v5, '')
		FROM casbin_rule ORDER BY p_type <> 'p', p_type, v0, v1, v2, v3, v4, v5, id`)
	if err != nil {
		return snap, err
	}
	defer rows.Close()
	for rows.Next() {
		var r Rule
		v := make([]string, 6)
		if err := rows.Scan(&r.ID, &r.Type, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]); err != nil {
			return snap, err
		}
		// The adapter stores the fields up to the first empty one, as Casbin's file adapter reads them.
		n := slices.Index(v, "")
		if n < 0 {
			n = len(v)
		}
		r.Fields = v[:n]
		snap.Rules = append(snap.Rules, r)
	}
	return snap, rows.Err()
}

// Version returns the policy's version, cheaply: replicas poll it in case a notification was lost.
func (s *Store) Version(ctx context.Context) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var v int64
	err := s.pool.QueryRow(ctx, "SELECT version FROM switchboard_policy_version").Scan(&v)
	if isMissingTable(err) {
		return 0, ErrNoPolicy
	}
	return v, err
}

func isMissingTable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "42P01" // undefined_table
}

// Change is what [Store.Change] did.
type Change struct {
	Added, Removed []Rule
	Version        int64 // the version after the change
}

// Check is what a new policy must pass before it is committed, beyond building an authorizer
// with the model: loading it with the flow the replicas serve, as they will.
type Check func(p authz.Policy) error

// Change applies edit to the policy and commits the result only if modelText and the whole new
// policy build an authorizer, and check (Optional) accepts it, reporting every problem with the
// rule it is about. Changes made through Change are serialised by an advisory lock, so that two
// operators' edits never interleave between reading and writing. edit receives the rules in
// force and returns the rules wanted; rules are compared by content, so returning a rule twice
// stores it once.
func (s *Store) Change(ctx context.Context, modelText string, check Check, edit func(rules []Rule) ([]Rule, error)) (Change, error) {
	if err := s.Setup(ctx); err != nil {
		return Change{}, fmt.Errorf("preparing %s: %w", s.host, err)
	}
	// The lock is held on a connection of its own, outside the pool, so that changes waiting for
	// it never hold the connections the one holding it needs.
	lctx, cancel := context.WithTimeout(ctx, 2*timeout)
	defer cancel()
	conn, err := s.connect(lctx)
	if err != nil {
		return Change{}, err
	}
	defer conn.Close(context.WithoutCancel(ctx)) // closing the session releases the lock
	if _, err := conn.Exec(lctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		return Change{}, fmt.Errorf("waiting for another change to %s: %w", s.host, err)
	}

	old, err := s.Load(ctx)
	if err != nil && !errors.Is(err, ErrNoPolicy) {
		return Change{}, err
	}
	wanted, err := edit(slices.Clone(old.Rules))
	if err != nil {
		return Change{}, err
	}
	wanted = dedupe(wanted)
	if err := validate(modelText, wanted); err != nil {
		return Change{}, err
	}
	if check != nil {
		p := Snapshot{Rules: wanted}.Policy(SourceName)
		for i := range p.Lines {
			if p.Lines[i].Origin.ID == "" {
				p.Lines[i].Origin.ID = "(new)"
			}
		}
		if err := check(p); err != nil {
			return Change{}, fmt.Errorf("the replicas would refuse the policy, so nothing was changed:\n%w", err)
		}
	}
	added, removed := diff(old.Rules, wanted)
	if len(added) == 0 && len(removed) == 0 {
		return Change{Version: old.Version}, nil
	}
	ad, err := newAdapter(s.pool, timeout, false)
	if err != nil {
		return Change{}, err
	}
	switch {
	case len(removed) == 0 && sameType(added):
		err = ad.add(added[0].Type, fieldsOf(added))
	case len(added) == 0 && sameType(removed):
		err = ad.remove(removed[0].Type, fieldsOf(removed))
	default:
		err = ad.replace(wanted)
	}
	if err != nil {
		return Change{}, fmt.Errorf("writing the policy to %s: %w", s.host, err)
	}
	now, err := s.Load(ctx)
	if err != nil && !errors.Is(err, ErrNoPolicy) {
		return Change{}, err
	}
	ids := map[string]string{}
	for _, r := range now.Rules {
		ids[r.key()] = r.ID
	}
	for i := range added {
		added[i].ID = ids[added[i].key()]
	}
	return Change{Added: added, Removed: removed, Version: now.Version}, nil
}

// validate builds an authorizer from the rules, as every replica will, and names the rule of
// each problem: its id (or "(new)") and its text.
func validate(modelText string, rules []Rule) error {
	_, err := authz.New(modelText, Text(rules), &authz.Options{PolicyName: SourceName})
	if err == nil {
		return nil
	}
	var problems []error
	for _, e := range unjoin(err) {
		var ae *authz.Error
		if errors.As(e, &ae) && ae.Source == SourceName && ae.Line >= 1 && ae.Line <= len(rules) {
			r := rules[ae.Line-1]
			id := r.ID
			if id == "" {
				id = "(new)"
			}
			e = fmt.Errorf("%s rule %s %q: %s", SourceName, id, r.Text(), ae.Problem)
		}
		problems = append(problems, e)
	}
	return fmt.Errorf("the policy would not load, so nothing was changed:\n%w", errors.Join(problems...))
}

// unjoin returns the errors an errors.Join holds, or err itself.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func dedupe(rules []Rule) []Rule {
	seen := map[string]bool{}
	out := rules[:0]
	for _, r := range rules {
		if !seen[r.key()] {
			seen[r.key()] = true
			out = append(out, r)
		}
	}
	return out
}

// diff returns the rules of wanted that old lacks, and those of old that wanted lacks.
func diff(old, wanted []Rule) (added, removed []Rule) {
	in := func(rules []Rule) map[string]bool {
		m := map[string]bool{}
		for _, r := range rules {
			m[r.key()] = true
		}
		return m
	}
	had, want := in(old), in(wanted)
	for _, r := range wanted {
		if !had[r.key()] {
			added = append(added, Rule{Type: r.Type, Fields: r.Fields})
		}
	}
	for _, r := range old {
		if !want[r.key()] {
			removed = append(removed, r)
		}
	}
	return added, removed
}

func sameType(rules []Rule) bool {
	for _, r := range rules {
		if r.Type != rules[0].Type {
			return false
		}
	}
	return len(rules) > 0
}

func fieldsOf(rules []Rule) [][]string {
	out := make([][]string, len(rules))
	for i, r := range rules {
		out[i] = r.Fields
	}
	return out
}

// Find returns the rules whose id starts with ref (at least 6 characters), or whose text is ref.
func Find(rules []Rule, ref string) []Rule {
	ref = strings.TrimSpace(ref)
	var out []Rule
	if r, err := ParseRule(ref); err == nil {
		for _, have := range rules {
			if have.key() == r.key() {
				out = append(out, have)
			}
		}
		return out
	}
	if len(ref) < 6 {
		return nil
	}
	for _, r := range rules {
		if strings.HasPrefix(r.ID, ref) {
			out = append(out, r)
		}
	}
	return out
}
