package console

import (
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-ivr/switchboard"
	"github.com/switchboard-ivr/switchboard/diagram"
	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/framework/authz"
	"github.com/switchboard-ivr/switchboard/framework/flow"
	"github.com/switchboard-ivr/switchboard/internal/joined"
	"github.com/switchboard-ivr/switchboard/sandbox"
)

// snapshot is one configuration that loaded, with everything the page shows of it.
type snapshot struct {
	version  int64
	sb       *sandbox.Sandbox
	flow     *flow.Flow
	compiled *flow.Compiled
	authz    *authz.Authorizer
	diagram  *diagram.Diagram
	dot      string // the diagram in Graphviz's language; the page lays it out
	nodes    []nodeView
	matrix   matrix
	policy   []policyLine
	zone     *time.Location // the clock of the phone: the first hours' time zone, else UTC
	loaded   time.Time

	// callMu serialises calls, each with its own time of day: the sandbox's clock reads at.
	callMu sync.Mutex
	at     time.Time
}

// build loads the configured files the way serve would and returns what the page shows, or nil
// and every problem found. Warnings come back with a snapshot too.
func build(o *Options) (*snapshot, []Problem) {
	var problems []Problem
	modelText, modelName, err := source(o.ModelFile, switchboard.DefaultModel, "model.conf")
	if err != nil {
		problems = append(problems, split(err)...)
	}
	policyText, policyName, err := source(o.PolicyFile, switchboard.DefaultPolicy, "policy.csv")
	if err != nil {
		problems = append(problems, split(err)...)
	}
	var az *authz.Authorizer
	if len(problems) == 0 {
		if az, err = authz.New(modelText, policyText, &authz.Options{ModelName: modelName, PolicyName: policyName}); err != nil {
			problems = append(problems, split(err)...)
		}
	}
	fopts := &flow.Options{Env: sandbox.Getenv}
	if az != nil {
		fopts.Grants = az.Grants
	}
	var f *flow.Flow
	var found flow.Problems
	if o.FlowFile == "" {
		f, found = flow.Parse("demo.yaml", []byte(switchboard.DemoFlow), fopts)
	} else {
		f, found = flow.Load(o.FlowFile, fopts)
	}
	for _, p := range found {
		where := p.Pos.String()
		problems = append(problems, Problem{Where: where, Message: strings.TrimPrefix(strings.TrimPrefix(p.String(), where), ": "), Warning: p.Warning})
	}
	if hasError(problems) {
		return nil, problems
	}
	s := &snapshot{flow: f, authz: az, zone: zoneOf(f), loaded: o.Now()}
	so := &sandbox.Options{Flow: framework.Value(f), Now: s.now}
	switch {
	case o.FlowFile == "":
		so.PINs = framework.DemoPINs() // the built-in demo's staff PIN
	case o.PINsFile != "":
		so.PINs = framework.PINFile(o.PINsFile)
	}
	if o.PolicyFile != "" {
		so.Policy = framework.File(o.PolicyFile)
	}
	if o.ModelFile != "" {
		so.Model = framework.File(o.ModelFile)
	}
	for name, file := range o.Backends {
		stub, err := sandbox.LoadStub(file)
		if err != nil {
			return nil, append(problems, Problem{Where: file, Message: "backend " + name + ": " + err.Error()})
		}
		if so.Backends == nil {
			so.Backends = map[string]framework.Fetcher{}
		}
		so.Backends[name] = stub
	}
	sb, err := sandbox.New(so)
	if err != nil {
		return nil, append(problems, split(err)...)
	}
	s.sb, s.compiled = sb, sb.App().Flow()
	s.authz = sb.App().Authorizer()
	s.diagram = diagram.New(f, s.compiled)
	var dot strings.Builder
	if err := s.diagram.DOT(&dot); err != nil {
		return nil, append(problems, Problem{Message: err.Error()})
	}
	s.dot = dot.String()
	s.policy = policyLines(policyName, policyText, o.MaskNumbers)
	s.matrix = s.buildMatrix(o.MaskNumbers)
	s.nodes = s.buildNodes(o.MaskNumbers)
	return s, problems
}

// now is the sandbox's clock: the time of day of the call being placed.
func (s *snapshot) now() time.Time {
	if s.at.IsZero() {
		return time.Now()
	}
	return s.at
}

func source(path, def, defName string) (text, name string, err error) {
	if path == "" {
		return def, defName, nil
	}
	b, err := os.ReadFile(path)
	return string(b), path, err
}

// zoneOf returns the time zone of the first menu with business hours, the clock a caller's time
// of day is read in; UTC when no menu has hours.
func zoneOf(f *flow.Flow) *time.Location {
	for _, name := range sortedKeys(f.Menus) {
		if n := f.Menus[name]; n != nil && n.Hours != nil {
			if loc, err := time.LoadLocation(n.Hours.Timezone); err == nil {
				return loc
			}
		}
	}
	return time.UTC
}

func hasError(ps []Problem) bool {
	for _, p := range ps {
		if !p.Warning {
			return true
		}
	}
	return false
}

// positioned matches the "file:line[:col]: " an error message starts with.
var positioned = regexp.MustCompile(`^([^\s:]+(?::\d+){1,2}): (.*)$`)

// split turns a joined error into one Problem per line, each with its position when it has one.
func split(err error) []Problem {
	var out []Problem
	for _, e := range joined.Split(err) {
		for _, line := range strings.Split(e.Error(), "\n") {
			if m := positioned.FindStringSubmatch(line); m != nil {
				out = append(out, Problem{Where: m[1], Message: m[2]})
			} else if line != "" {
				out = append(out, Problem{Message: line})
			}
		}
	}
	return out
}
