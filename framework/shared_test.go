package framework

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

// downStore stands for a shared store whose server is down: every call fails.
type downStore struct{ calls int }

var errStoreDown = errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")

func (d *downStore) Seen(string, time.Time) (bool, error)     { d.calls++; return false, errStoreDown }
func (d *downStore) Allow(string, float64, int) (bool, error) { d.calls++; return false, errStoreDown }
func (d *downStore) Fail(string, time.Duration) (int, error)  { return 0, errStoreDown }
func (d *downStore) Count(string) (int, error)                { return 0, errStoreDown }
func (d *downStore) Reset(string) error                       { return errStoreDown }
func (d *downStore) Name() string                             { return "redis" }
func (d *downStore) Health() error                            { return errStoreDown }

// sharedBuckets is a FailedAuthStore whose buckets several Apps share, as replicas share Redis.
type sharedBuckets struct {
	mu    sync.Mutex
	spent map[string]int
}

func (s *sharedBuckets) Allow(key string, _ float64, burst int) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.spent[key]++
	return s.spent[key] <= burst, nil
}

func TestReplayProtectionFailsClosedWhenItsStoreIsDown(t *testing.T) {
	store := &downStore{}
	app, _ := hardenedApp(t, principals.TwilioOptions{}, &Options{Replay: store})
	r := principalstest.NewPOST(testToken, testHost+"/ivr/welcome", principalstest.CallParams(otherNumber))
	if got := heardRecorder(t, send(app, r)); got != "internal" {
		t.Errorf("a signed call heard %s while the replay store was down, want the internal flow: what the cache cannot rule out may be a replay", got)
	}
	if store.calls != 1 {
		t.Errorf("the store was asked %d times, want 1", store.calls)
	}
	forgedReq := forged("192.0.2.1:4000")
	if got := heardRecorder(t, send(app, forgedReq)); got != "forbidden" {
		t.Errorf("a forged call heard %s, want the refusal: an unverified request is never looked up", got)
	}
}

func TestFailedAuthLimitIsSharedAcrossAppsThroughTheStore(t *testing.T) {
	store := &sharedBuckets{spent: map[string]int{}}
	var apps []*App
	for range 3 {
		app, _ := hardenedApp(t, principals.TwilioOptions{}, &Options{FailedAuthLimit: 1, FailedAuthStore: store}) // burst 2
		apps = append(apps, app)
	}
	limited := 0
	for i := range 6 { // two forged requests to each replica, from one address
		app := apps[i%3]
		before := sample(t, app, `switchboard_requests_total{outcome="rate_limited",route="/ivr/welcome"}`)
		send(app, forged("192.0.2.1:4000"))
		if sample(t, app, `switchboard_requests_total{outcome="rate_limited",route="/ivr/welcome"}`) > before {
			limited++
		}
	}
	if limited != 4 {
		t.Errorf("6 forged requests spread over 3 replicas: %d limited, want 4 (one burst of 2 for the address, shared)", limited)
	}
}

func TestFailedAuthLimitFallsBackToThisProcessWhenTheStoreIsDown(t *testing.T) {
	store := &downStore{}
	app, _ := hardenedApp(t, principals.TwilioOptions{}, &Options{FailedAuthLimit: 1, FailedAuthStore: store}) // burst 2
	for range 3 {
		send(app, forged("192.0.2.1:4000"))
	}
	if n := sample(t, app, `switchboard_requests_total{outcome="rate_limited",route="/ivr/welcome"}`); n != 1 {
		t.Errorf("3 forged requests with the store down: %v limited, want 1 (the per-process limit)", n)
	}
	if store.calls != 3 {
		t.Errorf("the store was asked %d times, want 3: it is tried first every time, so the shared limit resumes when it returns", store.calls)
	}
}

func TestReadyzSaysDegradedAndWhyWhileADependencyIsDown(t *testing.T) {
	app, _ := hardenedApp(t, principals.TwilioOptions{}, &Options{Dependencies: []Dependency{&downStore{}}})
	w := send(app, httptest.NewRequest(http.MethodGet, testHost+"/readyz", nil))
	var got readiness
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if w.Code != http.StatusOK || got.Status != "degraded" || got.Degraded["redis"] != errStoreDown.Error() || got.Routes == 0 {
		t.Errorf("/readyz answered %d %s, want 200, degraded, and the redis error: a degraded replica still answers calls", w.Code, w.Body)
	}
}

func TestMemoryAttemptStoreCountsWithinTheWindowAndForgets(t *testing.T) {
	m := NewMemoryAttemptStore(0)
	now := time.Unix(1_800_000_000, 0)
	m.now = func() time.Time { return now }
	for want := 1; want <= 3; want++ {
		if n, _ := m.Fail("caller:+15555550100", time.Minute); n != want {
			t.Fatalf("failure %d counted as %d", want, n)
		}
	}
	if n, _ := m.Count("caller:+15555550199"); n != 0 {
		t.Errorf("another number has %d failures, want 0", n)
	}
	now = now.Add(time.Minute)
	if n, _ := m.Count("caller:+15555550100"); n != 0 {
		t.Errorf("%d failures counted after the window, want 0", n)
	}
	m.Fail("caller:+15555550100", time.Minute)
	_ = m.Reset("caller:+15555550100")
	if n, _ := m.Count("caller:+15555550100"); n != 0 {
		t.Errorf("%d failures after Reset, want 0", n)
	}
}

func TestMemoryAttemptStoreStaysBoundedUnderAFlood(t *testing.T) {
	m := NewMemoryAttemptStore(100)
	for i := range 10_000 {
		m.Fail(fmt.Sprintf("caller:+1555%07d", i), time.Duration(i+1)*time.Millisecond+time.Hour)
		if len(m.keys) > 100 {
			t.Fatalf("%d keys held after %d numbers, want at most 100", len(m.keys), i+1)
		}
	}
}

func TestARefusedCallerHearsTheRefusalEvenWhenTheReplayStoreIsDown(t *testing.T) {
	app, _ := hardenedApp(t, principals.TwilioOptions{}, &Options{Replay: &downStore{}})
	r := principalstest.NewPOST(testToken, testHost+"/ivr/welcome", principalstest.CallParams("+15555550199")) // blocked by the default policy
	if got := heardRecorder(t, send(app, r)); got != "forbidden" {
		t.Errorf("a blocked caller heard %s while the replay store was down, want the refusal: the policy decides before the cache is asked", got)
	}
}
