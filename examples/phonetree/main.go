// Command phonetree serves a multi-level phone menu declared in flow.yaml, guarded by
// policy.csv: sales and support, business hours, voicemail, a staff-only menu, Spanish prompts
// under /ivr/es and custom error flows. Both files are read from the working directory (or
// SWITCHBOARD_FLOW and SWITCHBOARD_POLICY) and reloaded when they change.
//
// Environment:
//
//	TWILIO_AUTH_TOKEN            Required: the account's auth token, which signatures are checked with.
//	TWILIO_AUTH_TOKEN_SECONDARY  Optional: the secondary token, while tokens rotate.
//	SWITCHBOARD_PUBLIC_URL       Optional: the scheme and host Twilio calls, such as https://ivr.example.com.
//	SWITCHBOARD_FLOW             Optional: the flow file; default flow.yaml.
//	SWITCHBOARD_POLICY           Optional: the policy file; default policy.csv.
//	ADDR                         Optional: the address to listen on; default 127.0.0.1:$PORT, this machine
//	                             only. ADDR=:8080 listens on every interface (a container, behind a proxy).
//	PORT                         Optional: the port of the default ADDR; default 8080.
package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/principals"
)

// config is what the example reads from its environment.
type config struct {
	FlowFile   string              // Required.
	PolicyFile string              // Required.
	Tokens     []principals.Secret // Required: primary token first.
	PublicURL  string              // Optional; the URL is rebuilt from each request when empty.
	Logger     *slog.Logger        // Optional; slog.Default().
	Now        func() time.Time    // Optional; time.Now. Tests fake the clock business hours use.
}

func configFromEnv(getenv func(string) string) (config, error) {
	cfg := config{
		FlowFile:   or(getenv("SWITCHBOARD_FLOW"), "flow.yaml"),
		PolicyFile: or(getenv("SWITCHBOARD_POLICY"), "policy.csv"),
		PublicURL:  getenv("SWITCHBOARD_PUBLIC_URL"),
	}
	for _, name := range []string{"TWILIO_AUTH_TOKEN", "TWILIO_AUTH_TOKEN_SECONDARY"} {
		if t := getenv(name); t != "" {
			cfg.Tokens = append(cfg.Tokens, principals.NewSecret(t))
		}
	}
	if len(cfg.Tokens) == 0 {
		return cfg, errors.New("TWILIO_AUTH_TOKEN is not set: set it to the account's auth token (locally, any string, passed to `switchboard simulate --token` too)")
	}
	return cfg, nil
}

// newApp builds the phone tree's handler without listening, so tests can drive it.
func newApp(cfg config) (*framework.App, error) {
	tw, err := principals.NewTwilio(principals.TwilioOptions{Tokens: cfg.Tokens, PublicURL: cfg.PublicURL})
	if err != nil {
		return nil, err
	}
	return framework.New(&framework.Options{
		Flow:     framework.File(cfg.FlowFile),
		Policy:   framework.File(cfg.PolicyFile),
		Policies: []principals.Policy{tw},
		Logger:   cfg.Logger,
		Now:      cfg.Now,
	})
}

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, log); err != nil {
		log.Error("phonetree stopped", "error", err)
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
	// Reloads flow.yaml and policy.csv when they change: edit them while it runs.
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
