// Package pgpolicytest gives each test a PostgreSQL database of its own, on the server that
// SWITCHBOARD_TEST_PG names, so that tests of the policy database run in parallel and leave
// nothing behind.
package pgpolicytest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env names the variable that holds the URL of a database on the test server; CI sets it
// (.ci/services.sh), and tests that need a database skip without it.
const Env = "SWITCHBOARD_TEST_PG"

// createAttempts and createTimeout bound how long NewDatabase waits for the server: a CREATE
// DATABASE that has not finished in createTimeout is cancelled, what the server was doing is
// logged, and a fresh name is tried, up to createAttempts times. On an idle server a create takes
// about 0.1 s; one stalled for 30 s on a loaded CI machine once, which this turns from a failed
// test into a logged retry with the evidence of why.
const (
	createAttempts = 3
	createTimeout  = 20 * time.Second
)

// NewDatabase creates an empty database for t on the server of $SWITCHBOARD_TEST_PG and returns
// its URL; the database is dropped when t ends. Without the variable, t is skipped.
func NewDatabase(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(Env)
	if admin == "" {
		t.Skip(Env + " is not set: no PostgreSQL to test against (.ci/services.sh run go test ./... starts one)")
	}
	cfg, err := pgx.ParseConfig(admin)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	if u, err := url.Parse(admin); err != nil || u.Scheme != "postgres" && u.Scheme != "postgresql" {
		t.Fatalf("%s must be a postgres:// URL", Env)
	}
	for attempt := 1; ; attempt++ {
		name := "switchboard_t_" + randomHex(6)
		// Registered before the create: a create cancelled by its timeout may still have
		// committed on the server.
		t.Cleanup(func() { drop(cfg, name) })
		err := create(cfg, name)
		if err == nil {
			return URL(admin, name)
		}
		if _, refused := err.(unreachable); refused {
			t.Fatalf("%s is set but PostgreSQL does not answer: %v", Env, err)
		}
		if attempt == createAttempts {
			t.Fatalf("CREATE DATABASE failed %d times; the last: %v\n%s", attempt, err, activity(cfg))
		}
		t.Logf("CREATE DATABASE %s (attempt %d of %d): %v; trying a new name\n%s", name, attempt, createAttempts, err, activity(cfg))
	}
}

// unreachable marks a failure to connect at all, which no retry mends.
type unreachable struct{ error }

func create(cfg *pgx.ConnConfig, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), createTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return unreachable{err}
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, "CREATE DATABASE "+name)
	return err
}

func drop(cfg *pgx.ConnConfig, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if c, err := pgx.ConnectConfig(ctx, cfg); err == nil {
		_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		c.Close(ctx)
	}
}

// activity describes what the server's other sessions are doing and which locks wait, for the
// log of a create that did not finish.
func activity(cfg *pgx.ConnConfig) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return "server activity: cannot connect: " + err.Error()
	}
	defer conn.Close(context.Background())
	var b strings.Builder
	b.WriteString("server activity (pid, backend, state, wait, seconds, query):\n")
	rows, err := conn.Query(ctx, `SELECT pid, coalesce(backend_type, ''), coalesce(state, ''),
		coalesce(wait_event_type || ':' || wait_event, ''),
		coalesce(extract(epoch FROM now() - query_start)::float8, 0), left(coalesce(query, ''), 100)
		FROM pg_stat_activity WHERE pid <> pg_backend_pid() ORDER BY query_start NULLS LAST`)
	if err != nil {
		return b.String() + err.Error()
	}
	for rows.Next() {
		var (
			pid                       int32
			backend, state, wait, txt string
			secs                      float64
		)
		if err := rows.Scan(&pid, &backend, &state, &wait, &secs, &txt); err != nil {
			return b.String() + err.Error()
		}
		fmt.Fprintf(&b, "  %d %s %s %s %.1f %q\n", pid, backend, state, wait, secs, txt)
	}
	rows.Close()
	var waiting int
	_ = conn.QueryRow(ctx, "SELECT count(*) FROM pg_locks WHERE NOT granted").Scan(&waiting)
	fmt.Fprintf(&b, "locks not granted: %d", waiting)
	return b.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// URL returns the postgres:// URL admin with its database replaced by name.
func URL(admin, name string) string {
	u, err := url.Parse(admin)
	if err != nil {
		return admin
	}
	u.Path = "/" + name
	return u.String()
}
