// Command balance serves an account balance line, declared entirely in flow.yaml: a PIN (the
// flow's pin step), then the balance, fetched from the bank's backend (the balance menu's fetch)
// and spoken ("Your balance is $42.10."), then a switch on it as a number: an overdrawn caller
// goes to billing, anyone else hears goodbye.
//
// The backend receives a JSON POST of the call (call_sid, from, to), signed the way Twilio signs
// webhooks under SWITCHBOARD_BACKEND_KEY (package backend), and answers {"balance": 42.10}. When
// it fails — no answer within 3 s, an error status, an answer that is not such an object — the
// caller hears that the balance is not available and goes back to the menu (the fetch's
// on_error).
//
// Environment:
//
//	TWILIO_AUTH_TOKEN        Required: the account's auth token, which signatures are checked with.
//	SWITCHBOARD_BACKEND_URL  Required: the backend's URL, such as https://bank.example.com/ivr/balance (flow.yaml names it).
//	SWITCHBOARD_BACKEND_KEY  Required: the key backend requests are signed with (share it with the backend).
//	SWITCHBOARD_STATE_KEY    Required: 64 hex digits (openssl rand -hex 32): seals the PIN's grant and the balance into the call's URLs.
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
	"os"
	"os/signal"
	"syscall"

	"github.com/switchboard-ivr/switchboard/callstate"
	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/principals"
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
	Logger     *slog.Logger      // Optional; slog.Default().
	// Getenv reads the environment variables flow.yaml names (its backend's URL).
	Getenv func(string) string
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
		Getenv:     getenv,
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
	app, err := framework.New(&framework.Options{
		Flow:       framework.File(cfg.FlowFile),
		Policy:     framework.File(cfg.PolicyFile),
		PINs:       framework.PINFile(cfg.PINsFile),
		State:      sealer,
		Policies:   []principals.Policy{tw},
		Logger:     cfg.Logger,
		BackendKey: cfg.BackendKey,
		Env:        cfg.Getenv,
	})
	if err != nil {
		return nil, err
	}
	return app, nil
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
