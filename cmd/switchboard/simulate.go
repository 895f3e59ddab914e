package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-ivr/switchboard/caller"
	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/sandbox"
)

func init() {
	commands = append(commands, command{
		name:  "simulate",
		usage: "simulate [--url URL --token T [--public-url URL] | --flow FILE] [--attest A|B|C|none] [--press DIGITS]... [--say WORDS]... [--from +E164] [--to +E164] [--interactive]",
		run:   runSimulate,
	})
}

const simulateUsage = `usage: switchboard simulate --url URL [--token T] [answers and call flags]
       switchboard simulate [--flow FILE] [--policy FILE] [--model FILE] [--pins FILE] [--at TIME] [--backend NAME=FILE]... [answers and call flags]

simulate places a phone call in the terminal. It POSTs signed requests exactly as Twilio does,
walks the TwiML it gets back and prints one event a line:

  SAY <text>   PLAY <url>   PAUSE <seconds>   GATHER pressed 1 | said billing | no input
  DIAL <number>   RECORD <attributes>   ENQUEUE <queue>   REDIRECT <url>   HANGUP   REJECT

It answers each Gather with the next --press or --say, in the order given (then from the keyboard
with --interactive); with no answer left, the Gather hears silence and, as on Twilio, the call
goes on with the next verb. It follows Redirect and the actions of Gather, Dial and Record,
and stops at Hangup, Reject, Enqueue or the end of a document. A Dial without an action goes on
with the next verb once the dialled call ends, as on Twilio.

With --url it calls a running server ("switchboard serve" prints a ready line). Without --url it
serves the flow in this process on a loopback port, with a fresh token: the built-in demo, or
--flow, under --policy and --model (and --pins for its pin menus).

  --url URL          the voice URL Twilio is configured with, such as http://localhost:8080/ivr/welcome
  --token T          the auth token to sign with [TWILIO_AUTH_TOKEN]; a wrong one hears the
                     unauthenticated error flow. Without --url, the in-process server's own token.
  --public-url URL   with --url: connect to --url but sign for this public base URL (also
                     --sign-url), as Twilio signs for a server started with the same --public-url
  --attest LEVEL     send StirVerstat for a SHAKEN/STIR attestation: A, B or C
                     (TN-Validation-Passed-A…), or none (No-TN-Validation)
  --press DIGITS     an answer to a Gather, such as 1 or 0101#; repeatable
  --say WORDS        a spoken answer to a Gather, such as billing; repeatable
  --interactive      once the answers run out, read each one from the keyboard: digits to press,
                     words to say, an empty line for silence
  --from, --to       the caller's and the called number (default +15555550142, +15555550160)
  --account-sid SID  the AccountSid sent (default a fresh random one)
  --dial-status S    the DialCallStatus a Dial action hears: completed (default), busy,
                     no-answer, failed or canceled
  --agent-end JSON   finish every agent session (<Connect>) at once with this handoff data,
                     such as '{"reason":"transfer"}': no agent needs to run
  --agent-failed     finish every agent session as failed (SessionStatus failed): on_error
  --pins FILE        without --url: the PIN secrets file of --flow's pin menus, as serve --pins
                     (the built-in demo's staff PIN, 2468, needs none)
  --at TIME          without --url: the clock of business hours, RFC 3339 (2026-11-23T10:00:00-05:00)
  --backend NAME=FILE  without --url: answer every fetch from the flow's backend NAME with the
                     JSON object in FILE, such as {"balance": 42.10}; NAME=fail fails every fetch
                     (its on_error). A backend not stubbed fails too: simulate calls no backend.
                     Repeatable.
  --max-requests N   give up after N requests, as a loop (default 50)
  --verbose          print each request and, without --url, the server's log, on stderr

Exit status: 0 when the call ended as a call can end; 1 on anything Twilio would refuse (a status
other than 200, a content type other than XML, malformed TwiML, an unknown verb, a verb missing
what it needs) or on a loop; 2 on a usage error.
`

// answerFlag is --press or --say; both append to one list, so their order on the command line
// is the order of the answers.
type answerFlag struct {
	list   *[]caller.Answer
	answer func(string) caller.Answer
}

func (a answerFlag) String() string { return "" }
func (a answerFlag) Set(v string) error {
	*a.list = append(*a.list, a.answer(v))
	return nil
}

// simConfig is everything `switchboard simulate` reads from its flags.
type simConfig struct {
	url, token                      string
	publicURL, attest               string
	flowFile, policyFile, modelFile string
	pinsFile                        string
	at                              time.Time
	from, to, accountSid            string
	answers                         []caller.Answer
	interactive                     bool
	dialStatus                      string
	agentEnd                        string            // handoff data every agent session ends with
	agentFailed                     bool              // agent sessions fail
	backends                        map[string]string // --backend name=FILE: stub file (or "fail") by backend
	maxRequests                     int
	verbose                         bool
}

