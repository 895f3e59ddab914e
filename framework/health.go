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
	Status      string            `json:"status"` // ready, degraded, or not ready
	Routes      int               `json:"routes,omitempty"`
	PolicyLines int               `json:"policy_lines,omitempty"`
	Loaded      time.Time         `json:"loaded,omitzero"`
	Degraded    map[string]string `json:"degraded,omitempty"` // dependency → what is wrong
	Version     string            `json:"version"`            // the Switchboard module's version (see internal/buildinfo)
}

// Readiness reports whether a flow and a policy are loaded and how every dependency fares, with
// the status /readyz answers: 200 when ready or degraded (a degraded App still answers every
// call, as each dependency's failure mode says), 503 when nothing is loaded.
func (a *App) Readiness() (int, any) {
	st := a.state.Load()
	if st == nil || st.flow == nil || st.authz == nil {
		return http.StatusServiceUnavailable, readiness{Status: "not ready", Version: buildinfo.Read().Version}
	}
	r := readiness{Status: "ready", Routes: st.routeCount, PolicyLines: st.authz.Rules(), Loaded: st.loaded, Version: buildinfo.Read().Version}
	for _, d := range a.opts.Dependencies {
		if err := d.Health(); err != nil {
			if r.Degraded == nil {
				r.Degraded = map[string]string{}
			}
			r.Degraded[d.Name()] = err.Error()
			r.Status = "degraded"
		}
	}
	return http.StatusOK, r
}
