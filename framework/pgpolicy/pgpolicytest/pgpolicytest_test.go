package pgpolicytest

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestNewDatabaseIsEmptyAndDroppedAfterTheTest(t *testing.T) {
	var name string
	t.Run("uses", func(t *testing.T) {
		u := NewDatabase(t)
		cfg, err := pgx.ParseConfig(u)
		if err != nil {
			t.Fatal(err)
		}
		name = cfg.Database
		conn, err := pgx.ConnectConfig(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		var tables int
		if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&tables); err != nil || tables != 0 {
			t.Errorf("a new database holds %d tables (%v), want 0", tables, err)
		}
	})
	cfg, _ := pgx.ParseConfig(adminURL(t))
	conn, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil || n != 0 {
		t.Errorf("database %s still exists after its test (%d, %v)", name, n, err)
	}
}

func TestActivityShowsWhatOtherSessionsWaitOn(t *testing.T) {
	cfg, err := pgx.ParseConfig(adminURL(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _, _ = conn.Exec(ctx, "SELECT pg_sleep(30) /* pgpolicytest */") }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := activity(cfg)
		if strings.Contains(got, "pg_sleep(30)") && strings.Contains(got, "Timeout:PgSleep") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("activity does not show the sleeping session and its wait:\n%s", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func adminURL(t *testing.T) string {
	u := os.Getenv(Env)
	if u == "" {
		t.Skip(Env + " is not set: no PostgreSQL to test against")
	}
	return u
}
