package framework

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-ivr/switchboard/callstate"
	"github.com/switchboard-ivr/switchboard/framework/authz"
	"github.com/switchboard-ivr/switchboard/framework/flow"
	"github.com/switchboard-ivr/switchboard/internal/joined"
	"github.com/switchboard-ivr/switchboard/pin"
	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/twiml"
)

// Options configures an [App]. Every field is optional; the zero Options serves the embedded demo
// flow under the embedded default model and policy, with no authentication policy (so every
// voice request hears the unauthenticated flow until Policies holds a Twilio policy).
type Options struct {
	// Flow is where the flow comes from: File("menu.yaml"), Text("menu.yaml", yaml) for a flow a
	// program embeds, or Value(f) for one built in Go. Optional; nil serves [DemoFlow].
	Flow FlowSource
	// Model is where the Casbin model comes from: File or Text. Optional; nil uses [DefaultModel].
	Model ModelSource
	// Policy is where the authorization policy comes from: File, Text or a database. Optional;
	// nil uses [DefaultPolicy].
	Policy PolicySource
	// Credentials are stores of credentials, such as APIKeysFile("keys"), whose authentication
	// policies run after Policies, in order. Optional; none. A credential source that fails to
	// load leaves none of its credentials in force until it loads again.
	Credentials []CredentialSource
	// URLPrefix is the path of the public URL Twilio calls (/acme for
	// https://ivr.example.com/acme) when a proxy strips it before a request reaches the App: the
	// flow's TwiML names every route under it, so that Twilio's next request stays under the
	// prefix (flow.CompileOptions.URLPrefix). Optional; none. A path such as /acme.
	URLPrefix string
	// Policies are the authentication policies run on every request, in order, before those of
	// Credentials. Put the Twilio signature policy here.
	Policies []principals.Policy
	// Logger receives one line per request and every reload. Optional; slog.Default().
	Logger *slog.Logger
	// BodyLimit caps a request body in bytes. Optional; the MaxBody of the first Twilio policy
	// in Policies, so that the two never disagree, else 64 KiB.
	BodyLimit int64
	// HandlerTimeout bounds a handler, well under Twilio's 15 s budget; a voice route past it
	// answers the internal flow. Optional; 10 s.
	HandlerTimeout time.Duration
	// Now is the clock business hours are decided on, and nothing else (latencies, metrics
	// and the replay cache use the real time). Optional; time.Now.
	Now func() time.Time
	// LogPhoneNumbers logs caller numbers in full. Optional; false masks them (+1555***0100).
	LogPhoneNumbers bool
	// FailedAuthLimit limits, per source address, the requests per second that fail
	// authentication on a voice route (a burst of twice as many is allowed). Requests that
	// authenticate are never limited. Optional; 20. A negative value turns the limit off.
	FailedAuthLimit float64
	// TrustedProxies are the peers whose X-Forwarded-For names the client address for rate
	// limiting and logs (see principals.ClientAddr). Optional; when nil, the TrustedProxies of
	// the first Twilio policy in Policies, so that the list is given once; with neither, none:
	// the TCP peer is the client.
	TrustedProxies []netip.Prefix
	// Replay, when set, refuses a voice request whose signature was already seen. Optional; off.
	Replay ReplayCache
	// FailedAuthStore, when set, holds the failed-authentication limit in a store that several
	// instances share; when it fails, each instance applies the limit itself. Optional; the
	// limit is per process.
	FailedAuthStore FailedAuthStore
	// Dependencies are the services outside the process the App relies on (a policy database,
	// a shared state store); /readyz reports their health. Optional.
	Dependencies []Dependency
	// State seals the state a call carries in its callback URLs — the PIN scopes it entered, its
	// retry counts, dial or record site and PIN attempts —
	// under the server's own key (package callstate); replicas that serve one number must share
	// the key. Optional; a key made for this process, which no other replica and no restart
	// shares (a call in progress then has to enter its PIN again).
	State *callstate.Sealer
	// PINs is where the PIN secrets of the flow's pin nodes come from: PINFile("pins") or Text.
	// Optional; [DemoPINs] when Flow is nil too (the demo's staff PIN), else none, and a flow
	// with a pin node does not load without them.
	PINs PINSource
	// PINAttempts counts wrong PINs per calling number across calls, for the lockout; share one
	// when several instances serve one number. Optional; this process's memory.
	PINAttempts AttemptStore
	// PINLockout is how many wrong PINs one calling number may enter for one secret within
	// PINLockoutWindow; past it, its attempts fail unchecked until the window ends. Optional; 5.
	PINLockout int
	// PINLockoutWindow is how long wrong PINs count, from the first. Optional; 15 minutes.
	PINLockoutWindow time.Duration
	// BackendKey signs the requests of the flow's fetches to its backends (package backend:
	// Twilio's scheme, so any Twilio SDK's validator checks them with this key). Optional; a
	// flow with backends then loads with a warning, and every fetch fails (its on_error).
	BackendKey principals.Secret
	// Backends answer the flow's fetches in place of the backends it declares, by name: stubs
	// for a sandbox or a test. Optional; a backend not named here is called at its URL.
	Backends map[string]Fetcher
	// Env looks up the environment variables the flow's backend URLs name (url: ${BANK_URL}).
	// Optional; os.Getenv.
	Env func(name string) string
}

