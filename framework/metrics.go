package framework

import (
	"errors"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

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

	// failureLines bounds the log lines of failed authentication (see logRequest); these
	// counters still count every request.
	failureLines lineBudget
}

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
	}
	m.reg.MustRegister(m.requests, m.sigFails, m.denials, m.errorFlows, m.latency, m.reloads,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

func (m *metrics) observe(route, outcome string, voice, failed bool, d time.Duration) {
	m.requests.WithLabelValues(route, outcome).Inc()
	v := "false"
	if voice {
		v = "true"
	}
	m.latency.WithLabelValues(v).Observe(d.Seconds())
	if !failed {
		return
	}
	if outcome == KindForbidden.String() || outcome == KindUnauthenticated.String() {
		m.denials.WithLabelValues(route).Inc()
	}
	if voice {
		m.errorFlows.WithLabelValues(outcome).Inc()
	}
}

func (m *metrics) signatureFailure(err error) {
	var f *principals.Failure
	if errors.As(err, &f) {
		m.sigFails.WithLabelValues(f.Policy, f.Reason).Inc()
		return
	}
	m.sigFails.WithLabelValues("unknown", "error").Inc()
}
