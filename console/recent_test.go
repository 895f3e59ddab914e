package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/console"
)

// logRequest writes a request line as the App does.
func logRequest(log *slog.Logger, sid, path, digits string, principals []string) {
	log.LogAttrs(context.Background(), slog.LevelInfo, "request",
		slog.String("path", path), slog.Int("status", 200), slog.String("call_sid", sid),
		slog.Any("principals", principals), slog.String("decision", "allow"),
		slog.String("reason", `allowed by policy.csv:6 "p, twilio, /ivr/*, view, allow"`), slog.String("digits", digits))
}

type recentCall struct {
	SID   string
	Steps []struct {
		Path, Digits, Decision string
		Principals             []string
	}
	Dropped int
}

func recentCalls(t *testing.T, c *console.Console) []recentCall {
	t.Helper()
	code, out := do(t, c, http.MethodGet, "/api/recent", "")
	if code != http.StatusOK {
		t.Fatalf("GET /api/recent: %d %s", code, out)
	}
	var calls []recentCall
	if err := json.Unmarshal([]byte(out), &calls); err != nil {
		t.Fatal(err)
	}
	return calls
}

func TestRecentKeepsTheLastCallsAndEvictsTheOldest(t *testing.T) {
	r := console.NewRecent(3)
	var logged strings.Builder
	log := slog.New(r.Handler(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelWarn})))
	for i := range 5 {
		logRequest(log, fmt.Sprintf("CA%d", i), "/ivr/welcome", "", []string{"twilio", "caller:+1555***0142"})
	}
	logRequest(log, "CA2", "/ivr/welcome/gather", "2", nil) // CA2 becomes the most recent
	for range 70 {
		logRequest(log, "CA3", "/ivr/welcome/gather", "7", nil)
	}
	log.Info("not a request", "call_sid", "CA9")
	calls := recentCalls(t, newConsole(t, &console.Options{Recent: r}))
	var sids []string
	for _, c := range calls {
		sids = append(sids, c.SID)
	}
	if got := strings.Join(sids, " "); got != "CA3 CA2 CA4" {
		t.Errorf("calls %q, want CA3 CA2 CA4 (most recently active first, three kept)", got)
	}
	if len(calls[0].Steps) != 64 || calls[0].Dropped != 7 {
		t.Errorf("CA3 kept %d steps and dropped %d, want 64 and 7", len(calls[0].Steps), calls[0].Dropped)
	}
	if s := calls[1].Steps[1]; s.Path != "/ivr/welcome/gather" || s.Digits != "2" || s.Decision != "allow" {
		t.Errorf("CA2's second step: %+v", s)
	}
	if logged.Len() != 0 {
		t.Errorf("info lines reached a handler set to warn:\n%s", logged.String())
	}
}

func TestRecentMasksNumbersUnlessAsked(t *testing.T) {
	for _, mask := range []bool{true, false} {
		r := console.NewRecent(0)
		log := slog.New(r.Handler(slog.DiscardHandler))
		logRequest(log, "CA1", "/ivr/staff/gather", "REDACTED", []string{"caller:+15555550123"})
		calls := recentCalls(t, newConsole(t, &console.Options{Recent: r, MaskNumbers: mask}))
		got := calls[0].Steps[0].Principals[0]
		want := "caller:+15555550123"
		if mask {
			want = "caller:+1555***0123"
		}
		if got != want || calls[0].Steps[0].Digits != "REDACTED" {
			t.Errorf("mask=%v: %s digits %s, want %s and REDACTED", mask, got, calls[0].Steps[0].Digits, want)
		}
	}
}
