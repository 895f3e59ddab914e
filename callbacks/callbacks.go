package callbacks

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/switchboard-ivr/switchboard/backend"
	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/principals"
)

// Kind is a kind of callback, and the last segment of its route: /callbacks/<kind>.
type Kind string

// The kinds of callback.
const (
	Status        Kind = "status"        // StatusCallback of a call or a <Dial>
	Recording     Kind = "recording"     // recordingStatusCallback of a <Record>
	Transcription Kind = "transcription" // transcribeCallback of a <Record transcribe>
)

// Permission is what the policy must grant Twilio on /callbacks/*, for example
// "p, twilio, /callbacks/*, callback, allow".
const Permission = "callback"

// fields are the form fields an event keeps, each at most maxField bytes: nothing else Twilio
// sends is stored or delivered.
var fields = []string{
	"CallSid", "AccountSid", "From", "To", "CallStatus", "CallDuration", "SequenceNumber", "Timestamp",
	"RecordingSid", "RecordingUrl", "RecordingStatus", "RecordingDuration",
	"TranscriptionSid", "TranscriptionText", "TranscriptionStatus",
}

const maxField = 4096

// Event is one callback, as delivered to the backend (JSON).
type Event struct {
	Kind    Kind              `json:"kind"`
	CallSID string            `json:"call_sid"`
	Fields  map[string]string `json:"fields"`
}

// Options configure a [Receiver].
type Options struct {
	// Deliver is the backend events go to. Optional; nil logs them only.
	Deliver *backend.Backend
	// QueueSize bounds the events waiting for delivery; one that finds the queue full is logged
	// and dropped (Twilio has already had its 200). Optional; default 1000.
	QueueSize int
	// Attempts is how many times one event is tried; the wait doubles from Backoff. Optional;
	// default 5 attempts from 1 s.
	Attempts int
	Backoff  time.Duration
	// Seen bounds the de-duplication table (event identities remembered). Optional; default 100 000.
	Seen   int
	Logger *slog.Logger // Optional; slog.Default().
}

// Receiver answers the callback routes and delivers their events. Start its delivery with Run.
type Receiver struct {
	opts  Options
	log   *slog.Logger
	queue chan Event

	mu   sync.Mutex
	seen map[string]struct{} // bounded by opts.Seen; see remember
	ring []string            // the keys of seen, oldest first at next
	next int

	dropMu   sync.Mutex
	lastDrop time.Time
}

// New returns a Receiver.
func New(opts *Options) *Receiver {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 1000
	}
	if o.Attempts <= 0 {
		o.Attempts = 5
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.Seen <= 0 {
		o.Seen = 100_000
	}
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Receiver{opts: o, log: log, queue: make(chan Event, o.QueueSize), seen: make(map[string]struct{}, 64), ring: make([]string, o.Seen)}
}

// Register mounts POST /callbacks/status, /callbacks/recording and /callbacks/transcription on
// app, each asking for permission "callback".
func (rc *Receiver) Register(app *framework.App) error {
	for _, k := range []Kind{Status, Recording, Transcription} {
		if err := app.Handle(http.MethodPost, "/callbacks/"+string(k), Permission, rc.Handler(k)); err != nil {
			return err
		}
	}
	return nil
}

// Handler returns the handler of one kind of callback: it answers an empty 200, and queues the
// event unless it has seen it already.
func (rc *Receiver) Handler(kind Kind) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev := Event{Kind: kind, CallSID: r.PostFormValue("CallSid"), Fields: map[string]string{}}
		for _, f := range fields {
			if v := r.PostFormValue(f); v != "" {
				if len(v) > maxField {
					v = v[:maxField]
				}
				ev.Fields[f] = v
			}
		}
		w.WriteHeader(http.StatusOK) // empty: a callback's answer is not TwiML
		if !rc.remember(identity(ev)) {
			rc.log.Info("callback repeated", "kind", kind, "call_sid", ev.CallSID)
			return
		}
		rc.log.Info("callback", "kind", kind, "call_sid", ev.CallSID, "status", ev.Fields["CallStatus"]+ev.Fields["RecordingStatus"]+ev.Fields["TranscriptionStatus"],
			"from", principals.MaskNumber(ev.Fields["From"]))
		select {
		case rc.queue <- ev:
		default:
			rc.dropped(ev)
		}
	})
}

// identity is what makes two callbacks the same event: a status callback's call and
// SequenceNumber (Twilio numbers them per call, and retries repeat the number), a recording's
// or transcription's SID and status.
func identity(ev Event) string {
	f := ev.Fields
	switch ev.Kind {
	case Status:
		return "s|" + ev.CallSID + "|" + f["SequenceNumber"] + "|" + f["CallStatus"]
	case Recording:
		return "r|" + ev.CallSID + "|" + f["RecordingSid"] + "|" + f["RecordingStatus"]
	default:
		return "t|" + ev.CallSID + "|" + f["TranscriptionSid"] + "|" + f["TranscriptionStatus"]
	}
}

// remember adds key to the de-duplication table and reports whether it was new. The table holds
// at most opts.Seen keys; eviction: the oldest key is forgotten first (a ring), so a retry
// arriving after opts.Seen newer events is delivered again.
func (rc *Receiver) remember(key string) bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if _, ok := rc.seen[key]; ok {
		return false
	}
	if old := rc.ring[rc.next]; old != "" {
		delete(rc.seen, old)
	}
	rc.ring[rc.next] = key
	rc.next = (rc.next + 1) % len(rc.ring)
	rc.seen[key] = struct{}{}
	return true
}

// dropped logs an event the full queue refused, at most once a second.
func (rc *Receiver) dropped(ev Event) {
	rc.dropMu.Lock()
	defer rc.dropMu.Unlock()
	if now := time.Now(); now.Sub(rc.lastDrop) >= time.Second {
		rc.lastDrop = now
		rc.log.Error("callback queue full: event dropped", "kind", ev.Kind, "call_sid", ev.CallSID, "queue_size", rc.opts.QueueSize)
	}
}

// Run delivers queued events until ctx is done: to the backend, with retries, or to the log
// alone when there is none. Run one per Receiver.
func (rc *Receiver) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-rc.queue:
			rc.deliver(ctx, ev)
		}
	}
}

func (rc *Receiver) deliver(ctx context.Context, ev Event) {
	if rc.opts.Deliver == nil {
		return // logged when received
	}
	wait := rc.opts.Backoff
	for attempt := 1; ; attempt++ {
		err := rc.opts.Deliver.Deliver(ctx, ev)
		if err == nil {
			rc.log.Info("callback delivered", "kind", ev.Kind, "call_sid", ev.CallSID, "attempt", attempt)
			return
		}
		if attempt >= rc.opts.Attempts {
			rc.log.Error("callback not delivered", "kind", ev.Kind, "call_sid", ev.CallSID, "attempts", attempt, "error", err)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait *= 2
	}
}
