package budget

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestBudgetAdmitsTheBurstThenTheSteadyRate(t *testing.T) {
	tests := []struct {
		name             string
		perSecond, burst int64
		at               []time.Duration // when events arrive, from a fixed start
		want             []bool
	}{
		{"BurstAtOnce", 10, 3, []time.Duration{0, 0, 0, 0}, []bool{true, true, true, false}},
		{"OneIntervalLaterOneMore", 10, 2, []time.Duration{0, 0, 0, 100 * time.Millisecond, 100 * time.Millisecond}, []bool{true, true, false, true, false}},
		{"AQuietSecondRefillsTheBurst", 5, 2, []time.Duration{0, 0, time.Second, time.Second, time.Second}, []bool{true, true, true, true, false}},
		{"ZeroBudgetAdmitsNothing", 0, 0, []time.Duration{0}, []bool{false}},
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := &Budget{PerSecond: tc.perSecond, Burst: tc.burst}
			for i, at := range tc.at {
				if got := b.Allow(start + int64(at)); got != tc.want[i] {
					t.Errorf("event %d at +%v: Allow = %v, want %v", i, at, got, tc.want[i])
				}
			}
		})
	}
}

func TestBudgetAdmitsExactlyTheBurstUnderContention(t *testing.T) {
	b := &Budget{PerSecond: 1, Burst: 50}
	now := time.Now().UnixNano()
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				if b.Allow(now) {
					admitted.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if n := admitted.Load(); n != 50 {
		t.Errorf("800 concurrent events at one instant: %d admitted, want the burst, 50", n)
	}
}