// App serves a compiled flow and the routes registered on it. Create it with [New]; it is an
// http.Handler, safe for concurrent use, and reloads its files without dropping calls.
type App struct {
	opts   Options
	log    *slog.Logger
	now    func() time.Time // Options.Now; nil for the real clock
	state  atomic.Pointer[state]
	mu     sync.Mutex // serialises loads and route registration
	routes []customRoute
	limit  *limiter
	met    *metrics
	// pinAttempts is Options.PINAttempts, or one in memory.
	pinAttempts AttemptStore
}

// state is one generation of configuration; a reload builds a new one and swaps it in.
type state struct {
	config
	policies []principals.Policy // Options.Policies, then the credentials that loaded
	router   *dispatcher
	// routeCount is len(App.Routes()), and voiceRoutes the patterns of the App.Voice routes,
	// both filled by newRouter.
	routeCount  int
	voiceRoutes map[string]bool
	// failed is what the last reload could not load, one problem a line, and when; empty after
	// a load that found nothing wrong. /readyz reports it.
	failed   []string
	failedAt time.Time
}

// config is the flow and the policy, loaded and checked together; a reload that fails keeps the
// running one.
type config struct {
	flow     *flow.Compiled
	fetchers map[string]Fetcher // one per backend the flow declares
	authz    *authz.Authorizer
	pins     *pin.Secrets // nil when the App has no PIN source
	warnings []string
	loaded   time.Time
}

// customRoute is a route registered with [App.Handle] or [App.Voice].
type customRoute struct {
	method, path, permission string
	handler                  http.Handler                                  // JSON and other routes
	voice                    func(r *http.Request) (twiml.Response, error) // voice routes
}

// firstTwilioPolicy returns the first Twilio signature policy among ps, or nil.
func firstTwilioPolicy(ps []principals.Policy) *principals.TwilioPolicy {
	for _, p := range ps {
		if tw, ok := p.(*principals.TwilioPolicy); ok {
			return tw
		}
	}
	return nil
}

// New loads and checks the flow, model, policy and keys, and returns an App ready to serve. Every
// problem found is returned together; New never serves a broken configuration.
func New(opts *Options) (*App, error) {
	a := &App{}
	if opts != nil {
		a.opts = *opts
	}
	if a.opts.Logger == nil {
		a.opts.Logger = slog.Default()
	}
	tw := firstTwilioPolicy(a.opts.Policies)
	if a.opts.BodyLimit <= 0 {
		a.opts.BodyLimit = principals.DefaultMaxBody
		if tw != nil {
			a.opts.BodyLimit = tw.MaxBody()
		}
	}
	if a.opts.TrustedProxies == nil && tw != nil {
		a.opts.TrustedProxies = tw.TrustedProxies()
	}
	if a.opts.HandlerTimeout <= 0 {
		a.opts.HandlerTimeout = 10 * time.Second
	}
	if a.opts.FailedAuthLimit == 0 {
		a.opts.FailedAuthLimit = 20
	}
	if err := a.pinDefaults(); err != nil {
		return nil, err
	}
	a.log, a.now = a.opts.Logger, a.opts.Now // nil: the flow reads time.Now when it needs the hour
	a.limit = newLimiter(a.opts.FailedAuthLimit, a.opts.TrustedProxies, a.opts.FailedAuthStore)
	a.met = newMetrics()
	cfg, creds, err := a.load()
	if err != nil {
		return nil, err
	}
	st := &state{config: *cfg, policies: creds}
	st.router = a.newRouter(st)
	a.state.Store(st)
	return a, nil
}

