// Command gocode serves a phone menu built in Go, with no YAML: the flow is a flow.Flow value,
// checked by Validate and compiled when the App is built, and authorized by Switchboard's default
// policy (policy.csv at the repository root, embedded).
//
// Environment:
//
//	TWILIO_AUTH_TOKEN            Required: the account's auth token, which signatures are checked with.
//	TWILIO_AUTH_TOKEN_SECONDARY  Optional: the secondary token, while tokens rotate.
//	SWITCHBOARD_PUBLIC_URL       Optional: the scheme and host Twilio calls, such as https://ivr.example.com.
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
	"github.com/switchboard-ivr/switchboard/framework/flow"
	"github.com/switchboard-ivr/switchboard/principals"
)

// say is one spoken prompt.
func say(text string) flow.Prompts { return flow.Prompts{{Say: text}} }

// acmeFlow returns the phone menu: a welcome menu with sales (open on weekdays, else
// voicemail), support, a staff-only menu and the call center, with its own error flows.
// It builds a new value each time, so callers may change it.
func acmeFlow() *flow.Flow {
	return &flow.Flow{
		Version:    1,
		BasePath:   "/ivr",
		CallCenter: "+15555550100",
		Defaults:   flow.Defaults{Voice: "Polly.Joanna", Language: "en-US", Timeout: 5, MaxInvalid: 2, MaxNoInput: 2},
		Start:      "welcome",
		Navigation: flow.Navigation{Repeat: "*", Main: "9"},
		Menus: map[string]*flow.Node{
			"welcome": {Action: flow.Action{
				Say: say("Thanks for calling Acme."),
				Do: &flow.Gather{
					Prompt: say("For sales, press 1. For support, press 2. Staff, press 6. To speak with someone, press 0."),
					Options: map[string]flow.Action{
						"1": {Do: flow.Goto("sales")},
						"2": {Do: flow.Goto("support")},
						"6": {Do: flow.Goto("staff")},
						"0": {Say: say("Connecting you now."), Do: &flow.Dial{Number: flow.CallCenter}},
					},
					Invalid:   say("Sorry, that is not an option."),
					NoInput:   say("We did not hear your choice."),
					Exhausted: &flow.Action{Say: say("Let me connect you with someone who can help."), Do: &flow.Dial{Number: flow.CallCenter}},
				},
			}},
			"sales": {
				Hours: &flow.Hours{
					Timezone: "America/New_York",
					Weekly:   []string{"Mon-Fri 09:00-17:00"},
					Closed:   &flow.Action{Say: say("Sales is closed right now."), Do: flow.Goto("voicemail")},
				},
				Action: flow.Action{
					Say: say("Connecting you to sales."),
					Do:  &flow.Dial{Number: "+15555550111", Timeout: 20, NoAnswer: &flow.Action{Do: flow.Goto("voicemail")}},
				},
			},
			"support": {Action: flow.Action{
				Say: flow.Prompts{{Say: "Connecting you to support."}, {Pause: 1}},
				Do:  &flow.Dial{Number: "+15555550112"},
			}},
			"voicemail": {Action: flow.Action{
				Say: say("Please leave a message after the tone."),
				Do:  &flow.Record{MaxLength: 120, Transcribe: true, Then: &flow.Action{Do: flow.Goto("goodbye")}},
			}},
			"goodbye": {Action: flow.Action{
				Say: say("Thank you for calling Acme. Goodbye."),
				Do:  flow.Hangup{},
			}},
			"staff": {
				Permission: "staff_login", // the default policy grants it to staff numbers their carrier vouches for (caller-attested:)
				Sensitive:  true,
				Action: flow.Action{Do: &flow.Gather{
					Prompt:    say("Staff line. Enter the four digit extension."),
					NumDigits: 4,
					Options: map[string]flow.Action{
						"0101": {Do: &flow.Dial{Number: "+15555550121"}},
					},
					Exhausted: &flow.Action{Do: flow.Goto("welcome")},
				}},
				Errors: &flow.ErrorFlows{
					Forbidden: &flow.Action{Say: say("This line is for Acme staff only."), Do: &flow.Dial{Number: flow.CallCenter}},
				},
			},
		},
		Errors: flow.ErrorFlows{
			Forbidden: &flow.Action{Say: say("We could not verify this call."), Do: flow.Hangup{}},
			Denied:    &flow.Action{Say: say("This number cannot call this line."), Do: flow.Hangup{}},
			NotFound:  &flow.Action{Say: say("That option is not available."), Do: flow.Goto("welcome")},
		},
	}
}

// config is what the example reads from its environment.
type config struct {
	Flow      *flow.Flow          // Required.
	Tokens    []principals.Secret // Required: primary token first.
	PublicURL string              // Optional; the URL is rebuilt from each request when empty.
	Logger    *slog.Logger        // Optional; slog.Default().
	Now       func() time.Time    // Optional; time.Now. The clock business hours are decided on.
}

func configFromEnv(getenv func(string) string) (config, error) {
	cfg := config{Flow: acmeFlow(), PublicURL: getenv("SWITCHBOARD_PUBLIC_URL")}
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

// newApp validates and compiles cfg.Flow and returns the handler that serves it, without
// listening, so tests can drive it.
func newApp(cfg config) (*framework.App, error) {
	tw, err := principals.NewTwilio(principals.TwilioOptions{Tokens: cfg.Tokens, PublicURL: cfg.PublicURL})
	if err != nil {
		return nil, err
	}
	return framework.New(&framework.Options{
		Flow:     framework.Value(cfg.Flow), // New validates it against the policy and reports every problem at once
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
		log.Error("gocode stopped", "error", err)
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
