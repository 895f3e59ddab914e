package framework

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
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

// routeMetrics holds a route's series for requests that succeed, resolved on its first such
// request: WithLabelValues hashes and looks up its labels on every call, and most requests take
// this path. Resolving lazily keeps /metrics free of series nothing has counted yet.
type routeMetrics struct {
	route string
	once  sync.Once
	ok    prometheus.Counter
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
	if !failed && rm != nil && rm.route == route {
		rm.once.Do(func() { rm.ok = m.requests.WithLabelValues(route, outcome) })
		rm.ok.Inc()
	} else {
		m.requests.WithLabelValues(route, outcome).Inc()
	}
	m.latencyOf(voice).Observe(d.Seconds())
	if !failed {
		return
	}
	if outcome == KindForbidden.String() || outcome == KindDenied.String() || outcome == KindUnauthenticated.String() {
		m.denials.WithLabelValues(route).Inc()
	}
	if voice {
		m.errorFlows.WithLabelValues(outcome).Inc()
	}
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
