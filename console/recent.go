package console

import (
	"container/list"
	"context"
	"log/slog"
	"sync"
	"time"
)

// Recent keeps the calls a running server answered, for the console's "recent calls": each
// call, by its verified CallSid, with its requests, the decisions and the policy lines behind
// them. It reads the server's own request log lines, so it shows what the log shows: phone
// numbers masked unless the server logs them in full, digits of sensitive menus as REDACTED.
//
// It is bounded: at most MaxCalls calls, the least recently active evicted first, and at most
// maxSteps requests per call. Create it with [NewRecent]; it is safe for concurrent use.
type Recent struct {
	mu    sync.Mutex
	max   int
	calls map[string]*list.Element // CallSid → element of order, holding a *recentCall
	order *list.List               // most recently active first
}

// DefaultRecentCalls is how many calls [NewRecent] keeps when given 0.
const DefaultRecentCalls = 50

// maxSteps bounds the requests kept per call; a call that makes more keeps its first ones and
// counts the rest.
const maxSteps = 64

type recentCall struct {
	SID     string    `json:"sid"`
	Started time.Time `json:"started"`
	Last    time.Time `json:"last"`
	Steps   []step    `json:"steps"`
	Dropped int       `json:"dropped,omitempty"` // requests past maxSteps, not kept
}

type step struct {
	At         time.Time `json:"at"`
	Path       string    `json:"path"`
	Status     int64     `json:"status"`
	Principals []string  `json:"principals,omitempty"`
	Decision   string    `json:"decision,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	Digits     string    `json:"digits,omitempty"`
	ErrorFlow  string    `json:"errorFlow,omitempty"`
}

// NewRecent returns a Recent that keeps the last max calls (DefaultRecentCalls when max <= 0).
func NewRecent(max int) *Recent {
	if max <= 0 {
		max = DefaultRecentCalls
	}
	return &Recent{max: max, calls: map[string]*list.Element{}, order: list.New()}
}

// Handler returns a slog.Handler that files every request line carrying a call_sid under its
// call and passes every record on to next, as next would have it. Give it to the App as its
// logger's handler.
func (r *Recent) Handler(next slog.Handler) slog.Handler { return tap{r: r, next: next} }

func (r *Recent) add(sid string, s step) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var c *recentCall
	if el, ok := r.calls[sid]; ok {
		r.order.MoveToFront(el)
		c = el.Value.(*recentCall)
	} else {
		c = &recentCall{SID: sid, Started: s.At}
		r.calls[sid] = r.order.PushFront(c)
		for r.order.Len() > r.max {
			old := r.order.Back()
			r.order.Remove(old)
			delete(r.calls, old.Value.(*recentCall).SID)
		}
	}
	c.Last = s.At
	if len(c.Steps) < maxSteps {
		c.Steps = append(c.Steps, s)
	} else {
		c.Dropped++
	}
}

// list returns copies of the calls, most recently active first; nil for a nil Recent.
func (r *Recent) list(mask bool) []recentCall {
	if r == nil {
		return []recentCall{}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]recentCall, 0, r.order.Len())
	for el := r.order.Front(); el != nil; el = el.Next() {
		c := *el.Value.(*recentCall)
		c.Steps = append([]step(nil), c.Steps...)
		for i := range c.Steps {
			st := &c.Steps[i]
			st.Principals = maskAll(st.Principals, mask)
			st.Reason = maskText(st.Reason, mask)
		}
		out = append(out, c)
	}
	return out
}

// tap is the slog.Handler of [Recent.Handler].
type tap struct {
	r    *Recent
	next slog.Handler
}

func (t tap) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= slog.LevelInfo || t.next.Enabled(ctx, level)
}

func (t tap) Handle(ctx context.Context, rec slog.Record) error {
	if rec.Message == "request" {
		var sid string
		s := step{At: rec.Time}
		rec.Attrs(func(a slog.Attr) bool {
			switch a.Key {
			case "call_sid":
				sid = a.Value.String()
			case "path":
				s.Path = a.Value.String()
			case "status":
				s.Status = a.Value.Int64()
			case "principals":
				if names, ok := a.Value.Any().([]string); ok {
					s.Principals = append([]string(nil), names...)
				}
			case "decision":
				s.Decision = a.Value.String()
			case "reason":
				s.Reason = a.Value.String()
			case "digits":
				s.Digits = a.Value.String()
			case "error_flow":
				s.ErrorFlow = a.Value.String()
			}
			return true
		})
		if sid != "" {
			t.r.add(sid, s)
		}
	}
	if !t.next.Enabled(ctx, rec.Level) {
		return nil
	}
	return t.next.Handle(ctx, rec)
}

func (t tap) WithAttrs(attrs []slog.Attr) slog.Handler {
	return tap{r: t.r, next: t.next.WithAttrs(attrs)}
}
func (t tap) WithGroup(name string) slog.Handler { return tap{r: t.r, next: t.next.WithGroup(name)} }
