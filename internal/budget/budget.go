// Package budget admits events at a steady rate with a burst, without a lock.
package budget

import (
	"sync/atomic"
	"time"
)

// Budget admits PerSecond events a second, and up to Burst at once after a quiet spell. It is
// the generic cell rate algorithm: tat, the theoretical arrival time, is when the budget will
// next be fully spent, and an event is admitted when that stays within Burst intervals of now.
// Set PerSecond and Burst before the first call to Allow (a composite literal); the zero Budget
// admits nothing. Allow is safe for concurrent use.
type Budget struct {
	PerSecond int64 // events a second at the steady rate; at least 1
	Burst     int64 // events admitted at once; at least 1
	tat       atomic.Int64
}

// Allow reports whether an event at now (Unix nanoseconds) fits the budget, and spends it if so.
func (b *Budget) Allow(now int64) bool {
	if b.PerSecond <= 0 || b.Burst <= 0 {
		return false
	}
	interval := int64(time.Second) / b.PerSecond
	for {
		tat := b.tat.Load()
		next := max(tat, now) + interval
		if next-now > b.Burst*interval {
			return false
		}
		if b.tat.CompareAndSwap(tat, next) {
			return true
		}
	}
}

// Reset gives the budget its whole burst back, as a quiet spell would.
func (b *Budget) Reset() { b.tat.Store(0) }
