// Command balance serves an account balance line: a PIN (the flow's pin step), then the
// balance, fetched from the bank's backend and spoken ("Your balance is $42.10."), then a
// branch on it: an overdrawn caller goes to billing, anyone else hears goodbye.
//
// The backend receives a JSON POST of the call (call_sid, from, to), signed the way Twilio signs
// webhooks under SWITCHBOARD_BACKEND_KEY (package backend), and answers {"balance": 42.10}. When
// it fails — no answer within 3 s, an error status, an answer that is not such an object — the
// caller hears that the balance is not available and is offered the call center.
//
// Environment:
//
//	TWILIO_AUTH_TOKEN        Required: the account's auth token, which signatures are checked with.
//	SWITCHBOARD_BACKEND_URL  Required: the backend's URL, such as https://bank.example.com/ivr/balance.
//	SWITCHBOARD_BACKEND_KEY  Required: the key backend requests are signed with (share it with the backend).
//	SWITCHBOARD_STATE_KEY    Required: 64 hex digits (openssl rand -hex 32): seals the PIN's grant into the call's URLs.
//	SWITCHBOARD_PINS         Optional: the PIN secrets file (switchboard key --pin --name account); default pins.
//	SWITCHBOARD_PUBLIC_URL   Optional: the scheme and host Twilio calls, such as https://ivr.example.com.
//	ADDR                     Optional: the address to listen on; default 127.0.0.1:$PORT, this machine only.
//	PORT                     Optional: the port of the default ADDR; default 8080.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/switchboard-ivr/switchboard/backend"
	"github.com/switchboard-ivr/switchboard/callstate"
	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/prompttext"
	"github.com/switchboard-ivr/switchboard/twiml"
)

// config is what the example reads from its environment.
type config struct {
	Token      principals.Secret // Required.
	BackendURL string            // Required.
	BackendKey principals.Secret // Required.
	StateKey   string            // Required: 64 hex digits.
	PINsFile   string            // Required.
	PublicURL  string            // Optional.
	FlowFile   string            // Required.
	PolicyFile string            // Required.
	Timeout    time.Duration     // Optional; backend.DefaultTimeout.
	Logger     *slog.Logger      // Optional; slog.Default().
}

func configFromEnv(getenv func(string) string) (config, error) {
	cfg := config{
		Token:      principals.NewSecret(getenv("TWILIO_AUTH_TOKEN")),
		BackendURL: getenv("SWITCHBOARD_BACKEND_URL"),
		BackendKey: principals.NewSecret(getenv("SWITCHBOARD_BACKEND_KEY")),
		StateKey:   getenv("SWITCHBOARD_STATE_KEY"),
		PINsFile:   or(getenv("SWITCHBOARD_PINS"), "pins"),
		PublicURL:  getenv("SWITCHBOARD_PUBLIC_URL"),
		FlowFile:   "flow.yaml",
		PolicyFile: "policy.csv",
	}
	var errs []error
	for _, v := range []struct {
		name string
		set  bool
	}{
		{"TWILIO_AUTH_TOKEN", !cfg.Token.IsZero()},
		{"SWITCHBOARD_BACKEND_URL", cfg.BackendURL != ""},
		{"SWITCHBOARD_BACKEND_KEY", !cfg.BackendKey.IsZero()},
		{"SWITCHBOARD_STATE_KEY", cfg.StateKey != ""},
	} {
		if !v.set {
			errs = append(errs, fmt.Errorf("%s must be set", v.name))
		}
	}
	return cfg, errors.Join(errs...)
}

// The balance route's prompts. Only the balance sentence has a variable; the rest are plain.
var (
	balanceText = must(prompttext.Parse("balance", "Your balance is {{ money .balance }}."))
	unavailable = "We cannot reach your account right now."
)

func must(t *prompttext.Template, err error) *prompttext.Template {
	if err != nil {
		panic(err) // a constant template that does not parse is a bug in this file
	}
	return t
}

// newApp builds the handler without listening, so tests can drive it.
func newApp(cfg config) (*framework.App, error) {
	tw, err := principals.NewTwilio(principals.TwilioOptions{Tokens: []principals.Secret{cfg.Token}, PublicURL: cfg.PublicURL})
	if err != nil {
		return nil, err
	}
	key, err := callstate.ParseKey(cfg.StateKey)
	if err != nil {
		return nil, fmt.Errorf("SWITCHBOARD_STATE_KEY: %w", err)
	}
	sealer, err := callstate.New(key, nil)
	if err != nil {
		return nil, err
	}
	bank, err := backend.New(backend.Options{URL: cfg.BackendURL, Key: cfg.BackendKey, Timeout: cfg.Timeout})
	if err != nil {
		return nil, err
	}
	app, err := framework.New(&framework.Options{
		Flow:     framework.File(cfg.FlowFile),
		Policy:   framework.File(cfg.PolicyFile),
		PINs:     framework.PINFile(cfg.PINsFile),
		State:    sealer,
		Policies: []principals.Policy{tw},
		Logger:   cfg.Logger,
	})
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	// /ivr/balance asks for "account", which only a call that entered the PIN holds.
	err = app.Voice(http.MethodPost, "/ivr/balance", "account", func(r *http.Request) (twiml.Response, error) {
		return balance(r, bank, log), nil
	})
	return app, err
}

// balance fetches the caller's balance and says it; an overdrawn caller then goes to billing.
// A failing backend is the on_error branch: say so and offer the call center.
func balance(r *http.Request, bank *backend.Backend, log *slog.Logger) twiml.Response {
	call := backend.Call{CallSID: r.FormValue("CallSid"), From: r.FormValue("From"), To: r.FormValue("To")}
	vars, err := bank.Fetch(r.Context(), call)
	var text string
	if err == nil {
		text, err = balanceText.Render(vars)
	}
	if err != nil {
		log.Warn("balance unavailable", "call_sid", call.CallSID, "error", err)
		return twiml.Response{Verbs: []twiml.Verb{
			twiml.Say{Text: unavailable},
			twiml.Redirect{URL: "/ivr/welcome"},
		}}
	}
	verbs := []twiml.Verb{twiml.Say{Text: text}}
	// A switch on a number compares numbers: "-0.5" < 0, whatever its spelling.
	if amount, err := strconv.ParseFloat(vars["balance"], 64); err == nil && amount < 0 {
		verbs = append(verbs, twiml.Say{Text: "Your account is overdrawn."}, twiml.Redirect{URL: "/ivr/billing"})
	} else {
		verbs = append(verbs, twiml.Say{Text: "Thank you for banking with Acme. Goodbye."}, twiml.Hangup{})
	}
	return twiml.Response{Verbs: verbs}
}

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, log); err != nil {
		log.Error("balance stopped", "error", err)
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
	return app.ListenAndServe(ctx, or(getenv("ADDR"), "127.0.0.1:"+or(getenv("PORT"), "8080")))
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
