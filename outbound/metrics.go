package outbound

import "github.com/prometheus/client_golang/prometheus"

// Outcome is what became of one POST /calls: the outcome label of
// switchboard_outbound_calls_total, a closed set.
type Outcome string

// The outcomes of POST /calls.
const (
	Started     Outcome = "started"      // Twilio accepted the call
	BadRequest  Outcome = "bad_request"  // the body, the number or the menu was wrong
	NotAllowed  Outcome = "not_allowed"  // an allowlist refused the number (toll-fraud limit)
	RateLimited Outcome = "rate_limited" // a per-key or per-destination limit was spent
	Upstream    Outcome = "upstream"     // Twilio refused the call or did not answer
)

var outcomes = []Outcome{Started, BadRequest, NotAllowed, RateLimited, Upstream}

type metrics struct {
	total *prometheus.CounterVec
	by    map[Outcome]prometheus.Counter // every outcome, resolved at construction
}

func newMetrics() *metrics {
	m := &metrics{total: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "switchboard_outbound_calls_total",
		Help: "POST /calls requests that passed authorization, by outcome (started, bad_request, not_allowed, rate_limited, upstream).",
	}, []string{"outcome"}), by: map[Outcome]prometheus.Counter{}}
	for _, o := range outcomes { // every row from the start, at 0
		m.by[o] = m.total.WithLabelValues(string(o))
	}
	return m
}

func (m *metrics) count(o Outcome) { m.by[o].Inc() }

func (m *metrics) collectors() []prometheus.Collector { return []prometheus.Collector{m.total} }
