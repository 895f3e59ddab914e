// Package pgpolicytest gives each test a PostgreSQL database of its own, on the server that
// SWITCHBOARD_TEST_PG names, so that tests of the policy database run in parallel and leave
// nothing behind.
package pgpolicytest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env names the variable that holds the URL of a database on the test server; CI sets it
// (.ci/services.sh), and tests that need a database skip without it.
const Env = "SWITCHBOARD_TEST_PG"

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
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("%s is set but PostgreSQL does not answer: %v", Env, err)
	}
	defer conn.Close(context.Background())
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "switchboard_t_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if c, err := pgx.ConnectConfig(ctx, cfg); err == nil {
			_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(ctx)
		}
	})
	return URL(admin, name)
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
