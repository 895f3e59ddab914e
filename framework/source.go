package framework

import (
	"context"
	"errors"
	"time"

	"github.com/switchboard-ivr/switchboard/framework/authz"
	"github.com/switchboard-ivr/switchboard/framework/flow"
	"github.com/switchboard-ivr/switchboard/principals"
)

// Source is where one piece of an App's configuration comes from: a file ([File]), text a
// program embeds ([Text]), a flow built in Go ([Value]), or a database. Each kind of
// configuration has its interface below; a source implements those it can deliver. A new place
// to keep configuration is a new type that implements them, and nothing else changes.
//
// The App loads every source on [New] and on every [App.Reload], and checks what they delivered
// together before serving any of it. Load methods are called one at a time (the App holds its
// lock), with a context that bounds the whole load.
type Source interface {
	// String names the source in errors, logs and /readyz: a file's path, "policy.csv" for the
	// embedded policy. It holds no secret.
	String() string
}

// FlowSource is where an App's flow comes from.
type FlowSource interface {
	Source
	// LoadFlow returns the flow as the source holds it now, validated with opts (whose Grants
	// are the policy's loaded with it), and every problem found. The flow is nil when a problem
	// is an error.
	LoadFlow(ctx context.Context, opts *flow.Options) (*flow.Flow, flow.Problems)
}

// ModelSource is where an App's Casbin model comes from.
type ModelSource interface {
	Source
	// LoadModel returns the model's text as the source holds it now.
	LoadModel(ctx context.Context) (string, error)
}

// PolicySource is where an App's authorization policy comes from.
type PolicySource interface {
	Source
	// LoadPolicy returns the whole policy as the source holds it now, each line with its origin
	// (a file's line, a database rule's ID), which decisions and `explain` name.
	//
	// A source whose backend has gone away (a database) may return the last policy it read and
	// report the outage with [HealthReporter]; it returns an error only when it has no good
	// policy to give. An error keeps the App's running flow and policy in force.
	LoadPolicy(ctx context.Context) (authz.Policy, error)
}

// CredentialSource is a store of credentials (operator API keys, Basic passwords) that an App
// turns into an authentication policy on every load. Credentials fail closed: when a load cannot
// read them, none of this source's credentials stay in force until a load succeeds, whatever the
// rest of the configuration does.
type CredentialSource interface {
	Source
	// LoadCredentials returns the authentication policy of the credentials as the source holds
	// them now.
	LoadCredentials(ctx context.Context) (principals.Policy, error)
}

// Watcher is implemented by a source whose content can change while the App runs; [App.Watch]
// runs Watch for each such source and reloads when one says it changed.
type Watcher interface {
	// Watch calls changed whenever what the source would load may differ from what it loaded
	// last, until ctx is done. poll is how often a source that must look for itself (a file)
	// looks; a source that is told of changes (a database's notifications) may call sooner, and
	// should still look every poll in case a notice was lost. changed never blocks, and calling
	// it when nothing changed costs one reload.
	Watch(ctx context.Context, poll time.Duration, changed func())
}

// HealthReporter is implemented by a source that can be degraded: still serving the last good
// version it loaded while its backend is unreachable. /readyz reports the problem under the
// source's name and stays 200, since every replica would say the same and none could serve
// better. A source that reports its health this way need not be listed in Options.Dependencies.
type HealthReporter interface {
	// Health returns nil when the source is healthy, or why it is degraded, in words that hold
	// no secret (no password, no connection string).
	Health() error
}

// TextSource is configuration given as text: a flow, model or policy a program embeds
// (go:embed), or the built-in defaults. It never changes.
type TextSource struct {
	name, text string
}

// Text returns a source that delivers text; name is what errors call it ("policy.csv").
func Text(name, text string) TextSource { return TextSource{name: name, text: text} }

func (t TextSource) String() string { return t.name }

// LoadFlow parses the text as a YAML flow file.
func (t TextSource) LoadFlow(_ context.Context, opts *flow.Options) (*flow.Flow, flow.Problems) {
	return flow.Parse(t.name, []byte(t.text), opts)
}

// LoadModel returns the text.
func (t TextSource) LoadModel(context.Context) (string, error) { return t.text, nil }

// LoadPolicy splits the text into the lines of a policy file.
func (t TextSource) LoadPolicy(context.Context) (authz.Policy, error) {
	return authz.PolicyText(t.name, t.text), nil
}

// ValueSource is a flow built in Go. It never changes.
type ValueSource struct{ f *flow.Flow }

// Value returns a source that delivers f, validated on every load.
func Value(f *flow.Flow) ValueSource { return ValueSource{f: f} }

func (v ValueSource) String() string { return "flow built in Go" }

// LoadFlow validates the flow.
func (v ValueSource) LoadFlow(_ context.Context, opts *flow.Options) (*flow.Flow, flow.Problems) {
	if v.f == nil {
		return nil, flow.Problems{{Message: "framework.Value was given a nil flow"}}
	}
	return v.f, v.f.Validate(opts)
}

// LoadAuthorizer builds an authorizer from a model and a policy source; a nil source means the
// embedded default ([DefaultModel], [DefaultPolicy]). It is how an App loads them, for programs
// that check a policy without serving it. Problems of both sources are reported together.
func LoadAuthorizer(ctx context.Context, model ModelSource, policy PolicySource) (*authz.Authorizer, error) {
	if model == nil {
		model = DefaultModel()
	}
	if policy == nil {
		policy = DefaultPolicy()
	}
	m, merr := model.LoadModel(ctx)
	p, perr := policy.LoadPolicy(ctx)
	if merr != nil || perr != nil {
		return nil, errors.Join(merr, perr)
	}
	if p.Name == "" {
		p.Name = policy.String()
	}
	return authz.NewFromPolicy(m, p, &authz.Options{ModelName: model.String()})
}

// LoadFlow loads the flow of a source; a nil source means the embedded demo ([DemoFlow]).
func LoadFlow(ctx context.Context, src FlowSource, opts *flow.Options) (*flow.Flow, flow.Problems) {
	if src == nil {
		src = DemoFlow()
	}
	return src.LoadFlow(ctx, opts)
}
