package framework

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/switchboard-ivr/switchboard/internal/budget"
	"github.com/switchboard-ivr/switchboard/principals"
)

// metrics are the App's Prometheus series, in a registry of its own so that several Apps (tests,
// or two numbers in one process) never collide. /metrics serves them to whoever the policy grants
// the "metrics" permission.
type metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	sigFails   *prometheus.CounterVec
	denials    *prometheus.CounterVec
	errorFlows *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	reloads    *prometheus.CounterVec
	pins       *prometheus.CounterVec

	// unauthLines bounds the log lines of requests that did not authenticate (see lineAllowed);
	// these counters still count every request.
	unauthLines lineBudget

	latencies [2]struct { // latency's children for voice=false and voice=true, once used
		once sync.Once
		o    prometheus.Observer
	}
	sigFailSeen sync.Map // failureKey → the sigFails counter of that policy and reason
	policyMu    sync.Mutex
	policies    map[string]bool // the policy label values in use; at most maxPolicyLabels
}

type failureKey struct{ policy, reason string }

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_requests_total", Help: "Requests by route pattern and outcome (ok, or the error kind).",
		}, []string{"route", "outcome"}),
		sigFails: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_auth_failures_total", Help: "Credentials that did not verify, by policy and reason.",
		}, []string{"policy", "reason"}),
		denials: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_authorization_denials_total", Help: "Requests the policy refused, by route pattern.",
		}, []string{"route"}),
		errorFlows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_error_flows_total", Help: "Error call flows served on voice routes, by kind.",
		}, []string{"kind"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "switchboard_request_duration_seconds", Help: "Time to answer a request.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1, 5},
		}, []string{"voice"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_reloads_total", Help: "Configuration reloads by result.",
		}, []string{"result"}),
		pins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_pin_attempts_total", Help: "PINs entered on pin nodes, by result: right, wrong, silence, locked (refused unchecked), locked_out (the wrong PIN that locked the number).",
		}, []string{"result"}),
	}
	m.reg.MustRegister(m.requests, m.sigFails, m.denials, m.errorFlows, m.latency, m.reloads, m.pins,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.unauthLines.cells = budget.Budget{PerSecond: unauthenticatedLinesPerSecond, Burst: 2 * unauthenticatedLinesPerSecond}
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// routeMetrics holds a route's series, each resolved on the first request that counts in it:
// WithLabelValues hashes and looks up its labels on every call, and a flood of forged requests
// to one route would pay that three times a request. Resolving lazily keeps /metrics free of
// series nothing has counted yet. Bound: one series set per error kind and voice flag.
type routeMetrics struct {
	route  string
	once   sync.Once
	ok     prometheus.Counter
	failed [2][len(kindNames)]atomic.Pointer[failedSeries] // by voice, then Kind
}

// failedSeries are the counters a failed request of one route, kind and voice flag adds to;
// denials and errorFlows are nil when that kind or flag does not count there.
type failedSeries struct {
	requests, denials, errorFlows prometheus.Counter
}

// forRoute returns the series of a route pattern, for a handler to keep at router build time.
func (m *metrics) forRoute(route string) *routeMetrics { return &routeMetrics{route: route} }

// latencyOf returns the latency histogram of voice routes or of the others, resolved once.
func (m *metrics) latencyOf(voice bool) prometheus.Observer {
	i := 0
	if voice {
		i = 1
	}
	l := &m.latencies[i]
	l.once.Do(func() { l.o = m.latency.WithLabelValues(strconv.FormatBool(voice)) })
	return l.o
}

// observe counts a request. rm, when not nil, is the series of route kept by its handler.
func (m *metrics) observe(rm *routeMetrics, route, outcome string, voice, failed bool, d time.Duration) {
	m.latencyOf(voice).Observe(d.Seconds())
	switch {
	case !failed && rm != nil && rm.route == route:
		rm.once.Do(func() { rm.ok = m.requests.WithLabelValues(route, outcome) })
		rm.ok.Inc()
		return
	case !failed:
		m.requests.WithLabelValues(route, outcome).Inc()
		return
	}
	var fs failedSeries
	k := kindIndex(outcome)
	if rm != nil && rm.route == route && k >= 0 {
		slot := &rm.failed[boolIndex(voice)][k]
		p := slot.Load()
		if p == nil {
			p = new(failedSeries)
			*p = m.failedSeriesOf(route, outcome, voice)
			slot.Store(p) // a race stores equal sets twice: WithLabelValues has one child per label set
		}
		fs = *p
	} else {
		fs = m.failedSeriesOf(route, outcome, voice)
	}
	fs.requests.Inc()
	if fs.denials != nil {
		fs.denials.Inc()
	}
	if fs.errorFlows != nil {
		fs.errorFlows.Inc()
	}
}

// failedSeriesOf looks up the series a failed request counts in.
func (m *metrics) failedSeriesOf(route, outcome string, voice bool) failedSeries {
	fs := failedSeries{requests: m.requests.WithLabelValues(route, outcome)}
	if outcome == KindForbidden.String() || outcome == KindDenied.String() || outcome == KindUnauthenticated.String() {
		fs.denials = m.denials.WithLabelValues(route)
	}
	if voice {
		fs.errorFlows = m.errorFlows.WithLabelValues(outcome)
	}
	return fs
}

// kindIndex returns the Kind whose String is outcome, or -1.
func kindIndex(outcome string) int {
	for i, n := range kindNames {
		if n == outcome {
			return i
		}
	}
	return -1
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

// signatureFailure counts one failed credential under its policy and reason labels.
func (m *metrics) signatureFailure(err error) {
	key := failureLabels(err)
	// A flood of forged requests fails for the same reason again and again: keep the counter of
	// each label pair seen rather than look it up per request. Bound: reasons are principals'
	// closed set (Reason.Label) and the policies are at most maxPolicyLabels+1, so the map holds
	// at most their product and never evicts.
	c, ok := m.sigFailSeen.Load(key)
	if !ok {
		key.policy = m.policyLabel(key.policy)
		c, _ = m.sigFailSeen.LoadOrStore(key, m.sigFails.WithLabelValues(key.policy, key.reason))
	}
	c.(prometheus.Counter).Inc()
}

// otherLabel stands for every value outside a label's closed set.
const otherLabel = "other"

// maxPolicyLabels bounds the policy label: the names of the policies configured are few, but a
// custom policy names itself in each Failure it returns, so the first maxPolicyLabels names seen
// are kept and any later one counts as "other".
const maxPolicyLabels = 16

// policyLabel returns name while fewer than maxPolicyLabels policy names have been seen (or
// name is one of them), else "other".
func (m *metrics) policyLabel(name string) string {
	m.policyMu.Lock()
	defer m.policyMu.Unlock()
	if m.policies[name] {
		return name
	}
	if len(m.policies) >= maxPolicyLabels {
		return otherLabel
	}
	if m.policies == nil {
		m.policies = map[string]bool{}
	}
	m.policies[name] = true
	return name
}

// failureLabels returns the closed-set labels of an authentication failure.
func failureLabels(err error) failureKey {
	// A policy's own *Failure, as every forged request brings, is read without errors.As, whose
	// target escapes (an allocation per forged request); a wrapped one is still found.
	if f, ok := err.(*principals.Failure); ok {
		return failureKey{policy: f.Policy, reason: f.Reason.Label()}
	}
	var f *principals.Failure
	if !errors.As(err, &f) {
		return failureKey{otherLabel, otherLabel}
	}
	// Label is one of principals' declared reasons or "unknown": never text from the request,
	// whose details (a body read error with the client's address) go to the log line only.
	return failureKey{policy: f.Policy, reason: f.Reason.Label()}
}

// pinAttempt counts one PIN entered on a pin node, by result (a closed set: right, wrong,
// silence, locked, locked_out).
func (m *metrics) pinAttempt(result string) { m.pins.WithLabelValues(result).Inc() }

// RegisterMetrics adds collectors to the App's /metrics, for packages that mount routes on it
// (callbacks, outbound). Their series must have bounded labels, like the App's own; a collector
// whose series collide with registered ones is refused.
func (a *App) RegisterMetrics(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := a.met.reg.Register(c); err != nil {
			return fmt.Errorf("framework: metrics: %w", err)
		}
	}
	return nil
}
