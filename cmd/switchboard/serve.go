package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/switchboard-ivr/switchboard/callstate"
	"github.com/switchboard-ivr/switchboard/console"
	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/internal/buildinfo"
	"github.com/switchboard-ivr/switchboard/internal/exepages"
	"github.com/switchboard-ivr/switchboard/outbound"
	"github.com/switchboard-ivr/switchboard/principals"
)

func init() {
	commands = append(commands, command{
		name:  "serve",
		usage: "serve [--flow FILE] [--policy FILE] [--model FILE] [--keys FILE] [--pins FILE] [--addr :8080] [--public-url URL] [--trusted-proxy CIDR]... [--allowed-host HOST]... [--basic-auth FILE] [--policy-db URL] [--state-redis URL] [--caller-id E164] [--dial-allow PATTERN]... [--twilio-api-url URL] [--callbacks log|URL]",
		run:   runServe,
	})
}

// serveConfig is everything `switchboard serve` reads from flags and the environment.
type serveConfig struct {
	flow, policy, model, keys string
	addr, publicURL           string
	trusted                   []string
	tokens                    []string
	validate                  bool
	logFormat                 string
	logLevel                  slog.Level
	logNumbers                bool
	bodyLimit                 int64
	failedAuthLimit           float64
	replay                    bool
	stateRedis                string // the Redis replicas share call state in; "" keeps it in this process
	policyDB                  string // the PostgreSQL the policy is read from; "" reads --policy
	console                   bool   // mount the console at /admin/console
	sig                       sigConfig
	calls                     callsConfig // POST /calls
	callbacks                 callbacksConfig
	stateKeys                 []string // SWITCHBOARD_STATE_KEY, then _SECONDARY
	pins                      string   // the PIN secrets file; "" for the demo's with the built-in flow
}

// env names, one per flag, documented in the README.
const (
	envFlow       = "SWITCHBOARD_FLOW"
	envPolicy     = "SWITCHBOARD_POLICY"
	envModel      = "SWITCHBOARD_MODEL"
	envKeys       = "SWITCHBOARD_KEYS"
	envAddr       = "SWITCHBOARD_ADDR"
	envPublicURL  = "SWITCHBOARD_PUBLIC_URL"
	envTrusted    = "SWITCHBOARD_TRUSTED_PROXIES"
	envLogFormat  = "SWITCHBOARD_LOG_FORMAT"
	envLogLevel   = "SWITCHBOARD_LOG_LEVEL"
	envLogNumbers = "SWITCHBOARD_LOG_NUMBERS"
	envBodyLimit  = "SWITCHBOARD_BODY_LIMIT"
	envAuthLimit  = "SWITCHBOARD_FAILED_AUTH_LIMIT"
	envReplay     = "SWITCHBOARD_REPLAY_PROTECTION"
	envConsole    = "SWITCHBOARD_CONSOLE"
	envToken      = "TWILIO_AUTH_TOKEN"
	envToken2     = "TWILIO_AUTH_TOKEN_SECONDARY"
	envValidate   = "TWILIO_VALIDATE_SIGNATURE"
	envStateKey   = "SWITCHBOARD_STATE_KEY"
	envStateRedis = "SWITCHBOARD_STATE_REDIS"
	envStateKey2  = "SWITCHBOARD_STATE_KEY_SECONDARY"
	envPINs       = "SWITCHBOARD_PINS"
)

