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

	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/outbound"
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
	// TwilioHTTP sends the REST API's requests. Optional; outbound's default, a client with an
	// 8 s timeout.
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
	// The handler behind POST /calls is the library's, the same one `switchboard serve` mounts.
	if _, err := outbound.Register(app, &outbound.Options{
		AccountSID: cfg.AccountSID,
		AuthToken:  cfg.Token,
		From:       cfg.CallerID,
		PublicURL:  cfg.PublicURL,
		HTTPClient: cfg.TwilioHTTP,
		Logger:     cfg.Logger,
	}); err != nil {
		return nil, err
	}
	return app, nil
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
