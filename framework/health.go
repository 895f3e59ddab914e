package framework

import (
	"net/http"
	"time"

	"github.com/switchboard-ivr/switchboard/internal/buildinfo"
)

// A Dependency is a service outside the process that the App relies on: the policy database, the
// store that replicas share call state in. /readyz reports each one's Health. Health must answer
// quickly (from what the dependency last saw, or a probe bounded to a fraction of a second) and
// say, when it fails, what the App does meanwhile ("serving the policy loaded at …").
type Dependency interface {
	Name() string
	Health() error
}

// readiness is the body of /readyz.
type readiness struct {
	Status      string    `json:"status"` // ready, degraded, or not ready
	Routes      int       `json:"routes,omitempty"`
	PolicyLines int       `json:"policy_lines,omitempty"`
	Loaded      time.Time `json:"loaded,omitzero"` // when the flow and policy in force were loaded
	// Problems are what the last reload could not load (at most 20, one a line, naming the file
	// and line and quoting no more than a short excerpt of it); FailedAt is when. Both are
	// empty once a reload finds nothing wrong.
	Problems []string          `json:"problems,omitempty"`
	FailedAt time.Time         `json:"failed_at,omitzero"`
	Degraded map[string]string `json:"degraded,omitempty"` // dependency or source → what is wrong
	Version  string            `json:"version"`            // the Switchboard module's version (see internal/buildinfo)
}

// Readiness reports whether a flow and a policy are loaded, whether the last reload loaded
// everything, and how every dependency and source fares, with the status /readyz answers: 503
// when nothing is loaded or the last reload failed (until one succeeds: the App serves the last
// good flow and policy, without the credentials that failed to load); 200 when ready or degraded
// (a degraded App still answers every call, as each dependency's failure mode says).
func (a *App) Readiness() (int, any) {
	st := a.state.Load()
	if st == nil || st.flow == nil || st.authz == nil {
		return http.StatusServiceUnavailable, readiness{Status: "not ready", Version: buildinfo.Read().Version}
	}
	r := readiness{Status: "ready", Routes: st.routeCount, PolicyLines: st.authz.Rules(), Loaded: st.loaded,
		Problems: st.failed, FailedAt: st.failedAt, Version: buildinfo.Read().Version}
	degraded := func(name string, err error) {
		if r.Degraded == nil {
			r.Degraded = map[string]string{}
		}
		r.Degraded[name] = err.Error()
		r.Status = "degraded"
	}
	for _, d := range a.opts.Dependencies {
		if err := d.Health(); err != nil {
			degraded(d.Name(), err)
		}
	}
	for _, s := range a.sources() {
		if h, ok := s.(HealthReporter); ok {
			if err := h.Health(); err != nil {
				degraded(s.String(), err)
			}
		}
	}
	if len(r.Problems) > 0 {
		r.Status = "not ready"
		return http.StatusServiceUnavailable, r
	}
	return http.StatusOK, r
}