func runServe(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseServe(args, os.Getenv, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "switchboard serve:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, cfg, stdout, stderr, nil)
}

func parseServe(args []string, getenv func(string) string, stderr io.Writer) (serveConfig, error) {
	var cfg serveConfig
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.flow, "flow", getenv(envFlow), "flow `file` (YAML); the built-in demo when empty ["+envFlow+"]")
	fs.StringVar(&cfg.policy, "policy", getenv(envPolicy), "Casbin policy `file`; the built-in policy.csv when empty ["+envPolicy+"]")
	fs.StringVar(&cfg.model, "model", getenv(envModel), "Casbin model `file`; the built-in model.conf when empty ["+envModel+"]")
	fs.StringVar(&cfg.keys, "keys", getenv(envKeys), "operator API keys `file` ["+envKeys+"]")
	fs.StringVar(&cfg.pins, "pins", getenv(envPINs), "PIN secrets `file` the flow's pin nodes check (chmod 600; lines from switchboard key --pin) ["+envPINs+"]")
	fs.StringVar(&cfg.addr, "addr", or(getenv(envAddr), ":8080"), "listen `address` ["+envAddr+"]")
	fs.StringVar(&cfg.publicURL, "public-url", getenv(envPublicURL), "the public base `URL` Twilio calls (https://ivr.example.com); signatures are checked against it ["+envPublicURL+"]")
	var trusted defaultedList
	if v := getenv(envTrusted); v != "" {
		trusted.values = strings.Split(v, ",")
	}
	fs.Var(&trusted, "trusted-proxy", "`CIDR` of a proxy whose X-Forwarded-* headers are believed; repeatable ["+envTrusted+", comma-separated]")
	fs.StringVar(&cfg.logFormat, "log-format", or(getenv(envLogFormat), "text"), "log format: text or json ["+envLogFormat+"]")
	if err := cfg.logLevel.UnmarshalText([]byte(or(getenv(envLogLevel), "info"))); err != nil {
		return cfg, fmt.Errorf("%s: %w", envLogLevel, err)
	}
	fs.TextVar(&cfg.logLevel, "log-level", cfg.logLevel, "lowest level logged: debug, info, warn or error ["+envLogLevel+"]")
	fs.BoolVar(&cfg.logNumbers, "log-numbers", getenv(envLogNumbers) == "true", "log phone numbers in full instead of masked ["+envLogNumbers+"]")
	bodyLimit, err := envInt(getenv, envBodyLimit, 64<<10)
	if err != nil {
		return cfg, err
	}
	authLimit, err := envFloat(getenv, envAuthLimit, 20)
	if err != nil {
		return cfg, err
	}
	fs.Int64Var(&cfg.bodyLimit, "body-limit", bodyLimit, "largest request body in `bytes` ["+envBodyLimit+"]")
	fs.Float64Var(&cfg.failedAuthLimit, "failed-auth-limit", authLimit, "failed-signature requests per second allowed per source address; negative turns it off ["+envAuthLimit+"]")
	fs.BoolVar(&cfg.replay, "replay-protection", getenv(envReplay) == "true", "refuse a signed request seen in the last 5 minutes ["+envReplay+"]")
	fs.StringVar(&cfg.policyDB, "policy-db", getenv(envPolicyDB), "postgres://user[:password]@host/db `URL` of the policy replicas share (see switchboard policy) ["+envPolicyDB+"]")
	fs.StringVar(&cfg.stateRedis, "state-redis", getenv(envStateRedis), "redis://[:password@]host:port/db `URL` where replicas share replay protection, the failed-auth limit and PIN lockouts ["+envStateRedis+"]")
	fs.BoolVar(&cfg.console, "console", getenv(envConsole) == "true", "serve the console at "+consolePath+", to principals the policy grants admin ["+envConsole+"]")
	cfg.sig.register(fs, getenv)
	cfg.calls.register(fs, getenv)
	cfg.callbacks.register(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if cfg.logFormat != "text" && cfg.logFormat != "json" {
		return cfg, fmt.Errorf("--log-format must be text or json, not %q", cfg.logFormat)
	}
	for _, t := range trusted.values {
		t = strings.TrimSpace(t)
		if t != "" {
			cfg.trusted = append(cfg.trusted, t)
		}
	}
	for _, name := range []string{envToken, envToken2} {
		if t := getenv(name); t != "" {
			cfg.tokens = append(cfg.tokens, t)
		}
	}
	if getenv(envStateKey) == "" && getenv(envStateKey2) != "" {
		return cfg, fmt.Errorf("%s is set without %s: the secondary key only opens state sealed before a rotation", envStateKey2, envStateKey)
	}
	for _, name := range []string{envStateKey, envStateKey2} {
		if k := getenv(name); k != "" {
			cfg.stateKeys = append(cfg.stateKeys, k)
		}
	}
	if cfg.validate, err = principals.ParseSignatureCheck(getenv(envValidate)); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// serve runs the server until ctx is done. ready, when set, receives the address it listens on.
func serve(ctx context.Context, cfg serveConfig, stdout, stderr io.Writer, ready func(addr string)) int {
	hopts := &slog.HandlerOptions{Level: cfg.logLevel}
	var h slog.Handler = slog.NewTextHandler(stderr, hopts)
	if cfg.logFormat == "json" {
		h = slog.NewJSONHandler(stderr, hopts)
	}
	var recent *console.Recent // the console's recent calls, read from the request log lines
	if cfg.console {
		recent = console.NewRecent(0)
		h = recent.Handler(h)
	}
	log := slog.New(h)
	fail := func(err error) int {
		// One line per problem: a flow with five mistakes reads as five lines, not one escaped one.
		for _, line := range strings.Split(err.Error(), "\n") {
			log.Error("refusing to start", "problem", line)
		}
		return 1
	}

	devToken := ""
	if len(cfg.tokens) == 0 && cfg.validate {
		if cfg.publicURL != "" {
			return fail(fmt.Errorf("signature validation is on and --public-url is set, so real Twilio requests are expected, but %s is empty: set it to the account's auth token", envToken))
		}
		devToken = newDevToken()
		cfg.tokens = []string{devToken}
	}
	var prefixes []netip.Prefix
	for _, t := range cfg.trusted {
		p, err := parseCIDR(t)
		if err != nil {
			return fail(fmt.Errorf("--trusted-proxy %q: %w", t, err))
		}
		prefixes = append(prefixes, p)
	}
	secrets := make([]principals.Secret, len(cfg.tokens))
	for i, t := range cfg.tokens {
		secrets[i] = principals.NewSecret(t)
	}
	shared, err := cfg.sig.shared()
	if err != nil {
		return fail(err)
	}
	// The Basic credentials file is a credential source like the keys file (read under the same
	// rules, reloaded, withdrawn when it cannot be read); the Twilio policy checks URL credentials
	// against the same users.
	var basic *principals.BasicPolicy
	if cfg.sig.basicAuth != "" {
		basic = &principals.BasicPolicy{}
	}
	tw, err := principals.NewTwilio(principals.TwilioOptions{
		Tokens:         secrets,
		PublicURL:      cfg.publicURL,
		TrustedProxies: prefixes,
		AllowedHosts:   cfg.sig.hosts(),
		SharedKeys:     shared,
		Credentials:    basic,
		MaxBody:        cfg.bodyLimit,
		Disabled:       !cfg.validate,
	})
	if err != nil {
		return fail(err)
	}
	policies := []principals.Policy{tw}
	if w := cfg.sig.unboundWarning(devToken == "" && cfg.validate, cfg.publicURL); w != "" {
		log.Warn(w)
	}
	if !cfg.validate {
		log.Warn("SIGNATURE CHECKING IS OFF (" + envValidate + "=false): anyone who can reach this server can drive your phone menus. Use it only behind a local tunnel, never in production.")
	}
	opts := fileOptions(cfg.flow, cfg.model, cfg.policy)
	if cfg.keys != "" {
		opts.Credentials = append(opts.Credentials, framework.APIKeysFile(cfg.keys))
	}
	if basic != nil {
		opts.Credentials = append(opts.Credentials, framework.BasicFile(cfg.sig.basicAuth, basic))
	}
	opts.Policies = policies // the App takes the body limit and the trusted proxies from tw
	opts.Logger = log
	opts.LogPhoneNumbers = cfg.logNumbers
	opts.FailedAuthLimit = cfg.failedAuthLimit
	opts.URLPrefix = publicPath(cfg.publicURL)
	if cfg.replay {
		opts.Replay = framework.NewMemoryReplayCache(5*time.Minute, 0)
	}
	sharedStore, closeShared, err := sharedOptions(cfg, log, &opts)
	if err != nil {
		return fail(err)
	}
	defer closeShared()
	sealer, devStateKey, err := stateSealer(cfg)
	if err != nil {
		return fail(err)
	}
	opts.State = sealer
	// The flow's fetches are signed with the same backend key as callback deliveries.
	opts.BackendKey = principals.NewSecret(cfg.callbacks.key)
	if cfg.pins != "" {
		opts.PINs = framework.PINFile(cfg.pins)
	}
	app, err := framework.New(&opts)
	if err != nil {
		return fail(err)
	}
	var rates outbound.RateStore // nil: POST /calls counts in this process
	if sharedStore != nil {
		rates = sharedStore
	}
	if err := cfg.calls.mount(app, cfg, rates, log); err != nil {
		return fail(err)
	}
	receiver, err := cfg.callbacks.mount(app, cfg.logNumbers, log)
	if err != nil {
		return fail(err)
	}
	var cons *console.Console
	if cfg.console {
		if cons, err = mountConsole(app, console.Options{FlowFile: cfg.flow, PolicyFile: cfg.policy, ModelFile: cfg.model,
			MaskNumbers: !cfg.logNumbers, Recent: recent, Logger: log}); err != nil {
			return fail(err)
		}
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fail(err)
	}
	addr := ln.Addr().String()
	checked := cfg.publicURL
	if checked == "" {
		checked = "the request's own scheme and host (set --public-url behind a proxy)"
	}
	az := app.Authorizer()
	log.Info("listening", "version", buildinfo.Read().String(), "addr", addr, "signatures_checked_against", checked, "routes", len(app.Routes()),
		"policy_lines", az.Rules(), "groupings", az.Groupings(), "flow", or(cfg.flow, "built-in demo"), "policy", policyName(cfg))
	if devToken != "" {
		base := "http://" + dialable(addr)
		fmt.Fprintf(stdout, "No %s is set, so this server checks signatures against a development token made for this run:\n\n    %s\n\n", envToken, devToken)
		fmt.Fprintf(stdout, "Call the menu from another terminal:\n\n    go run ./cmd/switchboard simulate --url %s%s --token %s --press 2 --press 1\n\n",
			base, app.Flow().Start(), devToken)
	}
	if devStateKey != "" {
		fmt.Fprintf(stdout, "No %s is set, so call state (PINs entered) is sealed with a key made for this run; give replicas the same one:\n\n    %s=%s\n\n", envStateKey, envStateKey, devStateKey)
	}
	if ready != nil {
		ready(addr)
	}

	// Start-up is over: give back the pages of the binary that only it touched (see package
	// exepages). Serving maps again what it uses.
	if n, err := exepages.Release(); err != nil {
		log.Warn("could not release start-up pages", "error", err)
	} else if n > 0 {
		log.Debug("released the binary's start-up pages", "mapped_mib", n>>20)
	}

	sctx, stop := context.WithCancel(ctx)
	defer stop()
	if cons != nil {
		go cons.Watch(sctx, 2*time.Second)
	}
	if receiver != nil {
		go receiver.Run(sctx)
	}
	if err := app.Run(sctx, ln); err != nil { // warnings, SIGHUP, watching the sources, serving
		log.Error("server stopped", "error", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

func newDevToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// dialable turns a listen address such as "[::]:8080" into one a client can dial.
func dialable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

func parseCIDR(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		return netip.ParsePrefix(s)
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// defaultedList is a repeatable flag whose default comes from the environment: the first use of
// the flag replaces the default, later uses add to it, so that a flag wins over its variable.
type defaultedList struct {
	values []string
	set    bool
}

func (d *defaultedList) String() string { return strings.Join(d.values, ",") }
func (d *defaultedList) Set(v string) error {
	if !d.set {
		d.values, d.set = nil, true
	}
	d.values = append(d.values, v)
	return nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// envInt reads a whole number from the environment variable name, or def when it is unset.
func envInt(getenv func(string) string, name string, def int64) (int64, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive whole number of bytes", name, v)
	}
	return n, nil
}

// envFloat reads a number from the environment variable name, or def when it is unset.
func envFloat(getenv func(string) string, name string, def float64) (float64, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, fmt.Errorf("%s=%q: want a number", name, v)
	}
	return f, nil
}

// stateSealer builds the sealer of call state from SWITCHBOARD_STATE_KEY and its secondary. With
// no key it makes one for this run and returns it to be printed, unless --public-url says real
// Twilio traffic is expected: then a key is required, or replicas and restarts would refuse the
// state of calls in progress.
func stateSealer(cfg serveConfig) (s *callstate.Sealer, devKey string, err error) {
	if len(cfg.stateKeys) == 0 {
		if cfg.publicURL != "" {
			return nil, "", fmt.Errorf("--public-url is set, so real calls are expected, but %s is empty: set it to 64 hex digits (openssl rand -hex 32), the same on every replica", envStateKey)
		}
		k, err := callstate.GenerateKey()
		if err != nil {
			return nil, "", err
		}
		s, err := callstate.New(k, nil)
		return s, k.Encode(), err
	}
	keys := make([]callstate.Key, len(cfg.stateKeys))
	for i, text := range cfg.stateKeys {
		if keys[i], err = callstate.ParseKey(text); err != nil {
			return nil, "", fmt.Errorf("%s: %w", []string{envStateKey, envStateKey2}[i], err)
		}
	}
	s, err = callstate.New(keys[0], &callstate.Options{Secondary: keys[1:]})
	return s, "", err
}

// publicPath returns the path prefix of a public URL ("/acme" for https://ivr.example.com/acme/),
// which the flow's TwiML puts before its routes; "" for none or for a URL that does not parse
// (the Twilio policy refuses that one with a clear error first).
func publicPath(publicURL string) string {
	u, err := url.Parse(publicURL)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(u.Path, "/")
}
