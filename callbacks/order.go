package callbacks

import (
	"container/list"
	"slices"
	"strconv"
	"sync"
	"time"
)

// The ordering rule for status events. Twilio numbers the status callbacks of one call from 0
// (SequenceNumber) and sends each as its own request, so they may arrive out of order. Per call:
//
//   - the event numbered next (0 for a call not seen yet) is released at once, and with it every
//     held event that follows it without a gap;
//   - an event from further ahead is held, at most Options.Hold (2 s), for the missing ones; when
//     the wait ends the held events are released in order and the gap is given up;
//   - an event numbered below one already released is never released: it is counted as "stale"
//     and logged. A backend therefore sees each call's events in increasing SequenceNumber order.
//
// An event without a SequenceNumber (a status callback configured elsewhere than this server),
// or one whose CallSid or number is not what Twilio sends, is released at once: it cannot be
// placed. Ordering holds within one process; behind a load balancer each replica orders what it
// receives, and the delivered SequenceNumber lets the backend do the rest.
//
// Memory: the table remembers at most Options.Calls calls (default 10 000); eviction: the call
// touched least recently is forgotten first, its held events released in order before it goes
// (a later event of that call is then taken as a first one). Held events are at most maxHeld in
// all: an out-of-order event that would exceed it releases its call's held events at once,
// giving up the gap, instead of waiting.
const (
	maxHeld   = 1000
	maxSeq    = 1 << 16 // a SequenceNumber above it is not Twilio's: released unordered
	maxSIDLen = 64      // Twilio's SIDs are 34 characters
)

// sequencer orders the status events of each call; release is called, with mu held so that a
// call's events leave in order, for each event as it is released.
type sequencer struct {
	hold    time.Duration
	max     int
	release func(Event)
	stale   func(Event)

	mu    sync.Mutex
	calls map[string]*callOrder // bounded by max; see above
	lru   *list.List            // of *callOrder, most recently touched first
	held  int                   // events held, over every call; at most maxHeld
}

type callOrder struct {
	sid     string
	next    int           // the SequenceNumber released next
	pending map[int]Event // held events by SequenceNumber
	timer   *time.Timer   // ends the wait for the gap; nil when nothing is held
	wait    int           // counts the waits, so that a timer that fired late ends only its own
	elem    *list.Element
}

func newSequencer(hold time.Duration, calls int, release, stale func(Event)) *sequencer {
	return &sequencer{hold: hold, max: calls, release: release, stale: stale, calls: map[string]*callOrder{}, lru: list.New()}
}

// add takes one status event (already de-duplicated) and releases what the rule allows.
func (s *sequencer) add(ev Event) {
	seq, err := strconv.Atoi(ev.Fields["SequenceNumber"])
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil || seq < 0 || seq > maxSeq || ev.CallSID == "" || len(ev.CallSID) > maxSIDLen {
		s.release(ev)
		return
	}
	c := s.calls[ev.CallSID]
	if c == nil {
		if len(s.calls) >= s.max {
			s.evict(s.lru.Back().Value.(*callOrder))
		}
		c = &callOrder{sid: ev.CallSID}
		c.elem = s.lru.PushFront(c)
		s.calls[c.sid] = c
	} else {
		s.lru.MoveToFront(c.elem)
	}
	switch {
	case seq < c.next:
		s.stale(ev)
	case seq == c.next:
		s.release(ev)
		c.next++
		s.releaseRun(c)
	default:
		if _, ok := c.pending[seq]; ok {
			return // the same number with another status: Twilio's retry of it with a change; keep the first
		}
		if c.pending == nil {
			c.pending = map[int]Event{}
		}
		c.pending[seq] = ev
		s.held++
		if s.held > maxHeld {
			s.flush(c)
			return
		}
		if c.timer == nil {
			c.wait++
			wait := c.wait
			c.timer = time.AfterFunc(s.hold, func() { s.expire(c, wait) })
		}
	}
}

// releaseRun releases c's held events that follow c.next without a gap, and stops the wait when
// nothing is left held.
func (s *sequencer) releaseRun(c *callOrder) {
	for {
		ev, ok := c.pending[c.next]
		if !ok {
			break
		}
		delete(c.pending, c.next)
		s.held--
		s.release(ev)
		c.next++
	}
	if len(c.pending) == 0 && c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
}

// flush releases every event c holds, in order, giving up the gaps before them.
func (s *sequencer) flush(c *callOrder) {
	seqs := make([]int, 0, len(c.pending))
	for n := range c.pending {
		seqs = append(seqs, n)
	}
	slices.Sort(seqs)
	for _, n := range seqs {
		s.release(c.pending[n])
		delete(c.pending, n)
		s.held--
		c.next = n + 1
	}
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
}

// expire ends c's wait number wait for a gap, unless that wait already ended (the gap filled, or
// c evicted) while the timer fired.
func (s *sequencer) expire(c *callOrder, wait int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls[c.sid] == c && c.timer != nil && c.wait == wait {
		c.timer = nil
		s.flush(c)
	}
}

// evict forgets c, releasing what it holds first.
func (s *sequencer) evict(c *callOrder) {
	s.flush(c)
	s.lru.Remove(c.elem)
	delete(s.calls, c.sid)
}

// heldEvents returns how many events wait for a gap, for /metrics.
func (s *sequencer) heldEvents() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held
}
