package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/principals"
)

func init() {
	commands = append(commands, command{
		name:  "simulate",
		usage: "simulate [--url URL --token T | --flow FILE] [--press DIGITS]... [--say WORDS]... [--from +E164] [--to +E164] [--interactive]",
		run:   runSimulate,
	})
}

const simulateUsage = `usage: switchboard simulate --url URL [--token T] [answers and call flags]
       switchboard simulate [--flow FILE] [--policy FILE] [--model FILE] [--at TIME] [answers and call flags]

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
--flow, under --policy and --model.

  --url URL          the voice URL Twilio is configured with, such as http://localhost:8080/ivr/welcome
  --token T          the auth token to sign with [TWILIO_AUTH_TOKEN]; a wrong one hears the
                     unauthenticated error flow. Without --url, the in-process server's own token.
  --press DIGITS     an answer to a Gather, such as 1 or 0101#; repeatable
  --say WORDS        a spoken answer to a Gather, such as billing; repeatable
  --interactive      once the answers run out, read each one from the keyboard: digits to press,
                     words to say, an empty line for silence
  --from, --to       the caller's and the called number (default +15555550142, +15555550160)
  --account-sid SID  the AccountSid sent (default a fresh random one)
  --dial-status S    the DialCallStatus a Dial action hears: completed (default), busy,
                     no-answer, failed or canceled
  --at TIME          without --url: the clock of business hours, RFC 3339 (2026-11-23T10:00:00-05:00)
  --max-requests N   give up after N requests, as a loop (default 50)
  --verbose          print each request and, without --url, the server's log, on stderr

Exit status: 0 when the call ended as a call can end; 1 on anything Twilio would refuse (a status
other than 200, a content type other than XML, malformed TwiML, an unknown verb, a verb missing
what it needs) or on a loop; 2 on a usage error.
`

// answer is one reply to a Gather: digits pressed, or words said.
type answer struct {
	speech bool
	text   string
}

// answerFlag is --press or --say; both append to one list, so their order on the command line
// is the order of the answers.
type answerFlag struct {
	list   *[]answer
	speech bool
}

func (a answerFlag) String() string { return "" }
func (a answerFlag) Set(v string) error {
	*a.list = append(*a.list, answer{speech: a.speech, text: v})
	return nil
}

// simConfig is everything `switchboard simulate` reads from its flags.
type simConfig struct {
	url, token                      string
	flowFile, policyFile, modelFile string
	at                              time.Time
	from, to, accountSid            string
	answers                         []answer
	interactive                     bool
	dialStatus                      string
	maxRequests                     int
	verbose                         bool
}