// ServeHTTP answers one request with the current configuration.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.state.Load().router.ServeHTTP(w, r)
}

// Handle registers a non-voice route: h runs only when the request's principals hold permission
// on path, and errors answer with a JSON problem and a real status. Inside h,
// principals.FromContext(r.Context()) returns the request's principals.
func (a *App) Handle(method, path, permission string, h http.Handler) error {
	return a.register(customRoute{method: method, path: path, permission: permission, handler: h})
}

// Voice registers a voice route whose TwiML is computed per request by fn (a compiled flow needs
// none). Refusals and errors answer with the error call flows; fn must return within the
// handler timeout or the caller hears the internal flow.
func (a *App) Voice(method, path, permission string, fn func(r *http.Request) (twiml.Response, error)) error {
	return a.register(customRoute{method: method, path: path, permission: permission, voice: fn})
}

func (a *App) register(cr customRoute) error {
	if cr.permission == "" {
		return fmt.Errorf("framework: route %s %s: a permission is required", cr.method, cr.path)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, r := range a.routes {
		if r.method == cr.method && r.path == cr.path {
			return fmt.Errorf("framework: route %s %s is registered twice", cr.method, cr.path)
		}
	}
	a.routes = append(a.routes, cr)
	old := a.state.Load()
	st := *old
	st.router = a.newRouter(&st)
	a.state.Store(&st)
	return nil
}

// Reload loads every source again and swaps the result in atomically. When the flow, model or
// policy has a problem, the running flow and policy stay in force; credentials never do: each
// credential source is in force as it loaded now, or not at all. Until a reload finds nothing
// wrong, /readyz answers 503 with the problems. The error says every problem. Calls in progress
// keep working as long as the nodes they are on still exist.
func (a *App) Reload() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	old := a.state.Load()
	cfg, creds, err := a.load()
	st := &state{policies: creds}
	if cfg != nil {
		st.config = *cfg
	} else {
		st.config = old.config
	}
	if err != nil {
		st.failed, st.failedAt = problemLines(err, maxReportedProblems), time.Now()
	}
	st.router = a.newRouter(st)
	a.state.Store(st)
	if err != nil {
		a.met.reloads.WithLabelValues("failed").Inc()
		what := "the running flow and policy stay in force"
		if cfg != nil {
			what = "the new flow and policy are in force"
		}
		if n := len(a.opts.Policies) + len(a.opts.Credentials) - len(creds); n > 0 {
			what += fmt.Sprintf("; the credentials of %d source(s) that did not load are withdrawn", n)
		}
		a.log.Error("reload failed: "+what, "problems", len(joined.Split(err)), "error", strings.Join(st.failed, "; "))
		return err
	}
	a.met.reloads.WithLabelValues("ok").Inc()
	a.log.Info("reloaded", "routes", st.routeCount, "policy_lines", st.authz.Rules(), "groupings", st.authz.Groupings(), "warnings", len(st.warnings))
	a.logWarnings(st.warnings)
	return nil
}

// RouteInfo describes one route for `switchboard routes`.
type RouteInfo struct {
	Method     string
	Path       string
	Permission string
	Voice      bool
	Allow      []string // subjects and groups whose policy lines allow it
	Deny       []string // subjects and groups whose policy lines deny it
}

// Routes lists every route the App serves, flow routes first, in a stable order.
func (a *App) Routes() []RouteInfo {
	st := a.state.Load()
	var out []RouteInfo
	add := func(method, path, perm string, voice bool) {
		allow, deny := st.authz.Subjects(path, perm)
		out = append(out, RouteInfo{Method: method, Path: path, Permission: perm, Voice: voice, Allow: allow, Deny: deny})
	}
	for _, r := range st.flow.Routes() {
		add("GET,POST", r.Path, r.Permission, true)
	}
	a.mu.Lock()
	routes := slices.Clone(a.routes)
	a.mu.Unlock()
	for _, r := range routes {
		add(r.method, r.path, r.permission, r.voice != nil)
	}
	add(http.MethodGet, "/metrics", "metrics", false)
	return out
}

// Flow returns the compiled flow being served.
func (a *App) Flow() *flow.Compiled { return a.state.Load().flow }

// Authorizer returns the policy in force.
func (a *App) Authorizer() *authz.Authorizer { return a.state.Load().authz }

// Warnings returns the warnings of the configuration in force (unreachable menus, permissions no
// policy line grants), one "file:line:col: …" line each.
func (a *App) Warnings() []string { return a.state.Load().warnings }

