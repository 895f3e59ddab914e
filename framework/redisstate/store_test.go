package redisstate

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// testStore opens a Store on SWITCHBOARD_TEST_REDIS with a prefix of its own, so that tests and
// replicas in one test share exactly what they mean to. Without the variable the test is skipped.
func testStore(t *testing.T, prefix string) *Store {
	t.Helper()
	url := os.Getenv("SWITCHBOARD_TEST_REDIS")
	if url == "" {
		t.Skip("SWITCHBOARD_TEST_REDIS is not set: no Redis to test against (.ci/services.sh run go test ./... starts one)")
	}
	s, err := Open(url, &Options{Prefix: prefix, Timeout: time.Second, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Health(); err != nil {
		t.Fatalf("SWITCHBOARD_TEST_REDIS is set but Redis does not answer: %v", err)
	}
	return s
}

func freshPrefix(t *testing.T) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "switchboard-test:" + hex.EncodeToString(b) + ":"
}

// replicas returns n Stores on one Redis and one prefix, as n instances of a line would open.
func replicas(t *testing.T, n int) []*Store {
	p := freshPrefix(t)
	var out []*Store
	for range n {
		out = append(out, testStore(t, p))
	}
	return out
}

func TestARequestSeenByOneReplicaIsAReplayOnAnother(t *testing.T) {
	r := replicas(t, 2)
	key := "sig=|CA0123"
	if seen, err := r[0].Seen(key, time.Now()); err != nil || seen {
		t.Fatalf("first delivery: seen=%v err=%v, want a fresh request", seen, err)
	}
	if seen, err := r[1].Seen(key, time.Now()); err != nil || !seen {
		t.Errorf("the same request on another replica: seen=%v err=%v, want a replay", seen, err)
	}
	if seen, _ := r[1].Seen(key+"x", time.Now()); seen {
		t.Error("another request was taken for a replay")
	}
}

func TestFailedAuthBudgetIsOneAcrossReplicas(t *testing.T) {
	r := replicas(t, 3)
	allowed := 0
	for i := range 9 {
		ok, err := r[i%3].Allow("192.0.2.1", 0.001, 4) // refills once in 1000 s: none during the test
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			allowed++
		}
	}
	if allowed != 4 {
		t.Errorf("9 failures from one address over 3 replicas: %d allowed, want the burst of 4", allowed)
	}
	if ok, _ := r[0].Allow("192.0.2.2", 0.001, 4); !ok {
		t.Error("another address was refused: budgets are per address")
	}
}

func TestTheBucketRefillsAtItsRateUpToItsBurst(t *testing.T) {
	s := testStore(t, freshPrefix(t))
	const rate, burst = 100.0, 2
	for range burst {
		s.Allow("198.51.100.1", rate, burst)
	}
	time.Sleep(100 * time.Millisecond) // 10 tokens' worth; the burst caps the bucket at 2
	start := time.Now()
	got := 0
	for range 6 {
		if ok, _ := s.Allow("198.51.100.1", rate, burst); ok {
			got++
		}
	}
	// However slow the machine, at most what refilled while the loop ran is added to the burst.
	most := burst + int(time.Since(start).Seconds()*rate) + 1
	if got < burst || got > most {
		t.Errorf("after refilling, %d of 6 allowed, want the burst of %d (at most %d with what refilled meanwhile)", got, burst, most)
	}
}

func TestWrongPINsCountAcrossReplicasUntilReset(t *testing.T) {
	r := replicas(t, 2)
	for want := 1; want <= 4; want++ {
		n, err := r[want%2].Fail("caller:+15555550100", time.Minute)
		if err != nil || n != want {
			t.Fatalf("failure %d: counted %d (%v)", want, n, err)
		}
	}
	if n, _ := r[0].Count("caller:+15555550100"); n != 4 {
		t.Errorf("Count = %d, want 4", n)
	}
	if n, _ := r[0].Count("caller:+15555550199"); n != 0 {
		t.Errorf("another number counts %d, want 0", n)
	}
	if err := r[1].Reset("caller:+15555550100"); err != nil {
		t.Fatal(err)
	}
	if n, _ := r[0].Count("caller:+15555550100"); n != 0 {
		t.Errorf("after Reset on another replica, Count = %d, want 0", n)
	}
}

func TestWrongPINsExpireWithTheirWindow(t *testing.T) {
	s := testStore(t, freshPrefix(t))
	s.Fail("caller:+15555550100", 50*time.Millisecond)
	time.Sleep(150 * time.Millisecond)
	if n, _ := s.Count("caller:+15555550100"); n != 0 {
		t.Errorf("Count = %d after the window, want 0", n)
	}
}

// lockedBuffer is a log sink for one test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestAStoreWhoseRedisIsDownFailsEveryOperationAndLogsItOnce(t *testing.T) {
	var logs lockedBuffer
	// Nothing listens on port 1 of loopback: connections are refused at once.
	s, err := Open("redis://127.0.0.1:1/0", &Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for range 50 {
		if seen, err := s.Seen("k", time.Now()); err == nil || seen {
			t.Fatalf("Seen = %v, %v with Redis down, want an error (the framework then fails closed)", seen, err)
		}
		if _, err := s.Allow("192.0.2.1", 20, 40); err == nil {
			t.Fatal("Allow succeeded with Redis down")
		}
		if _, err := s.Fail("caller:+15555550100", time.Minute); err == nil {
			t.Fatal("Fail succeeded with Redis down")
		}
		if _, err := s.Count("caller:+15555550100"); err == nil {
			t.Fatal("Count succeeded with Redis down")
		}
	}
	if err := s.Health(); err == nil || !strings.Contains(err.Error(), "replay-protected calls hear the internal flow") {
		t.Errorf("Health = %v, want the outage and what replicas do meanwhile", err)
	}
	if n := strings.Count(logs.String(), "redis unreachable"); n != 1 {
		t.Errorf("%d log lines for one outage, want 1:\n%s", n, logs.String())
	}
}

func TestAMalformedURLIsRefusedWithoutEchoingIt(t *testing.T) {
	_, err := Open("redis://:hunter2@127.0.0.1:notaport/0", nil)
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Open = %v, want an error that does not show the password", err)
	}
}