// The DialCallStatus values Twilio reports to a Dial action.
var dialStatuses = []string{"completed", "answered", "busy", "no-answer", "failed", "canceled"}

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
	fs.StringVar(&cfg.flowFile, "flow", "", "flow `file` served in-process")
	fs.StringVar(&cfg.policyFile, "policy", "", "Casbin policy `file`, in-process")
	fs.StringVar(&cfg.modelFile, "model", "", "Casbin model `file`, in-process")
	at := fs.String("at", "", "business-hours clock, RFC 3339, in-process")
	fs.Var(answerFlag{&cfg.answers, false}, "press", "digits to press; repeatable")
	fs.Var(answerFlag{&cfg.answers, true}, "say", "words to say; repeatable")
	fs.BoolVar(&cfg.interactive, "interactive", false, "read answers from the keyboard")
	fs.StringVar(&cfg.from, "from", "+15555550142", "caller number")
	fs.StringVar(&cfg.to, "to", "+15555550160", "called number")
	fs.StringVar(&cfg.accountSid, "account-sid", "", "AccountSid")
	fs.StringVar(&cfg.dialStatus, "dial-status", "completed", "DialCallStatus")
	fs.IntVar(&cfg.maxRequests, "max-requests", 50, "request limit")
	fs.BoolVar(&cfg.verbose, "verbose", false, "log requests")
	if code, ok := parseFlags(fs, args, simulateUsage, stdout, stderr); !ok {
		return cfg, code, false
	}
	bad := func(format string, a ...any) (simConfig, int, bool) {
		return cfg, usageError(stderr, "simulate", simulateUsage, format, a...), false
	}
	inProcess := cfg.flowFile != "" || cfg.policyFile != "" || cfg.modelFile != "" || *at != ""
	switch {
	case cfg.url != "" && inProcess:
		return bad("--flow, --policy, --model and --at serve the flow in this process: leave out --url")
	case cfg.url != "" && cfg.token == "" && getenv(envToken) == "":
		return bad("--token is required with --url (or set %s)", envToken)
	case cfg.maxRequests < 1:
		return bad("--max-requests must be at least 1")
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
	known := false
	for _, s := range dialStatuses {
		known = known || s == cfg.dialStatus
	}
	if !known {
		return bad("--dial-status must be one of %s, not %q", strings.Join(dialStatuses, ", "), cfg.dialStatus)
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
	c := &call{
		cfg:     cfg,
		client:  &http.Client{Timeout: 15 * time.Second, CheckRedirect: noRedirects},
		out:     stdout,
		log:     stderr,
		answers: cfg.answers,
		params: url.Values{
			"AccountSid": {cfg.accountSid},
			"ApiVersion": {"2010-04-01"},
			"CallSid":    {"CA" + randomHex(16)},
			"CallStatus": {"ringing"},
			"Called":     {cfg.to},
			"Caller":     {cfg.from},
			"Direction":  {"inbound"},
			"From":       {cfg.from},
			"To":         {cfg.to},
		},
	}
	if cfg.interactive {
		c.in = bufio.NewScanner(stdin)
	}
	defer c.client.CloseIdleConnections()
	end, err := c.run(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "switchboard simulate: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "call ended after %s: %s\n", plural(c.requests, "request"), end)
	return 0
}

// serveInProcess serves the configured flow on a loopback port with a fresh token, and returns
// the URL of its start route, the token, and a function that stops the server.
func serveInProcess(ctx context.Context, cfg simConfig, stderr io.Writer) (start, token string, stop func(), err error) {
	token = randomHex(16)
	tw, err := principals.NewTwilio(principals.TwilioOptions{Tokens: []principals.Secret{principals.NewSecret(token)}})
	if err != nil {
		return "", "", nil, err
	}
	logger := slog.New(slog.DiscardHandler)
	if cfg.verbose {
		logger = slog.New(slog.NewTextHandler(stderr, nil))
	}
	opts := &framework.Options{
		FlowFile: cfg.flowFile, PolicyFile: cfg.policyFile, ModelFile: cfg.modelFile,
		Policies: []principals.Policy{tw},
		Logger:   logger,
	}
	if at := cfg.at; !at.IsZero() {
		opts.Now = func() time.Time { return at }
	}
	app, err := framework.New(opts)
	if err != nil {
		return "", "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", "", nil, err
	}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = app.Serve(sctx, ln)
	}()
	stop = func() { cancel(); <-done }
	return "http://" + ln.Addr().String() + app.Flow().Start(), token, stop, nil
}

// noRedirects hands an HTTP redirect back as the response: a webhook must answer 200 with TwiML.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// defaultMethod returns a verb's method attribute, POST by default.
func defaultMethod(v *element) (string, error) {
	m := strings.ToUpper(v.attr("method"))
	switch m {
	case "":
		return http.MethodPost, nil
	case http.MethodGet, http.MethodPost:
		return m, nil
	}
	return "", v.errorf("method %q is neither GET nor POST", v.attr("method"))
}

// contentTypes are the media types Twilio reads as TwiML.
func isXML(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "text/xml" || mt == "application/xml")
}

// atoiAttr reads a whole-number attribute, def when absent.
func atoiAttr(v *element, name string, def int) (int, error) {
	s := v.attr(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, v.errorf("%s=%q is not a whole number", name, s)
	}
	return n, nil
}
