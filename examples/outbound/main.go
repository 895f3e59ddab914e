// Command outbound lets an operator start a call that enters a phone menu: an API key in
// group:operators POSTs {"to": "+15555550142", "menu": "reminder"} to /calls, and the app asks
// Twilio's REST API (twilio-go) to call that number with the menu's public URL. When the callee
// answers, Twilio fetches the menu like any other webhook, signed.
//
// Environment:
//
//	TWILIO_ACCOUNT_SID      Required: the account that places calls (AC…).
//	TWILIO_AUTH_TOKEN       Required: its auth token, for the REST API and for checking signatures.
//	TWILIO_CALLER_ID        Required: the Twilio number calls come from, E.164.
//	SWITCHBOARD_PUBLIC_URL  Required: the scheme and host Twilio reaches this app at, such as https://ivr.example.com.
//	SWITCHBOARD_KEYS        Required: the operator API keys file (name, sha256:<hex>, groups; see principals.ParseAPIKeys).
//	SWITCHBOARD_FLOW        Optional: the flow file; default flow.yaml.
//	SWITCHBOARD_POLICY      Optional: the policy file; default policy.csv.
//	ADDR                    Optional: the address to listen on; default 127.0.0.1:$PORT, this machine
//	                        only. ADDR=:8080 listens on every interface (a container, behind a proxy).
//	PORT                    Optional: the port of the default ADDR; default 8080.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/twilio/twilio-go"
	twclient "github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/principals"
)

// config is what the example reads from its environment.
type config struct {
	AccountSID string            // Required.
	Token      principals.Secret // Required.
	CallerID   string            // Required, E.164.
	PublicURL  string            // Required: absolute http(s), no trailing slash.
	KeysFile   string            // Required.
	FlowFile   string            // Required.
	PolicyFile string            // Required.
	Logger     *slog.Logger      // Optional; slog.Default().
	// TwilioHTTP sends the REST API's requests. Optional; a client with a 8 s timeout (twilio-go
	// passes no context, so the timeout is what bounds a stalled API call).
	TwilioHTTP *http.Client
}

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

func configFromEnv(getenv func(string) string) (config, error) {
	cfg := config{
		AccountSID: getenv("TWILIO_ACCOUNT_SID"),
		Token:      principals.NewSecret(getenv("TWILIO_AUTH_TOKEN")),
		CallerID:   getenv("TWILIO_CALLER_ID"),
		PublicURL:  strings.TrimSuffix(getenv("SWITCHBOARD_PUBLIC_URL"), "/"),
		KeysFile:   getenv("SWITCHBOARD_KEYS"),
		FlowFile:   or(getenv("SWITCHBOARD_FLOW"), "flow.yaml"),
		PolicyFile: or(getenv("SWITCHBOARD_POLICY"), "policy.csv"),
	}
	var errs []error
	if !strings.HasPrefix(cfg.AccountSID, "AC") {
		errs = append(errs, errors.New("TWILIO_ACCOUNT_SID must be set to the account's SID (AC…)"))
	}
	if cfg.Token.IsZero() {
		errs = append(errs, errors.New("TWILIO_AUTH_TOKEN must be set to the account's auth token"))
	}
	if !e164.MatchString(cfg.CallerID) {
		errs = append(errs, fmt.Errorf("TWILIO_CALLER_ID must be the E.164 Twilio number calls come from, not %q", cfg.CallerID))
	}
	if u, err := url.Parse(cfg.PublicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("SWITCHBOARD_PUBLIC_URL must be the absolute URL Twilio reaches this app at, not %q", cfg.PublicURL))
	}
	if cfg.KeysFile == "" {
		errs = append(errs, errors.New("SWITCHBOARD_KEYS must name the operator API keys file"))
	}
	return cfg, errors.Join(errs...)
}

// newApp builds the handler without listening, so tests can drive it.
func newApp(cfg config) (*framework.App, error) {
	tw, err := principals.NewTwilio(principals.TwilioOptions{Tokens: []principals.Secret{cfg.Token}, PublicURL: cfg.PublicURL})
	if err != nil {
		return nil, err
	}
	app, err := framework.New(&framework.Options{
		Flow:        framework.File(cfg.FlowFile),
		Policy:      framework.File(cfg.PolicyFile),
		Credentials: []framework.CredentialSource{framework.APIKeysFile(cfg.KeysFile)},
		Policies:    []principals.Policy{tw},
		Logger:      cfg.Logger,
	})
	if err != nil {
		return nil, err
	}
	hc := cfg.TwilioHTTP
	if hc == nil {
		hc = &http.Client{Timeout: 8 * time.Second}
	}
	rest := &twclient.Client{Credentials: twclient.NewCredentials(cfg.AccountSID, cfg.Token.Reveal()), HTTPClient: hc}
	rest.SetAccountSid(cfg.AccountSID)
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	h := &startCall{
		app:       app,
		calls:     twilio.NewRestClientWithParams(twilio.ClientParams{Client: rest}).Api,
		from:      cfg.CallerID,
		publicURL: cfg.PublicURL,
		log:       log,
	}
	if err := app.Handle(http.MethodPost, "/calls", "call", h); err != nil {
		return nil, err
	}
	return app, nil
}