func runSimulate(args []string, stdout, stderr io.Writer) int {
	cfg, code, ok := parseSimulate(args, os.Getenv, stdout, stderr)
	if !ok {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return simulate(ctx, cfg, os.Stdin, stdout, stderr)
}

func parseSimulate(args []string, getenv func(string) string, stdout, stderr io.Writer) (cfg simConfig, code int, ok bool) {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.url, "url", "", "voice `URL` of a running server")
	fs.StringVar(&cfg.token, "token", "", "auth token to sign with")
	fs.StringVar(&cfg.publicURL, "public-url", "", "public base `URL` to sign for")
	fs.StringVar(&cfg.publicURL, "sign-url", "", "the same as --public-url")
	fs.StringVar(&cfg.attest, "attest", "", "StirVerstat attestation: A, B, C or none")
	fs.StringVar(&cfg.flowFile, "flow", "", "flow `file` served in-process")
	fs.StringVar(&cfg.policyFile, "policy", "", "Casbin policy `file`, in-process")
	fs.StringVar(&cfg.modelFile, "model", "", "Casbin model `file`, in-process")
	fs.StringVar(&cfg.pinsFile, "pins", "", "PIN secrets `file`, in-process")
	at := fs.String("at", "", "business-hours clock, RFC 3339, in-process")
	fs.Var(answerFlag{&cfg.answers, caller.Press}, "press", "digits to press; repeatable")
	fs.Var(answerFlag{&cfg.answers, caller.Say}, "say", "words to say; repeatable")
	fs.BoolVar(&cfg.interactive, "interactive", false, "read answers from the keyboard")
	fs.StringVar(&cfg.from, "from", "+15555550142", "caller number")
	fs.StringVar(&cfg.to, "to", "+15555550160", "called number")
	fs.StringVar(&cfg.accountSid, "account-sid", "", "AccountSid")
	fs.StringVar(&cfg.dialStatus, "dial-status", "completed", "DialCallStatus")
	fs.StringVar(&cfg.agentEnd, "agent-end", "", "handoff data an agent session ends with")
	fs.BoolVar(&cfg.agentFailed, "agent-failed", false, "agent sessions fail")
	fs.Var(backendStubs{&cfg.backends}, "backend", "`NAME=FILE`: answer the flow's backend NAME from a JSON stub file (or fail); repeatable")
	fs.IntVar(&cfg.maxRequests, "max-requests", 50, "request limit")
	fs.BoolVar(&cfg.verbose, "verbose", false, "log requests")
	if code, ok := parseFlags(fs, args, simulateUsage, stdout, stderr); !ok {
		return cfg, code, false
	}
	bad := func(format string, a ...any) (simConfig, int, bool) {
		return cfg, usageError(stderr, "simulate", simulateUsage, format, a...), false
	}
	inProcess := cfg.flowFile != "" || cfg.policyFile != "" || cfg.modelFile != "" || cfg.pinsFile != "" || *at != ""
	switch {
	case cfg.url != "" && inProcess:
		return bad("--flow, --policy, --model, --pins and --at serve the flow in this process: leave out --url")
	case cfg.url != "" && len(cfg.backends) > 0:
		return bad("--backend stubs the backends of a flow served in this process: leave out --url (a running server calls its own backends)")
	case cfg.url != "" && cfg.token == "" && getenv(envToken) == "":
		return bad("--token is required with --url (or set %s)", envToken)
	case cfg.maxRequests < 1:
		return bad("--max-requests must be at least 1")
	case cfg.publicURL != "" && cfg.url == "":
		return bad("--public-url signs for a server at --url: give --url too")
	}
	if cfg.url != "" {
		cfg.token = or(cfg.token, getenv(envToken))
		u, err := url.Parse(cfg.url)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("--url %q must be an absolute http:// or https:// URL", cfg.url)
		}
	}
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			return bad("--at %q must be RFC 3339, such as 2026-11-23T10:00:00-05:00", *at)
		}
		cfg.at = t
	}
	if _, ok := stirVerstat(cfg.attest); !ok {
		return bad("--attest must be A, B, C or none, not %q", cfg.attest)
	}
	if statuses := caller.DialStatuses(); !slices.Contains(statuses, cfg.dialStatus) {
		return bad("--dial-status must be one of %s, not %q", strings.Join(statuses, ", "), cfg.dialStatus)
	}
	if cfg.agentEnd != "" && !json.Valid([]byte(cfg.agentEnd)) {
		return bad(`--agent-end must be JSON handoff data, such as '{"reason":"transfer"}'; got %q`, cfg.agentEnd)
	}
	if cfg.accountSid == "" {
		cfg.accountSid = "AC" + randomHex(16)
	}
	return cfg, 0, true
}