// Ready reports whether a flow and a policy are loaded and the last reload found nothing wrong;
// /readyz answers 503 when it is false (see [App.Readiness]).
func (a *App) Ready() bool {
	s := a.state.Load()
	return s != nil && s.flow != nil && s.authz != nil && len(s.failed) == 0
}

// loadTimeout bounds one load of every source.
const loadTimeout = 30 * time.Second

// load loads every source. cfg is the flow and policy, or nil when either has a problem; creds
// are Options.Policies followed by each credential source that loaded. err holds every problem
// of every source: a broken policy does not hide a broken flow or keys file.
func (a *App) load() (cfg *config, creds []principals.Policy, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
	defer cancel()
	var errs []error
	fopts := &flow.Options{Env: a.opts.Env}
	var pins *pin.Secrets
	if a.opts.PINs != nil {
		var err error
		if pins, err = a.opts.PINs.LoadPINs(ctx); err != nil {
			errs = append(errs, err)
		} else {
			fopts.Secrets = pins.Has
		}
	}
	az, err := LoadAuthorizer(ctx, a.opts.Model, a.opts.Policy)
	if err != nil {
		errs = append(errs, err)
	} else {
		fopts.Grants, fopts.Open = az.Grants, az.Open
	}
	f, problems := LoadFlow(ctx, a.opts.Flow, fopts)
	var compiled *flow.Compiled
	if err := problems.Err(); err != nil {
		errs = append(errs, err)
	} else if compiled, err = flow.Compile(f, &flow.CompileOptions{Validated: true, URLPrefix: a.opts.URLPrefix}); err != nil {
		errs = append(errs, err)
	}
	if compiled != nil && az != nil {
		fetchers, fetchWarning, fetchErr := a.fetchers(compiled)
		if err := errors.Join(checkAgreement(compiled, az), fetchErr); err != nil {
			errs = append(errs, err)
		} else {
			cfg = &config{flow: compiled, authz: az, pins: pins, fetchers: fetchers, loaded: time.Now()}
			for _, p := range problems.Warnings() {
				cfg.warnings = append(cfg.warnings, p.String())
			}
			if fetchWarning != "" {
				cfg.warnings = append(cfg.warnings, fetchWarning)
			}
			if w := a.pinWarning(compiled); w != "" {
				cfg.warnings = append(cfg.warnings, w)
			}
		}
	}
	creds = slices.Clone(a.opts.Policies)
	for _, src := range a.opts.Credentials {
		p, err := src.LoadCredentials(ctx)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		creds = append(creds, p)
	}
	return cfg, creds, errors.Join(errs...)
}

// logWarnings logs each warning of a configuration that loaded (a missing translation, an
// unreachable menu), one line each, at most maxReportedProblems of them and then how many more.
func (a *App) logWarnings(ws []string) {
	for i, w := range ws {
		if i == maxReportedProblems {
			a.log.Warn("more warnings not logged; switchboard validate lists them all", "not_logged", len(ws)-i)
			return
		}
		a.log.Warn(w)
	}
}

// maxReportedProblems bounds the problems /readyz and the reload log line repeat; the error
// Reload returns holds them all.
const maxReportedProblems = 20

// problemLines returns the problems of a joined error, one a line, at most max of them and a
// last line that counts the rest.
func problemLines(err error, max int) []string {
	var out []string
	errs := joined.Split(err)
	for i, e := range errs {
		if i == max {
			out = append(out, fmt.Sprintf("and %d more problems", len(errs)-max))
			break
		}
		out = append(out, e.Error())
	}
	return out
}

// checkAgreement refuses a flow whose every voice route the policy refuses to Twilio: every call
// would hear the forbidden flow.
func checkAgreement(f *flow.Compiled, az *authz.Authorizer) error {
	twilio := principals.NewSet(principals.Everyone, principals.Authenticated, principals.Twilio).Names()
	for _, r := range f.Routes() {
		if az.Decide(twilio, r.Path, r.Permission).Allowed {
			return nil
		}
	}
	start := f.Route(f.Start())
	perm := "view"
	if start != nil {
		perm = start.Permission
	}
	return errors.New("the flow and the policy disagree: the policy refuses every voice route to a verified Twilio request, so every call would hear the forbidden flow; " +
		fmt.Sprintf("grant it, for example: p, twilio, %s/*, %s, allow", f.BasePath(), perm))
}
