package outbound

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	twclient "github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/switchboard-ivr/switchboard/dialallow"
	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/framework/flow"
	"github.com/switchboard-ivr/switchboard/principals"
)

// Path and Permission are where Register mounts the handler and what the policy must grant.
const (
	Path       = "/calls"
	Permission = "call"
)

// Options configure a [Handler]. Credentials: AuthToken, or APIKey with APISecret (Twilio's
// recommended REST credentials; the auth token then only checks webhook signatures).
type Options struct {
	AccountSID string            // Required: the account that places calls (AC…).
	AuthToken  principals.Secret // Required unless APIKey is set.
	APIKey     string            // Optional: an API key SID (SK…), with APISecret.
	APISecret  principals.Secret // Required with APIKey.
	From       string            // Required: the Twilio number calls come from, E.164.
	PublicURL  string            // Required: the scheme and host Twilio reaches this server at, such as https://ivr.example.com.
	// Allow is the server's destination allowlist for the numbers calls go to. A number must pass
	// it and the dial_allow of the flow in force (each refusing premium-rate prefixes it does not
	// name). Optional; the zero List refuses only premium-rate prefixes.
	Allow dialallow.List
	// MaxCallSeconds is sent as the call's TimeLimit, or the flow's max_call_seconds when that is
	// lower. Optional; with neither, Twilio's 4 hours.
	MaxCallSeconds int
	// PerKey and PerDestination bound how many calls one principal (an API key) may start and
	// one number may receive. Optional; default 10 a minute per key, 3 an hour per number.
	PerKey, PerDestination *Rate
	// Shared keeps the rate limits' buckets where every replica of the line counts against the
	// same ones (serve: redisstate with --state-redis). Optional; nil counts in this process.
	// While it fails, each process counts on its own.
	Shared RateStore
	// BaseURL replaces https://api.twilio.com (and every *.twilio.com host) in REST requests,
	// for a stand-in server in tests. Optional.
	BaseURL string
	// HTTPClient sends the REST requests. Optional; a client with an 8 s timeout (twilio-go
	// passes no context, so the timeout is what bounds a stalled API call).
	HTTPClient *http.Client
	Logger     *slog.Logger // Optional; slog.Default().
	// LogNumbers logs destinations in full. Optional; masked by default.
	LogNumbers bool
}

// Request is the JSON body of POST /calls.
type Request struct {
	To   string `json:"to"`   // Required, E.164, allowed by Options.Allow.
	Menu string `json:"menu"` // Required: the flow's start menu or one of its entries, such as "reminder".
	// Language is the language the call starts in, one the flow declares (languages.default or
	// others), such as "es-MX". Optional; by default the one languages.by_called gives the
	// number called, else the flow's default, as for a call that comes in.
	Language string `json:"language,omitempty"`
}

// Response is the JSON answer (201 Created) to a call Twilio accepted.
type Response struct {
	SID    string `json:"sid"`    // the call's SID (CA…)
	Status string `json:"status"` // Twilio's status, usually "queued"
	To     string `json:"to"`
	URL    string `json:"url"` // the menu URL Twilio fetches when the callee answers
}

// Handler serves POST /calls. The framework has already authorized the request (permission
// "call"); the handler checks the body, the allowlist and the rate limits, and asks Twilio to
// place the call. Every refusal is an RFC 9457 problem written by framework.WriteError.
type Handler struct {
	app       *framework.App
	calls     *api.ApiService
	from      string
	publicURL string
	allow     dialallow.List
	maxSecs   int
	perKey    *limits
	perDest   *limits
	met       *metrics
	log       *slog.Logger
	mask      func(string) string
}

