package flowtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-ivr/switchboard/caller"
	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/framework/flow"
	"github.com/switchboard-ivr/switchboard/internal/didyoumean"
	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/sandbox"
)

// Options configure [Run]. A nil *Options is valid.
type Options struct {
	// Flow is the flow of the test files that name none: a flow built in Go. Optional; when
	// nil, a file that names no flow does not run.
	Flow *flow.Flow
	// FlowName names Flow in coverage. Optional; "the flow built in Go".
	FlowName string
	// Parallel is how many calls run at once. Optional; runtime.GOMAXPROCS(0).
	Parallel int
	// PINs are the PIN secrets for test files that name none. Optional; none.
	PINs framework.PINSource
	// Setup adds a program's own routes to every App the calls are placed against, such as
	// stubs of the backends its routes call (see sandbox.Options.Setup). Optional.
	Setup func(*framework.App) error
}

// A Report is the outcome of [Run].
type Report struct {
	// Results holds one Result per call that ran, in file order, then call order.
	Results []Result
	// Errors are the files whose flow, policy or model did not load; their calls did not run.
	Errors []*FileError
	// Coverage says, per flow, which menus, options and error flows the calls reached.
	Coverage []*Coverage
}

// Failed returns how many calls failed, plus the files that could not run.
func (r *Report) Failed() int {
	n := len(r.Errors)
	for _, res := range r.Results {
		if res.Failure != nil {
			n++
		}
	}
	return n
}

// A FileError says why a test file's calls could not run.
type FileError struct {
	File *File // at least its Path
	Err  error // every problem of the file, or of its flow, policy and model, each with file:line:col
}

func (e *FileError) Error() string {
	return e.File.Path + ": the calls did not run: " + e.Err.Error()
}

func (e *FileError) Unwrap() error { return e.Err }

// A Result is one call of a test file, placed.
type Result struct {
	File *File
	Call *Call
	// Heard is what the caller heard and what the server did for each request.
	Heard sandbox.Result
	// Elapsed is how long the call took.
	Elapsed time.Duration
	// Failure is nil when the call met every expectation.
	Failure *Failure
}

// A Failure is why a call failed: the first expectation it did not meet, or what stopped it.
type Failure struct {
	// Expectation is the first one the call did not meet; nil when the call itself failed (a
	// document Twilio would refuse, a loop) or an expectation names no node of the flow.
	Expectation *Expectation
	// Message says what was found instead, such as `no SAY containing "billing" after event 4`.
	Message string
	// Event is the index in Heard.Events of the event the failure is about; -1 for none.
	Event int
}

// Run places every call of files, Options.Parallel at a time, and checks each against its
// expectations. Each distinct flow, policy, model and clock is served by one [sandbox.Sandbox].
// Run never stops early: every call runs, and every failure is in the Report.
func Run(ctx context.Context, files []*File, opts *Options) *Report {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Parallel <= 0 {
		o.Parallel = runtime.GOMAXPROCS(0)
	}
	rep := &Report{}
	type job struct {
		i  int
		sb *sandbox.Sandbox
	}
	var jobs []job
	boxes := map[boxKey]*sandbox.Sandbox{}
	flows := map[string]*Coverage{}
	for _, f := range files {
		var failed error
		var calls []job
		for _, c := range f.Calls {
			at := c.At
			if at.IsZero() {
				at = f.At
			}
			k := boxKey{f.Flow, f.Policy, f.Model, f.PINs, at.UnixNano(), at.IsZero(), stubKey(f.Backends)}
			sb, ok := boxes[k]
			if f.Flow == "" && o.Flow == nil {
				failed = errors.New("the file names no flow: add flow: and the flow file it tests")
			}
			if !ok && failed == nil {
				so := &sandbox.Options{Setup: o.Setup}
				switch {
				case f.Flow != "":
					so.Flow = framework.File(f.Flow)
				case o.Flow != nil:
					so.Flow = framework.Value(o.Flow)
				}
				if f.Policy != "" {
					so.Policy = framework.File(f.Policy)
				}
				if f.Model != "" {
					so.Model = framework.File(f.Model)
				}
				so.PINs = o.PINs
				if f.PINs != "" {
					data, err := os.ReadFile(f.PINs)
					if err != nil {
						failed = err
						break
					}
					so.PINs = framework.Text(f.PINs, string(data))
				}
				if !at.IsZero() {
					so.Now = func() time.Time { return at }
				}
				for name, path := range f.Backends {
					stub, err := sandbox.LoadStub(path)
					if err != nil {
						failed = fmt.Errorf("backends.%s: %w", name, err)
						break
					}
					if so.Backends == nil {
						so.Backends = map[string]framework.Fetcher{}
					}
					so.Backends[name] = stub
				}
				if failed != nil {
					break
				}
				var err error
				if sb, err = sandbox.New(so); err != nil {
					failed = err
				} else {
					boxes[k] = sb
				}
			}
			if failed != nil {
				break
			}
			rep.Results = append(rep.Results, Result{File: f, Call: c})
			calls = append(calls, job{len(rep.Results) - 1, sb})
		}
		if failed != nil {
			rep.Results = rep.Results[:len(rep.Results)-len(calls)]
			rep.Errors = append(rep.Errors, &FileError{File: f, Err: failed})
			continue
		}
		jobs = append(jobs, calls...)
		name := flowName(f, o.FlowName)
		if _, ok := flows[name]; !ok && len(calls) > 0 {
			cov := newCoverage(name, calls[0].sb.App().Flow())
			flows[name] = cov
			rep.Coverage = append(rep.Coverage, cov)
		}
	}
	sem := make(chan struct{}, o.Parallel)
	var wg sync.WaitGroup
	for _, j := range jobs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			place(ctx, &rep.Results[j.i], j.sb)
		})
	}
	wg.Wait()
	for i := range rep.Results {
		r := &rep.Results[i]
		flows[flowName(r.File, o.FlowName)].add(r)
	}
	return rep
}

