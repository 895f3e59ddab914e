package callbacks

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// released records what a sequencer releases and finds stale, as "sid:seq".
type released struct{ out, stale []string }

func (r *released) sequencer(calls int) *sequencer {
	name := func(ev Event) string { return ev.CallSID + ":" + ev.Fields["SequenceNumber"] }
	return newSequencer(time.Hour, calls, func(ev Event) { r.out = append(r.out, name(ev)) }, func(ev Event) { r.stale = append(r.stale, name(ev)) })
}

func statusEvent(sid string, seq int) Event {
	return Event{Kind: Status, CallSID: sid, Fields: map[string]string{"SequenceNumber": strconv.Itoa(seq)}}
}

func TestTheSequencerReleasesEachCallsEventsInOrder(t *testing.T) {
	tests := []struct {
		name        string
		given       []int // SequenceNumbers of one call, in arrival order
		expect      string
		expectStale string
		expectHeld  int
	}{
		{"InOrder", []int{0, 1, 2, 3}, "0,1,2,3", "", 0},
		{"Reversed", []int{3, 2, 1, 0}, "0,1,2,3", "", 0},
		{"Shuffled", []int{1, 3, 0, 2}, "0,1,2,3", "", 0},
		{"AGapHoldsWhatFollows", []int{0, 2, 3}, "0", "", 2},
		{"ALateDuplicateIsStale", []int{0, 1, 0}, "0,1", "0", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r released
			s := r.sequencer(10)
			for _, n := range tt.given {
				s.add(statusEvent("CA1", n))
			}
			if got := strings.ReplaceAll(strings.Join(r.out, ","), "CA1:", ""); got != tt.expect {
				t.Errorf("released %s, want %s", got, tt.expect)
			}
			if got := strings.ReplaceAll(strings.Join(r.stale, ","), "CA1:", ""); got != tt.expectStale {
				t.Errorf("stale %s, want %s", got, tt.expectStale)
			}
			if got := s.heldEvents(); got != tt.expectHeld {
				t.Errorf("%d held, want %d", got, tt.expectHeld)
			}
		})
	}
}

func TestTheLeastRecentlyTouchedCallIsForgottenFirstAndReleasesWhatItHeld(t *testing.T) {
	var r released
	s := r.sequencer(2)
	s.add(statusEvent("CA1", 1)) // held, waiting for 0
	s.add(statusEvent("CA2", 0))
	s.add(statusEvent("CA3", 0)) // the table is full: CA1, touched least recently, goes
	if got := strings.Join(r.out, ","); got != "CA2:0,CA1:1,CA3:0" {
		t.Errorf("released %s, want CA2:0, then CA1's held 1 as CA1 was evicted, then CA3:0", got)
	}
	if len(s.calls) != 2 || s.heldEvents() != 0 {
		t.Errorf("%d calls and %d held events remembered, want 2 and 0", len(s.calls), s.heldEvents())
	}
}

func TestHeldEventsAreBoundedOverEveryCall(t *testing.T) {
	var r released
	s := r.sequencer(2 * maxHeld)
	for i := range maxHeld + 1 { // each call's 0 is missing: every event would wait
		s.add(statusEvent(fmt.Sprintf("CA%d", i), 1))
	}
	if got := s.heldEvents(); got > maxHeld {
		t.Errorf("%d events held, want at most %d", got, maxHeld)
	}
	if len(r.out) != 1 {
		t.Errorf("%d released, want 1: the event over the bound goes at once", len(r.out))
	}
}

func TestTheWaitForAGapEnds(t *testing.T) {
	var r released
	s := r.sequencer(10)
	s.hold = time.Millisecond
	s.add(statusEvent("CA1", 2))
	for deadline := time.Now().Add(10 * time.Second); s.heldEvents() != 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the held event was never released")
		}
	}
	s.add(statusEvent("CA1", 0))
	s.add(statusEvent("CA1", 3))
	s.mu.Lock()
	defer s.mu.Unlock()
	if got := strings.Join(r.out, ","); got != "CA1:2,CA1:3" || strings.Join(r.stale, ",") != "CA1:0" {
		t.Errorf("released %s, stale %s; want 2 after the wait, 3 next, 0 stale", got, r.stale)
	}
}

func TestEventsThatCannotBePlacedAreReleasedAtOnce(t *testing.T) {
	var r released
	s := r.sequencer(10)
	for _, ev := range []Event{
		{Kind: Status, CallSID: "CA1", Fields: map[string]string{}},                           // no SequenceNumber
		{Kind: Status, CallSID: "CA2", Fields: map[string]string{"SequenceNumber": "x"}},      // not a number
		{Kind: Status, CallSID: "CA3", Fields: map[string]string{"SequenceNumber": "999999"}}, // not Twilio's
		{Kind: Status, CallSID: strings.Repeat("C", 100), Fields: map[string]string{"SequenceNumber": "5"}},
	} {
		s.add(ev)
	}
	if len(r.out) != 4 || len(s.calls) != 0 {
		t.Errorf("released %d of 4, and %d calls remembered, want 4 and 0", len(r.out), len(s.calls))
	}
}

// FuzzTheSequencerNeverReleasesAnEventBeforeAnEarlierOne feeds status events of four calls in
// any order (each byte: a call in bits 4-5, a SequenceNumber in bits 0-3) and checks the rule:
// per call, what is released is strictly increasing; every distinct event is released, found
// stale or still held, exactly once; what is held is what the rule says may wait.
func FuzzTheSequencerNeverReleasesAnEventBeforeAnEarlierOne(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3})
	f.Add([]byte{3, 2, 1, 0, 0x13, 0x10, 0x11})
	f.Add([]byte{0x21, 0x00, 0x23, 0x22, 0x20, 0x01})
	f.Fuzz(func(t *testing.T, in []byte) {
		var r released
		s := r.sequencer(4)
		seen := map[string]bool{}
		for _, b := range in {
			ev := statusEvent(fmt.Sprintf("CA%d", b>>4&3), int(b&15))
			key := ev.CallSID + ":" + ev.Fields["SequenceNumber"]
			if seen[key] {
				continue // the receiver's de-duplication keeps repeats away from the sequencer
			}
			seen[key] = true
			s.add(ev)
		}
		last := map[string]int{}
		for _, name := range r.out {
			sid, seq, _ := strings.Cut(name, ":")
			n, _ := strconv.Atoi(seq)
			if prev, ok := last[sid]; ok && n <= prev {
				t.Fatalf("%s released after %s:%d: %v", name, sid, prev, r.out)
			}
			last[sid] = n
		}
		if got := len(r.out) + len(r.stale) + s.heldEvents(); got != len(seen) {
			t.Errorf("%d released + %d stale + %d held, want the %d distinct events", len(r.out), len(r.stale), s.heldEvents(), len(seen))
		}
		for sid, c := range s.calls {
			if c.timer != nil {
				c.timer.Stop() // the hour's wait would outlive this input
			}
			for n := range c.pending {
				if n <= c.next {
					t.Errorf("%s:%d held though %d is next: it should have gone", sid, n, c.next)
				}
			}
		}
	})
}