// simulate places the call described by cfg, answering gathers from cfg.answers and then, with
// cfg.interactive, from stdin. It prints events on stdout and returns the exit status.
func simulate(ctx context.Context, cfg simConfig, stdin io.Reader, stdout, stderr io.Writer) int {
	if cfg.url == "" {
		start, token, stop, err := serveInProcess(ctx, cfg, stderr)
		if err != nil {
			fmt.Fprintf(stderr, "switchboard simulate: %v\n", err)
			return 1
		}
		defer stop()
		cfg.url = start
		cfg.token = or(cfg.token, token)
	}
	client := &http.Client{Timeout: 15 * time.Second}
	if cfg.verbose {
		client.Transport = verboseTransport{http.DefaultTransport, stderr}
	}
	defer client.CloseIdleConnections()
	c := &caller.Call{
		URL:         cfg.url,
		Token:       principals.NewSecret(cfg.token),
		PublicURL:   cfg.publicURL,
		From:        cfg.from,
		To:          cfg.to,
		AccountSid:  cfg.accountSid,
		Answers:     cfg.answers,
		DialStatus:  cfg.dialStatus,
		AgentEnd:    cfg.agentEnd,
		MaxRequests: cfg.maxRequests,
		Client:      client,
		OnEvent:     func(e caller.Event) { fmt.Fprintln(stdout, e) },
	}
	c.StirVerstat, _ = stirVerstat(cfg.attest)
	if cfg.agentFailed {
		c.AgentStatus = "failed"
	}
	if cfg.interactive {
		c.More = &keyboard{in: bufio.NewScanner(stdin), prompts: stderr}
	}
	tr, err := c.Run(ctx)
	if errors.Is(err, caller.ErrMaxRequests) {
		err = fmt.Errorf("%w (--max-requests)", err)
	}
	if err != nil {
		fmt.Fprintf(stderr, "switchboard simulate: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "call ended after %s: %s\n", plural(tr.Requests, "request"), tr.End)
	return 0
}

// keyboard answers gathers with lines read from the terminal, once --press and --say run out:
// digits to press, words to say, an empty line (or the end of the input) for silence.
type keyboard struct {
	in      *bufio.Scanner // nil once the input ends
	prompts io.Writer
}

func (k *keyboard) Answer() caller.Answer {
	if k.in == nil {
		return caller.Silence()
	}
	fmt.Fprint(k.prompts, "? press digits, say words, or Enter for silence: ")
	if !k.in.Scan() {
		k.in = nil
		fmt.Fprintln(k.prompts)
		return caller.Silence()
	}
	line := strings.TrimSpace(k.in.Text())
	if strings.Trim(line, "0123456789*#w") != "" {
		return caller.Say(line)
	}
	return caller.Press(line)
}

// verboseTransport prints each request and the status and content type it is answered with.
type verboseTransport struct {
	next http.RoundTripper
	log  io.Writer
}

func (t verboseTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	fmt.Fprintf(t.log, "→ %s %s\n", req.Method, req.URL)
	resp, err := t.next.RoundTrip(req)
	if err == nil {
		fmt.Fprintf(t.log, "← %s %s\n", resp.Status, resp.Header.Get("Content-Type"))
	}
	return resp, err
}

// serveInProcess serves the configured flow on a loopback port with a fresh token (see package
// sandbox), and returns the URL of its start route, the token, and a function that stops the
// server.
func serveInProcess(ctx context.Context, cfg simConfig, stderr io.Writer) (start, token string, stop func(), err error) {
	fo := fileOptions(cfg.flowFile, cfg.modelFile, cfg.policyFile)
	opts := &sandbox.Options{Flow: fo.Flow, Policy: fo.Policy, Model: fo.Model}
	if cfg.pinsFile != "" {
		opts.PINs = framework.PINFile(cfg.pinsFile)
	}
	if cfg.verbose {
		opts.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	}
	for name, file := range cfg.backends {
		stub, err := sandbox.LoadStub(file)
		if err != nil {
			return "", "", nil, fmt.Errorf("--backend %s: %w", name, err)
		}
		if opts.Backends == nil {
			opts.Backends = map[string]framework.Fetcher{}
		}
		opts.Backends[name] = stub
	}
	if at := cfg.at; !at.IsZero() {
		opts.Now = func() time.Time { return at }
	}
	sb, err := sandbox.New(opts)
	if err != nil {
		return "", "", nil, err
	}
	origin, stop, err := sb.Listen(ctx)
	if err != nil {
		return "", "", nil, err
	}
	return origin + sb.Start(), sb.Token().Reveal(), stop, nil
}

// stirVerstat returns the StirVerstat Twilio sends for an --attest level: "" for none given.
func stirVerstat(level string) (string, bool) {
	switch strings.ToUpper(level) {
	case "":
		return "", true
	case "A", "B", "C":
		return "TN-Validation-Passed-" + strings.ToUpper(level), true
	case "NONE":
		return "No-TN-Validation", true
	}
	return "", false
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// backendStubs is --backend NAME=FILE, repeatable: the stub file (or "fail") of each backend.
type backendStubs struct{ m *map[string]string }

func (b backendStubs) String() string { return "" }
func (b backendStubs) Set(v string) error {
	name, file, ok := strings.Cut(v, "=")
	if !ok || name == "" || file == "" {
		return fmt.Errorf("want NAME=FILE, such as bank=stub.json, or NAME=fail; got %q", v)
	}
	if *b.m == nil {
		*b.m = map[string]string{}
	}
	if _, dup := (*b.m)[name]; dup {
		return fmt.Errorf("backend %s is stubbed twice", name)
	}
	(*b.m)[name] = file
	return nil
}
