package outbound_test

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/switchboard-ivr/switchboard/framework/redisstate"
	"github.com/switchboard-ivr/switchboard/outbound"
	"github.com/switchboard-ivr/switchboard/outbound/outboundtest"
)

// sharedStores opens n redisstate Stores on SWITCHBOARD_TEST_REDIS under one fresh prefix, as n
// replicas of a line would. Without the variable the test is skipped.
func sharedStores(t *testing.T, n int) []*redisstate.Store {
	t.Helper()
	url := os.Getenv("SWITCHBOARD_TEST_REDIS")
	if url == "" {
		t.Skip("SWITCHBOARD_TEST_REDIS is not set: no Redis to test against (.ci/services.sh run go test ./... starts one)")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix := "switchboard-test:" + hex.EncodeToString(b) + ":"
	var out []*redisstate.Store
	for range n {
		s, err := redisstate.Open(url, &redisstate.Options{Prefix: prefix, Timeout: time.Second, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := s.Health(); err != nil {
			t.Fatalf("SWITCHBOARD_TEST_REDIS is set but Redis does not answer: %v", err)
		}
		out = append(out, s)
	}
	return out
}

func TestReplicasSharingRedisShareTheRateLimits(t *testing.T) {
	stores := sharedStores(t, 2)
	tw := outboundtest.NewTwilio(t)
	var apps []http.Handler
	for _, s := range stores {
		apps = append(apps, newApp(t, tw, outbound.Options{
			PerKey:         &outbound.Rate{Calls: 3, Per: time.Hour},
			PerDestination: &outbound.Rate{Calls: 2, Per: time.Hour},
			Shared:         s,
		}))
	}
	steps := []struct {
		replica int
		key, to string
		expect  int
	}{
		{0, opKey, "+15555550001", http.StatusCreated},
		{1, opKey, "+15555550001", http.StatusCreated},
		{0, otherOp, "+15555550001", http.StatusTooManyRequests}, // the number's 2 are spent on both replicas together
		{1, opKey, "+15555550002", http.StatusCreated},
		{0, opKey, "+15555550003", http.StatusTooManyRequests}, // the key's 3 are spent, across replicas
		{1, otherOp, "+15555550003", http.StatusCreated},
	}
	for i, s := range steps {
		if w := post(apps[s.replica], s.key, `{"to": "`+s.to+`", "menu": "welcome"}`); w.Code != s.expect {
			t.Errorf("step %d on replica %d: %d %s, want %d", i, s.replica, w.Code, w.Body, s.expect)
		}
	}
	if n := len(tw.Requests()); n != 4 {
		t.Errorf("the stand-in received %d calls, want 4", n)
	}
}

// brokenStore is a shared store that cannot decide, as redisstate is while Redis is down.
type brokenStore struct{}

func (brokenStore) Allow(string, float64, int) (bool, error) {
	return false, errors.New("redis unavailable")
}

func TestWhileTheSharedStoreFailsEachProcessStillLimits(t *testing.T) {
	tw := outboundtest.NewTwilio(t)
	app := newApp(t, tw, outbound.Options{PerDestination: &outbound.Rate{Calls: 2, Per: time.Hour}, Shared: brokenStore{}})
	want := []int{http.StatusCreated, http.StatusCreated, http.StatusTooManyRequests}
	for i, code := range want {
		if w := post(app, opKey, `{"to": "+15555550001", "menu": "welcome"}`); w.Code != code {
			t.Errorf("call %d: %d %s, want %d", i, w.Code, w.Body, code)
		}
	}
}
