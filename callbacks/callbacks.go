package callbacks

import (
	"context"
	"crypto/sha256"
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
	Status        Kind = "status"        // StatusCallback of a call or a <Dial>'s number
	Recording     Kind = "recording"     // recordingStatusCallback of a <Record>
	Transcription Kind = "transcription" // transcribeCallback of a <Record transcribe>
)

// Permission is what the policy must grant Twilio on /callbacks/*; the default policy.csv has
// "p, twilio, /callbacks/*, callback, allow".
const Permission = "callback"

// fields are the form fields an event keeps, each at most maxField bytes: nothing else Twilio
// sends is stored or delivered. A <Dial>'s number reports under its own CallSid, with the
// caller's call as ParentCallSid.
var fields = []string{
	"CallSid", "ParentCallSid", "AccountSid", "From", "To", "Direction", "CallStatus", "CallDuration", "SequenceNumber", "Timestamp",
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
	Seen int
	// Hold is how long a status event that arrived before an earlier one of its call waits for
	// it (see [Receiver]). Optional; default 2 s.
	Hold time.Duration
	// Calls bounds the calls whose status events are being ordered. Optional; default 10 000.
	Calls  int
	Logger *slog.Logger // Optional; slog.Default().
	// LogNumbers logs the caller's number in full. Optional; masked by default.
	LogNumbers bool
}

// Receiver answers the callback routes and delivers their events. Start its delivery with Run.
//
// Each event ends in one [Outcome], counted in /metrics as switchboard_callbacks_total{kind,
// outcome} once Register has mounted the routes, and logged with its call SID.
//
// Status events are released in each call's SequenceNumber order: the next one at once, with
// the run of held events after it; one that arrives early waits at most Options.Hold for the
// ones before it, then goes without them; one older than an event already released is not
// delivered ([Stale]). Ordering holds within one process. The bounds (Options.Calls calls, 1000
// held events) and their eviction are documented in order.go.
type Receiver struct {
	opts  Options
	log   *slog.Logger
	queue chan Event
	order *sequencer
	met   *metrics

	mu   sync.Mutex
	seen map[[sha256.Size]byte]struct{} // bounded by opts.Seen; see remember
	ring [][sha256.Size]byte            // the keys of seen, oldest first at next
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
	if o.Hold <= 0 {
		o.Hold = 2 * time.Second
	}
	if o.Calls <= 0 {
		o.Calls = 10_000
	}
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	rc := &Receiver{opts: o, log: log, queue: make(chan Event, o.QueueSize),
		seen: make(map[[sha256.Size]byte]struct{}, 64), ring: make([][sha256.Size]byte, o.Seen)}
	rc.order = newSequencer(o.Hold, o.Calls, rc.release, rc.stale)
	rc.met = newMetrics(func() float64 { return float64(len(rc.queue)) }, func() float64 { return float64(rc.order.heldEvents()) })
	return rc
}

// Register mounts POST /callbacks/status, /callbacks/recording and /callbacks/transcription on
// app, each asking for permission "callback", and adds the Receiver's series to app's /metrics.
// Register a Receiver on one App.
func (rc *Receiver) Register(app *framework.App) error {
	for _, k := range kinds {
		if err := app.Handle(http.MethodPost, "/callbacks/"+string(k), Permission, rc.Handler(k)); err != nil {
			return err
		}
	}
	return app.RegisterMetrics(rc.met.collectors()...)
}

// Handler returns the handler of one kind of callback: it answers an empty 200, and releases the
// event unless it has seen it already — a status event in its call's SequenceNumber order.
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
		if len(ev.CallSID) > maxField {
			ev.CallSID = ev.CallSID[:maxField]
		}
		w.WriteHeader(http.StatusOK) // empty: a callback's answer is not TwiML
		if !rc.remember(identity(ev)) {
			rc.met.count(kind, Repeated)
			rc.log.Info("callback repeated", "kind", kind, "call_sid", ev.CallSID, "sequence", ev.Fields["SequenceNumber"])
			return
		}
		if kind == Status {
			rc.order.add(ev)
			return
		}
		rc.release(ev)
	})
}

