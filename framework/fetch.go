package framework

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-ivr/switchboard/backend"
	"github.com/switchboard-ivr/switchboard/callstate"
	"github.com/switchboard-ivr/switchboard/framework/flow"
)

// Fetcher answers a flow's fetch: the variables of a call, from the operator's backend. A
// *backend.Backend is one; a sandbox or a test may give stubs ([Options].Backends). Fetch must
// return within ctx's deadline, and its errors go to the fetch's on_error.
type Fetcher interface {
	Fetch(ctx context.Context, call backend.Call) (backend.Vars, error)
}

// errNoBackendKey is what a fetch fails with when the App has no key to sign it with.
var errNoBackendKey = errors.New("no backend key (Options.BackendKey, SWITCHBOARD_BACKEND_KEY) to sign the request with")

// noKey is the Fetcher of a backend the App cannot sign requests for.
type noKey struct{}

func (noKey) Fetch(context.Context, backend.Call) (backend.Vars, error) { return nil, errNoBackendKey }

// fetchers returns a Fetcher for each backend the flow declares: the one Options.Backends names,
// else the backend at its URL, signed with Options.BackendKey. Without the key, each such
// backend fails every fetch, and the warning says so.
func (a *App) fetchers(c *flow.Compiled) (map[string]Fetcher, string, error) {
	bs := c.Backends()
	if len(bs) == 0 {
		return nil, "", nil
	}
	out := make(map[string]Fetcher, len(bs))
	var unsigned []string
	var errs []error
	for _, b := range bs {
		if f := a.opts.Backends[b.Name]; f != nil {
			out[b.Name] = f
			continue
		}
		if a.opts.BackendKey.IsZero() {
			out[b.Name] = noKey{}
			unsigned = append(unsigned, b.Name)
			continue
		}
		be, err := backend.New(backend.Options{URL: b.URL, Key: a.opts.BackendKey, Timeout: b.Timeout})
		if err != nil {
			errs = append(errs, fmt.Errorf("backend %s: %w", b.Name, err))
			continue
		}
		out[b.Name] = be
	}
	warn := ""
	if len(unsigned) > 0 {
		warn = fmt.Sprintf("warning: the flow fetches from backends %s but the server has no backend key to sign requests with, so every fetch fails (its on_error): set SWITCHBOARD_BACKEND_KEY", strings.Join(unsigned, ", "))
	}
	return out, warn, errors.Join(errs...)
}

// fetch runs the route's fetch for the request: it POSTs the call to the backend, keeps the
// variables the answer sets, and reports whether the call's state can still carry them all. A
// failure is kept in ex.fetchErr for the log, and the route answers its on_error.
func (a *App) fetch(ex *exchange, r *http.Request, fc *flow.FetchCall) bool {
	ex.fetchBackend = fc.Backend
	f := ex.st.fetchers[fc.Backend]
	if f == nil {
		ex.fetchErr = fmt.Errorf("no backend is named %q", fc.Backend)
		return false
	}
	id, _ := ex.twilioIdentity()
	call := backend.Call{
		CallSID: id.CallSID,
		From:    ex.formValue(r, "From"),
		To:      ex.formValue(r, "To"),
		Digits:  ex.vars[flow.VarDigits],
		Speech:  ex.vars[flow.VarSpeech],
	}
	if len(ex.vars) > 0 {
		call.Vars = make(map[string]string, len(ex.vars))
		for k, v := range ex.vars {
			if k != flow.VarDigits && k != flow.VarSpeech {
				call.Vars[k] = v
			}
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), fc.Timeout+100*time.Millisecond) // the backend's own timeout fires first
	defer cancel()
	answer, err := f.Fetch(ctx, call)
	if err != nil {
		ex.fetchErr = err
		return false
	}
	got, err := fc.Accept(answer)
	if err != nil {
		ex.fetchErr = err
		return false
	}
	vars := make(map[string]string, len(ex.vars)+len(got))
	maps.Copy(vars, ex.vars)
	maps.Copy(vars, got)
	if err := a.fits(ex, vars); err != nil {
		ex.fetchErr = err
		return false
	}
	ex.vars = vars
	return true
}

// fits reports whether the call's state token can carry vars (callstate.MaxVarsLen).
func (a *App) fits(ex *exchange, vars map[string]string) error {
	plain, secret := splitVars(ex.st.flow, vars)
	_, err := a.opts.State.Seal("fit", "/", callstate.State{Vars: plain, Secret: secret}, time.Now())
	return err
}

// saveInput keeps the caller's digits or speech on a gather route in the call's variables, for
// the switches, prompts and fetches that follow; when they would not fit the state token, the
// call goes on without them.
func (a *App) saveInput(ex *exchange, in flow.Input) {
	if in.Digits == "" && strings.TrimSpace(in.Speech) == "" {
		return
	}
	vars := make(map[string]string, len(ex.vars)+1)
	for k, v := range ex.vars {
		if k != flow.VarDigits && k != flow.VarSpeech {
			vars[k] = v
		}
	}
	if in.Digits != "" {
		vars[flow.VarDigits] = in.Digits
	} else {
		vars[flow.VarSpeech] = in.Speech
	}
	if a.fits(ex, vars) == nil {
		ex.vars = vars
	}
}

// routeVars returns the variables a dynamic route renders with: the call's, and caller and
// called from the request.
func routeVars(ex *exchange, r *http.Request) map[string]string {
	out := make(map[string]string, len(ex.vars)+2)
	for k, v := range ex.vars {
		out[k] = v
	}
	if v := ex.formValue(r, "From"); v != "" {
		out[flow.VarCaller] = v
	}
	if v := ex.formValue(r, "To"); v != "" {
		out[flow.VarCalled] = v
	}
	return out
}

// splitVars splits the call's variables into those a URL may show and those it must encrypt.
func splitVars(c *flow.Compiled, vars map[string]string) (plain, secret map[string]string) {
	for k, v := range vars {
		if c.SensitiveVar(k) {
			if secret == nil {
				secret = map[string]string{}
			}
			secret[k] = v
		} else {
			if plain == nil {
				plain = map[string]string{}
			}
			plain[k] = v
		}
	}
	return plain, secret
}