// callRequest is the body of POST /calls.
type callRequest struct {
	To   string `json:"to"`   // Required, E.164.
	Menu string `json:"menu"` // Required: a menu of the flow, such as "reminder".
}

// callResponse answers a call that Twilio accepted.
type callResponse struct {
	SID    string `json:"sid"`
	Status string `json:"status"`
	To     string `json:"to"`
	URL    string `json:"url"`
}

// startCall serves POST /calls. The framework has already authorized the request (permission
// "call"), so it only checks the body and asks Twilio to place the call.
type startCall struct {
	app       *framework.App
	calls     *api.ApiService
	from      string
	publicURL string
	log       *slog.Logger
}

func (s *startCall) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req callRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		badRequest(w, "the body must be JSON {\"to\": \"+E164\", \"menu\": \"name\"}")
		return
	}
	if dec.More() {
		badRequest(w, "the body must hold one JSON object")
		return
	}
	if !e164.MatchString(req.To) {
		badRequest(w, "to must be an E.164 number such as +15555550142")
		return
	}
	f := s.app.Flow() // the flow in force now, reloads included
	route := f.Route(f.BasePath() + "/" + req.Menu)
	if req.Menu == "" || route == nil || route.Node != req.Menu {
		badRequest(w, fmt.Sprintf("no menu named %q", req.Menu))
		return
	}
	menuURL := s.publicURL + route.Path
	params := (&api.CreateCallParams{}).SetTo(req.To).SetFrom(s.from).SetUrl(menuURL).SetMethod(http.MethodPost)
	call, err := s.calls.CreateCall(params)
	if err != nil {
		detail := "Twilio did not accept the call"
		var te *twclient.TwilioRestError
		if errors.As(err, &te) { // its message may quote the number: the operator sees it, the log does not
			detail = fmt.Sprintf("Twilio refused the call: error %d: %s", te.Code, te.Message)
			s.log.Error("Twilio refused the call", "to", principals.MaskNumber(req.To), "menu", req.Menu, "code", te.Code, "status", te.Status, "more_info", te.MoreInfo)
		} else {
			s.log.Error("Twilio could not be reached", "to", principals.MaskNumber(req.To), "menu", req.Menu, "error", err)
		}
		framework.WriteError(w, &framework.Error{Op: "create call", Kind: framework.KindUpstream, Err: errors.New(detail)})
		return
	}
	set, _ := principals.FromContext(r.Context())
	resp := callResponse{SID: deref(call.Sid), Status: deref(call.Status), To: req.To, URL: menuURL}
	s.log.Info("call started", "sid", resp.SID, "to", principals.MaskNumber(req.To), "menu", req.Menu, "by", set.Masked())
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(resp)
}

// badRequest answers 400 with detail as a JSON problem, as the framework answers its refusals.
func badRequest(w http.ResponseWriter, detail string) {
	framework.WriteError(w, &framework.Error{Op: "start call", Kind: framework.KindBadRequest, Err: errors.New(detail)})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, log); err != nil {
		log.Error("outbound stopped", "error", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, log *slog.Logger) error {
	cfg, err := configFromEnv(getenv)
	if err != nil {
		return err
	}
	cfg.Logger = log
	app, err := newApp(cfg)
	if err != nil {
		return err
	}
	log.Info("calls go out", "public_url", cfg.PublicURL, "caller_id", principals.MaskNumber(cfg.CallerID))
	// Reloads the flow, policy and keys files when they change: a new key needs no restart.
	return app.ListenAndServe(ctx, listenAddr(getenv))
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// listenAddr is ADDR, or loopback on PORT: an example run to try it out is reachable from this
// machine only, until ADDR says otherwise.
func listenAddr(getenv func(string) string) string {
	return or(getenv("ADDR"), "127.0.0.1:"+or(getenv("PORT"), "8080"))
}