// release logs an event and hands it to delivery. The sequencer calls it in each call's order.
func (rc *Receiver) release(ev Event) {
	attrs := []any{"kind", ev.Kind, "call_sid", ev.CallSID, "status", ev.Fields["CallStatus"] + ev.Fields["RecordingStatus"] + ev.Fields["TranscriptionStatus"]}
	if seq := ev.Fields["SequenceNumber"]; seq != "" {
		attrs = append(attrs, "sequence", seq)
	}
	if from := ev.Fields["From"]; from != "" {
		if !rc.opts.LogNumbers {
			from = principals.MaskNumber(from)
		}
		attrs = append(attrs, "from", from)
	}
	// With no backend the log is where a voicemail reaches someone: say where the recording is
	// (its URL opens only with the account's credentials) and how long it runs. A
	// transcription's text is the caller's words: delivered, never logged.
	if u := ev.Fields["RecordingUrl"]; u != "" {
		attrs = append(attrs, "recording_url", u, "duration", ev.Fields["RecordingDuration"])
	}
	rc.log.Info("callback", attrs...)
	if rc.opts.Deliver == nil {
		rc.met.count(ev.Kind, Logged)
		return
	}
	select {
	case rc.queue <- ev:
	default:
		rc.met.count(ev.Kind, Dropped)
		rc.dropped(ev)
	}
}

// stale logs a status event that came after a later one of its call was released.
func (rc *Receiver) stale(ev Event) {
	rc.met.count(ev.Kind, Stale)
	rc.log.Warn("callback out of order: a later status of this call was already delivered; not delivered",
		"kind", ev.Kind, "call_sid", ev.CallSID, "status", ev.Fields["CallStatus"], "sequence", ev.Fields["SequenceNumber"])
}

// identity is what makes two callbacks the same event: a status callback's call and
// SequenceNumber (Twilio numbers them per call, and retries repeat the number), a recording's
// or transcription's SID and status. It is hashed, so that the table's memory per entry is fixed
// whatever the fields held.
func identity(ev Event) [sha256.Size]byte {
	f := ev.Fields
	var key string
	switch ev.Kind {
	case Status:
		key = "s|" + ev.CallSID + "|" + f["SequenceNumber"] + "|" + f["CallStatus"]
	case Recording:
		key = "r|" + ev.CallSID + "|" + f["RecordingSid"] + "|" + f["RecordingStatus"]
	default:
		key = "t|" + ev.CallSID + "|" + f["TranscriptionSid"] + "|" + f["TranscriptionStatus"]
	}
	return sha256.Sum256([]byte(key))
}

// remember adds key to the de-duplication table and reports whether it was new. The table holds
// at most opts.Seen keys; eviction: the oldest key is forgotten first (a ring), so a retry
// arriving after opts.Seen newer events is delivered again.
func (rc *Receiver) remember(key [sha256.Size]byte) bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if _, ok := rc.seen[key]; ok {
		return false
	}
	if len(rc.seen) == len(rc.ring) {
		delete(rc.seen, rc.ring[rc.next])
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

// Run delivers queued events until ctx is done: to the backend, with retries, one at a time in
// the order they were released. Run one per Receiver (with no backend, events are logged when
// released and Run has nothing to do).
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
	wait := rc.opts.Backoff
	for attempt := 1; ; attempt++ {
		err := rc.opts.Deliver.Deliver(ctx, ev)
		if err == nil {
			rc.met.count(ev.Kind, Delivered)
			rc.log.Info("callback delivered", "kind", ev.Kind, "call_sid", ev.CallSID, "attempt", attempt)
			return
		}
		if attempt >= rc.opts.Attempts {
			rc.met.count(ev.Kind, Failed)
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