// boxKey is what makes two calls need different sandboxes.
type boxKey struct {
	flow, policy, model, pins string
	at                        int64
	realClock                 bool
	stubs                     string // stubKey of the file's backends
}

// flowName names the flow a file tests, for coverage.
func flowName(f *File, goName string) string {
	if f.Flow != "" {
		return f.Flow
	}
	if goName != "" {
		return goName
	}
	return "the flow built in Go"
}

// place places one call and checks its expectations.
func place(ctx context.Context, r *Result, sb *sandbox.Sandbox) {
	if f := unknownNodes(r.Call, sb.App().Flow()); f != nil {
		r.Failure = f
		return
	}
	c := r.Call
	start := time.Now()
	verstat, _ := StirVerstat(c.Attest)
	call := caller.Call{From: c.From, To: c.To, Answers: c.Answers, DialStatus: c.DialStatus, Direction: c.Direction, StirVerstat: verstat, AgentEnd: c.AgentEnd}
	if c.AgentFailed {
		call.AgentStatus = "failed"
	}
	if c.Path != "" {
		call.URL = sandbox.Host + c.Path
	}
	if c.Forged {
		call.Token = principals.NewSecret("a forger's guess, not the server's token")
	}
	heard, err := sb.Call(ctx, call)
	r.Elapsed = time.Since(start)
	r.Heard = heard
	if err != nil {
		r.Failure = &Failure{Message: "the call failed: " + err.Error(), Event: len(heard.Events) - 1}
		return
	}
	from := 0
	for i := range c.Expect {
		e := &c.Expect[i]
		v := e.check.verify(&r.Heard, from)
		if !v.ok {
			r.Failure = &Failure{Expectation: e, Message: v.why, Event: v.at}
			return
		}
		if v.next {
			from = v.at
		}
	}
}

// unknownNodes fails a call whose node, visit or no_visit names no node of the flow: such an
// expectation would pass or fail for the wrong reason.
func unknownNodes(c *Call, f *flow.Compiled) *Failure {
	var nodes []string
	for _, rt := range f.Routes() {
		if !slices.Contains(nodes, rt.Node) {
			nodes = append(nodes, rt.Node)
		}
	}
	for i := range c.Expect {
		e := &c.Expect[i]
		var name string
		switch ch := e.check.(type) {
		case nodeCheck:
			name = ch.name
		case visitCheck:
			name = ch.name
		default:
			continue
		}
		if !slices.Contains(nodes, name) {
			return &Failure{Expectation: e, Message: fmt.Sprintf("the flow has no node named %q%s", name, didyoumean.Hint(name, nodes)), Event: -1}
		}
	}
	return nil
}

// Transcript returns the events of the call around the failure, one a line, numbered from 1,
// with "> " before the event the failure is about; "…" stands for events left out.
func (r *Result) Transcript() []string {
	evs := r.Heard.Events
	if len(evs) == 0 {
		return []string{"(the caller heard nothing)"}
	}
	at := -1
	if r.Failure != nil {
		at = r.Failure.Event
	}
	lo, hi := len(evs)-6, len(evs) // no event in particular: the end of the call
	if at >= 0 {
		at = min(at, len(evs)-1)
		lo, hi = at-4, at+5
	}
	lo, hi = max(lo, 0), min(hi, len(evs))
	if len(evs)-hi <= 2 {
		hi = len(evs) // "…" would hide no more than it takes
	}
	if lo <= 2 {
		lo = 0
	}
	width := len(fmt.Sprint(len(evs)))
	var out []string
	if lo > 0 {
		out = append(out, "  …")
	}
	for i := lo; i < hi; i++ {
		mark := "  "
		if i == at {
			mark = "> "
		}
		out = append(out, fmt.Sprintf("%s%*d  %s", mark, width, i+1, evs[i]))
	}
	if hi < len(evs) {
		out = append(out, "  …")
	}
	if end := r.Heard.End; end != "" && hi == len(evs) {
		out = append(out, "  (the call ended: "+end+")")
	}
	return out
}

// Line returns the result's line: "ok   file:line: name", or for a failure "FAIL " then where
// the unmet expectation is (file:line:col), the call's name, the expectation and what was found
// instead.
func (r *Result) Line() string {
	where := r.Call.Pos
	if r.Failure == nil {
		where.Col = 0
		return "ok   " + where.String() + ": " + r.Call.Name
	}
	msg := r.Failure.Message
	if e := r.Failure.Expectation; e != nil {
		where, msg = e.Pos, e.String()+": "+msg
	}
	return "FAIL " + where.String() + ": " + r.Call.Name + ": " + msg
}

// StirVerstat returns the StirVerstat Twilio sends for an attestation level: A, B or C
// (TN-Validation-Passed-…), failed, or none (No-TN-Validation); "" for an empty level. ok is
// false for any other level.
func StirVerstat(level string) (verstat string, ok bool) {
	switch strings.ToUpper(level) {
	case "":
		return "", true
	case "A", "B", "C":
		return "TN-Validation-Passed-" + strings.ToUpper(level), true
	case "FAILED":
		return "TN-Validation-Failed", true
	case "NONE":
		return "No-TN-Validation", true
	}
	return "", false
}

// stubKey is a file's backend stubs as one comparable string: name=path lines, sorted.
func stubKey(b map[string]string) string {
	lines := make([]string, 0, len(b))
	for name, path := range b {
		lines = append(lines, name+"="+path)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}
