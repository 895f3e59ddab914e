package callbacks

import "github.com/prometheus/client_golang/prometheus"

// Outcome is what became of one callback: the outcome label of switchboard_callbacks_total, a
// closed set.
type Outcome string

// The outcomes of a callback. Each event Twilio sends ends in exactly one.
const (
	Delivered Outcome = "delivered" // the backend accepted it (2xx)
	Failed    Outcome = "failed"    // the backend refused it Options.Attempts times: given up
	Logged    Outcome = "logged"    // no backend: the log line is its delivery
	Repeated  Outcome = "repeated"  // Twilio's retry of an event already received: not delivered again
	Stale     Outcome = "stale"     // a status event older than one already delivered: not delivered
	Dropped   Outcome = "dropped"   // the delivery queue was full: not delivered
)

var (
	kinds    = []Kind{Status, Recording, Transcription}
	outcomes = []Outcome{Delivered, Failed, Logged, Repeated, Stale, Dropped}
)

// metrics are a Receiver's series. Labels come from the closed sets above, never from a request.
type metrics struct {
	total  *prometheus.CounterVec
	byKind map[Kind]map[Outcome]prometheus.Counter // every label pair, resolved at construction
	queue  prometheus.GaugeFunc
	held   prometheus.GaugeFunc
}

func newMetrics(queueDepth, held func() float64) *metrics {
	m := &metrics{
		total: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_callbacks_total",
			Help: "Twilio callbacks received on /callbacks/*, by kind (status, recording, transcription) and outcome (delivered, failed, logged, repeated, stale, dropped).",
		}, []string{"kind", "outcome"}),
		byKind: map[Kind]map[Outcome]prometheus.Counter{},
		queue: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "switchboard_callback_queue_depth", Help: "Callbacks waiting for delivery to the backend.",
		}, queueDepth),
		held: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "switchboard_callback_status_held", Help: "Status events held back for an earlier one of their call (SequenceNumber order).",
		}, held),
	}
	// Every row exists from the start, at 0, so that an alert on a rate sees the first drop.
	for _, k := range kinds {
		m.byKind[k] = map[Outcome]prometheus.Counter{}
		for _, o := range outcomes {
			m.byKind[k][o] = m.total.WithLabelValues(string(k), string(o))
		}
	}
	return m
}

// count adds one to the row of k and o; a Kind outside the closed set has no row.
func (m *metrics) count(k Kind, o Outcome) {
	if c := m.byKind[k][o]; c != nil {
		c.Inc()
	}
}

func (m *metrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.total, m.queue, m.held}
}