// New checks opts and returns the handler for app's flow.
func New(app *framework.App, opts *Options) (*Handler, error) {
	if opts == nil {
		opts = &Options{}
	}
	var errs []error
	if !strings.HasPrefix(opts.AccountSID, "AC") {
		errs = append(errs, errors.New("outbound: AccountSID must be the account's SID (AC…)"))
	}
	user, pass := opts.AccountSID, opts.AuthToken
	if opts.APIKey != "" {
		if !strings.HasPrefix(opts.APIKey, "SK") || opts.APISecret.IsZero() {
			errs = append(errs, errors.New("outbound: APIKey must be an API key SID (SK…) with its APISecret"))
		}
		user, pass = opts.APIKey, opts.APISecret
	} else if opts.AuthToken.IsZero() {
		errs = append(errs, errors.New("outbound: set AuthToken, or APIKey and APISecret, to call Twilio's REST API"))
	}
	if !principals.IsE164(opts.From) {
		errs = append(errs, fmt.Errorf("outbound: From must be the E.164 Twilio number calls come from, not %q", opts.From))
	}
	pub := strings.TrimSuffix(opts.PublicURL, "/")
	if u, err := url.Parse(pub); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("outbound: PublicURL must be the absolute URL Twilio reaches this server at, not %q", opts.PublicURL))
	}
	if opts.MaxCallSeconds < 0 || opts.MaxCallSeconds > 14400 {
		errs = append(errs, fmt.Errorf("outbound: MaxCallSeconds must be 0 to 14400, not %d", opts.MaxCallSeconds))
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 8 * time.Second}
	}
	if opts.BaseURL != "" {
		u, err := url.Parse(opts.BaseURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("outbound: BaseURL must be an absolute http(s) URL, not %q", opts.BaseURL))
		} else {
			next := hc.Transport
			if next == nil {
				next = http.DefaultTransport
			}
			hc = &http.Client{Timeout: hc.Timeout, Transport: rebase{to: u, next: next}}
		}
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	perKey, err := newLimits("calls:key:", opts.PerKey, Rate{Calls: 10, Per: time.Minute}, maxKeys, opts.Shared, log)
	errs = append(errs, err)
	perDest, err := newLimits("calls:to:", opts.PerDestination, Rate{Calls: 3, Per: time.Hour}, maxDestinations, opts.Shared, log)
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	rest := &twclient.Client{Credentials: twclient.NewCredentials(user, pass.Reveal()), HTTPClient: hc}
	rest.SetAccountSid(opts.AccountSID)
	mask := principals.MaskNumber
	if opts.LogNumbers {
		mask = func(s string) string { return s }
	}
	return &Handler{
		app:       app,
		calls:     api.NewApiServiceWithClient(rest), // the 2010 API alone: twilio.NewRestClient links in every Twilio API
		from:      opts.From,
		publicURL: pub,
		allow:     opts.Allow,
		maxSecs:   opts.MaxCallSeconds,
		perKey:    perKey,
		perDest:   perDest,
		met:       newMetrics(),
		log:       log,
		mask:      mask,
	}, nil
}

// Register mounts a new Handler at POST /calls with permission "call", and adds its series
// (switchboard_outbound_calls_total{outcome}) to app's /metrics.
func Register(app *framework.App, opts *Options) (*Handler, error) {
	h, err := New(app, opts)
	if err != nil {
		return nil, err
	}
	if err := app.Handle(http.MethodPost, Path, Permission, h); err != nil {
		return nil, err
	}
	if err := app.RegisterMetrics(h.met.collectors()...); err != nil {
		return nil, err
	}
	return h, nil
}

// ServeHTTP starts one call: to a number both allowlists admit (Options.Allow and the flow's
// dial_allow), into the flow's start menu or one of its entries, within the rate limits, with
// the flow's max_call_seconds as TimeLimit and, when the flow asks for status callbacks, a
// StatusCallback to /callbacks/status.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req Request
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		h.refuse(w, BadRequest, framework.KindBadRequest, `the body must be JSON {"to": "+E164", "menu": "name", "language": "optional tag"}: `+err.Error())
		return
	}
	if dec.More() {
		h.refuse(w, BadRequest, framework.KindBadRequest, "the body must hold one JSON object")
		return
	}
	if !principals.IsE164(req.To) {
		h.refuse(w, BadRequest, framework.KindBadRequest, "to must be an E.164 number such as +15555550142")
		return
	}
	f := h.app.Flow() // the flow in force now, reloads included
	for _, list := range []struct {
		name string
		l    dialallow.List
	}{{"the server's dial allowlist", h.allow}, {"the flow's dial_allow", f.DialAllow()}} {
		if err := list.l.Check(req.To); err != nil {
			h.log.Warn("outbound call refused by "+list.name, "to", h.mask(req.To), "menu", req.Menu)
			h.refuse(w, NotAllowed, framework.KindBadRequest, "to: refused by "+list.name+": "+strings.Replace(err.Error(), req.To, "the number", 1))
			return
		}
	}
	if req.Menu == "" || !slices.Contains(f.Entries(), req.Menu) {
		h.refuse(w, BadRequest, framework.KindBadRequest, fmt.Sprintf("menu: %q is not where a call may enter the flow: name its start menu or one of its entries (%s)",
			req.Menu, strings.Join(f.Entries(), ", ")))
		return
	}
	route := f.Route(f.BasePath() + "/" + req.Menu)
	if route == nil {
		h.refuse(w, BadRequest, framework.KindBadRequest, fmt.Sprintf("menu: no menu named %q", req.Menu))
		return
	}
	query, ok := h.languageQuery(w, f, req)
	if !ok {
		return
	}
	menuURL := h.publicURL + route.Path
	if query != "" {
		// The language is call state: sealed into the URL as the server seals it (see
		// framework.App.SealEntry), or Twilio's first request would be refused as unsealed.
		// Sealing fails only on a key or limit problem, never on a request that got this far.
		sealed, err := h.app.SealEntry(req.To, route.Path, query, time.Now())
		if err != nil {
			h.log.Error("the call's language could not be sealed into its URL", "to", h.mask(req.To), "menu", req.Menu, "error", err)
			h.refuse(w, BadRequest, framework.KindInternal, "the call's language could not be sealed into its URL")
			return
		}
		menuURL += "?" + sealed
	}
	set, _ := principals.FromContext(r.Context())
	if !h.perKey.allow(who(set)) {
		h.refuse(w, RateLimited, framework.KindRateLimited, "this key started too many calls; try again later")
		return
	}
	if !h.perDest.allow(req.To) {
		h.refuse(w, RateLimited, framework.KindRateLimited, "this number was called too often; try again later")
		return
	}
	params := (&api.CreateCallParams{}).SetTo(req.To).SetFrom(h.from).SetUrl(menuURL).SetMethod(http.MethodPost)
	if limit := callLimit(h.maxSecs, f.MaxCallSeconds()); limit > 0 {
		params.SetTimeLimit(limit)
	}
	if f.Callbacks().Status {
		params.SetStatusCallback(h.publicURL + flow.CallbackPath + "/status").SetStatusCallbackMethod(http.MethodPost).
			SetStatusCallbackEvent(strings.Fields(flow.StatusEvents))
	}
	call, err := h.calls.CreateCall(params)
	if err != nil {
		detail := "Twilio did not accept the call"
		var te *twclient.TwilioRestError
		if errors.As(err, &te) { // its message may quote the number: the operator sees it, the log does not
			detail = fmt.Sprintf("Twilio refused the call: error %d: %s", te.Code, te.Message)
			h.log.Error("Twilio refused the call", "to", h.mask(req.To), "menu", req.Menu, "code", te.Code, "status", te.Status, "more_info", te.MoreInfo)
		} else {
			h.log.Error("Twilio could not be reached", "to", h.mask(req.To), "menu", req.Menu, "error", err)
		}
		h.met.count(Upstream)
		framework.WriteError(w, &framework.Error{Op: "create call", Kind: framework.KindUpstream, Err: errors.New(detail)})
		return
	}
	resp := Response{SID: deref(call.Sid), Status: deref(call.Status), To: req.To, URL: menuURL}
	h.met.count(Started)
	h.log.Info("call started", "call_sid", resp.SID, "to", h.mask(req.To), "menu", req.Menu, "by", set.Masked())
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(resp)
}

