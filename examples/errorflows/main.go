// Command errorflows shows error call flows: what a caller hears, instead of Twilio's "an
// application error has occurred", when a request is unauthenticated (its signature did not
// verify), forbidden (the policy refuses a verified caller), not found, or fails. flow.yaml sets
// them for the whole flow, in Spanish for the /ivr/es prefix, and for the staff menu alone.
//
// Besides the flow it serves a balance line computed per call: /ivr/balance and, in Spanish,
// /ivr/es/saldo (point a second Twilio number's webhook at one of them). When the ledger behind
// them fails, the caller hears the internal error flow of the route's prefix.
//
// Environment:
//
//	TWILIO_AUTH_TOKEN            Required: the account's auth token, which signatures are checked with.
//	TWILIO_AUTH_TOKEN_SECONDARY  Optional: the secondary token, while tokens rotate.
//	SWITCHBOARD_PUBLIC_URL       Optional: the scheme and host Twilio calls, such as https://ivr.example.com.
//	SWITCHBOARD_FLOW             Optional: the flow file; default flow.yaml.
//	SWITCHBOARD_POLICY           Optional: the policy file; default policy.csv.
//	SWITCHBOARD_PINS             Optional: the PIN secrets file with the balance line's "customer" PIN
//	                             (switchboard key --pin --name customer); without it only callers
//	                             whose carrier vouches for their number hear their balance.
//	LEDGER_DOWN                  Optional: "true" makes the demo ledger fail, to hear the internal flow.
//	ADDR                         Optional: the address to listen on; default 127.0.0.1:$PORT, this machine
//	                             only. ADDR=:8080 listens on every interface (a container, behind a proxy).
//	PORT                         Optional: the port of the default ADDR; default 8080.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/twiml"
)

// Ledger looks up the balance of the account that owns a phone number. ok is false when no
// account has the number; an error means the ledger could not answer.
type Ledger interface {
	Balance(ctx context.Context, number string) (cents int64, ok bool, err error)
}

// config is what the example reads from its environment.
type config struct {
	FlowFile   string              // Required.
	PolicyFile string              // Required.
	Tokens     []principals.Secret // Required: primary token first.
	Ledger     Ledger              // Required.
	PublicURL  string              // Optional; the URL is rebuilt from each request when empty.
	PINs       framework.PINSource // Optional; the customer PIN of the balance line (SWITCHBOARD_PINS).
	Logger     *slog.Logger        // Optional; slog.Default().
}

func configFromEnv(getenv func(string) string) (config, error) {
	cfg := config{
		FlowFile:   or(getenv("SWITCHBOARD_FLOW"), "flow.yaml"),
		PolicyFile: or(getenv("SWITCHBOARD_POLICY"), "policy.csv"),
		PublicURL:  getenv("SWITCHBOARD_PUBLIC_URL"),
		Ledger:     demoLedger{down: getenv("LEDGER_DOWN") == "true"},
	}
	if p := getenv("SWITCHBOARD_PINS"); p != "" {
		cfg.PINs = framework.PINFile(p)
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

// newApp builds the handler without listening, so tests can drive it.
func newApp(cfg config) (*framework.App, error) {
	tw, err := principals.NewTwilio(principals.TwilioOptions{Tokens: cfg.Tokens, PublicURL: cfg.PublicURL})
	if err != nil {
		return nil, err
	}
	app, err := framework.New(&framework.Options{
		Flow:     framework.File(cfg.FlowFile),
		PINs:     cfg.PINs,
		Policy:   framework.File(cfg.PolicyFile),
		Policies: []principals.Policy{tw},
		Logger:   cfg.Logger,
	})
	if err != nil {
		return nil, err
	}
	if err := addBalanceLines(app, cfg.Ledger); err != nil {
		return nil, err
	}
	return app, nil
}

// addBalanceLines adds the balance lines the menus redirect to, in English and in Spanish.
func addBalanceLines(app *framework.App, ledger Ledger) error {
	// "balance", not "view": the policy grants it only to a proven number (see policy.csv).
	if err := app.Voice(http.MethodPost, "/ivr/balance", "balance", balance(ledger, english)); err != nil {
		return err
	}
	return app.Voice(http.MethodPost, "/ivr/es/saldo", "balance", balance(ledger, spanish))
}

// language is what the balance line says, in one language.
type language struct {
	voice, tag string
	balance    string // a format for dollars and cents
	noAccount  string
	menu       string // where the call continues
}

var (
	english = language{voice: "Polly.Joanna", tag: "en-US", menu: "/ivr/welcome",
		balance: "Your balance is $%d.%02d.", noAccount: "We could not find an account for this number."}
	spanish = language{voice: "Polly.Mia", tag: "es-MX", menu: "/ivr/es/menu",
		balance: "Su saldo es de $%d.%02d.", noAccount: "No encontramos una cuenta para este número."}
)

// balance answers the balance line: the caller's number comes from the verified principals, never
// from the unsigned form. A ledger failure is returned as is: the framework answers it with the
// internal error flow of the route's prefix and logs the cause, which the caller never hears.
func balance(ledger Ledger, lang language) func(r *http.Request) (twiml.Response, error) {
	return func(r *http.Request) (twiml.Response, error) {
		number := callerOf(r.Context())
		text := lang.noAccount
		if number != "" {
			cents, ok, err := ledger.Balance(r.Context(), number)
			if err != nil {
				return twiml.Response{}, &framework.Error{Op: "ledger balance", Kind: framework.KindInternal, Err: err}
			}
			if ok {
				text = fmt.Sprintf(lang.balance, cents/100, cents%100)
			}
		}
		return twiml.Response{Verbs: []twiml.Verb{
			twiml.Say{Text: text, Voice: lang.voice, Language: lang.tag},
			twiml.Redirect{URL: lang.menu},
		}}, nil
	}
}

// callerOf returns the verified caller's number, or "".
func callerOf(ctx context.Context) string {
	set, _ := principals.FromContext(ctx)
	for _, name := range set.Names() {
		if n, ok := strings.CutPrefix(name, principals.CallerPrefix); ok && strings.HasPrefix(n, "+") {
			return n // caller:anonymous and caller:sip:… name no account
		}
	}
	return ""
}

// demoLedger knows one account, and fails every lookup when down.
type demoLedger struct{ down bool }

func (l demoLedger) Balance(_ context.Context, number string) (int64, bool, error) {
	if l.down {
		return 0, false, errors.New("ledger unavailable")
	}
	if number == "+15555550142" {
		return 12345, true, nil
	}
	return 0, false, nil
}

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, log); err != nil {
		log.Error("errorflows stopped", "error", err)
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