// languageQuery checks the request's language against the flow's and returns the query that
// makes the call enter in it (flow.LanguageParam), "" when the call would speak it anyway (the
// language by_called gives the number, else the default). A language the flow does not declare
// is refused with a 400 problem naming the ones it does; ok is false then.
func (h *Handler) languageQuery(w http.ResponseWriter, f *flow.Compiled, req Request) (query string, ok bool) {
	if req.Language == "" {
		return "", true
	}
	langs := f.Languages()
	if !slices.Contains(langs, req.Language) {
		declared := "it declares none (languages:)"
		if len(langs) > 0 && langs[0] != "" {
			declared = "name one it declares (" + strings.Join(langs, ", ") + ")"
		}
		h.refuse(w, BadRequest, framework.KindBadRequest, fmt.Sprintf("language: %q is not a language of the flow: %s", req.Language, declared))
		return "", false
	}
	if f.InLanguage(f.CallLanguage("", req.To)).Language() == req.Language {
		return "", true
	}
	return flow.LanguageParam + "=" + req.Language, true
}

// callLimit is the lower of two time limits, 0 meaning none.
func callLimit(a, b int) int {
	if a == 0 || (b > 0 && b < a) {
		return b
	}
	return a
}

// who names the principal a per-key limit counts against: its API key, else every name it holds.
func who(set principals.Set) string {
	for _, n := range set.Names() {
		if strings.HasPrefix(n, principals.KeyPrefix) {
			return n
		}
	}
	return set.String()
}

// refuse counts a refusal under outcome and answers it as a problem of kind.
func (h *Handler) refuse(w http.ResponseWriter, outcome Outcome, kind framework.Kind, detail string) {
	h.met.count(outcome)
	framework.WriteError(w, &framework.Error{Op: "start call", Kind: kind, Err: errors.New(detail)})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// rebase sends twilio-go's requests for https://*.twilio.com to another base URL.
type rebase struct {
	to   *url.URL
	next http.RoundTripper
}

func (rt rebase) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme != "https" || !strings.HasSuffix(r.URL.Host, ".twilio.com") {
		return nil, fmt.Errorf("outbound: twilio-go called %s, not an https Twilio API", r.URL.Redacted())
	}
	r = r.Clone(r.Context())
	r.Host = r.URL.Host
	r.URL.Scheme, r.URL.Host = rt.to.Scheme, rt.to.Host
	r.URL.Path = strings.TrimSuffix(rt.to.Path, "/") + r.URL.Path
	return rt.next.RoundTrip(r)
}
