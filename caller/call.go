package caller

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-ivr/switchboard/principals"
)

// A Call is one simulated phone call. Set URL and Token, then call [Call.Run]. A Call is not
// changed by Run, so it can be run again.
//
// Every request is made as Twilio makes it: signed with X-Twilio-Signature over the URL Twilio
// would have been configured with (see PublicURL), with User-Agent TwilioProxy/1.1, a fresh
// I-Twilio-Idempotency-Token (Twilio repeats one only on a retry, which a Call never makes), and
// the fields of a voice webhook: AccountSid, ApiVersion, CallSid, CallStatus, Called, Caller,
// Direction, From, To, StirVerstat when set, and what each verb adds (Digits, SpeechResult,
// DialCallStatus, RecordingUrl…).
type Call struct {
	// URL is the voice URL Twilio is configured with: absolute http or https, such as
	// "https://ivr.example.com/ivr/welcome". Required.
	URL string

	// Token is the auth token every request is signed with, exactly as Twilio signs it. Required;
	// a wrong one shows what a forged request hears.
	Token principals.Secret

	// PublicURL is the scheme and host, and optionally a path prefix, that Twilio is configured
	// with, as a server's --public-url: requests go to URL's server, but each is signed for
	// PublicURL followed by the request's path and query, as Twilio signs a request that a proxy
	// then forwards. Optional; by default each request is signed for the URL it goes to.
	PublicURL string

	// StirVerstat is sent as StirVerstat, the SHAKEN/STIR attestation of the caller's number, such
	// as "TN-Validation-Passed-A". Optional; by default the field is not sent.
	StirVerstat string

	// From and To are the caller's and the called number. Optional; by default +15555550142
	// and +15555550160.
	From, To string

	// Direction is sent as Direction: "inbound", or "outbound-api" for a call placed through
	// the REST API. Optional; default "inbound".
	Direction string

	// AccountSid and CallSid are sent with every request. Optional; by default fresh random ones.
	AccountSid, CallSid string

	// Answers are the caller's answers to Gathers, in order. Optional.
	Answers []Answer

	// More answers the Gathers left once Answers have run out. Optional; nil is silence.
	More Answerer

	// DialStatus is the DialCallStatus the action of a Dial hears: one of [DialStatuses].
	// Optional; default "completed".
	DialStatus string

	// AgentEnd, when set, is the handoff data an agent ends each <Connect> session with (the
	// JSON an agent sends as {"type":"end","handoffData":…}, such as {"reason":"transfer"}):
	// the call does not wait for an agent, and the Connect action hears SessionStatus completed
	// and this HandoffData, as from Twilio when a real agent ends the session. Optional; by
	// default a <Connect> ends the simulated call unless AgentStatus is set.
	AgentEnd string

	// AgentStatus is the SessionStatus the Connect action hears: "completed", or "failed" for a
	// session that broke (a provider error, an unreachable agent). Optional; default "completed"
	// when AgentEnd is set.
	AgentStatus string

	// MaxRequests is how many requests the call may make before Run gives up with
	// [ErrMaxRequests], as on a loop. Optional; default 50.
	MaxRequests int

	// Client sends the requests. Optional; by default a client with a 15-second timeout. Run
	// never follows an HTTP redirect, whatever the client: Twilio wants 200 with TwiML.
	Client *http.Client

	// Handler, when set, serves every request in this process instead of over the network, at
	// URL's scheme and host, from the peer address 192.0.2.1:1234. Optional; not with Client.
	Handler http.Handler

	// OnEvent is called with each event as it happens. Optional.
	OnEvent func(Event)
}

// ErrMaxRequests is returned, wrapped, when a call makes MaxRequests requests without ending.
var ErrMaxRequests = errors.New("a loop?")

// DialStatuses returns the DialCallStatus values Twilio reports to the action of a Dial.
func DialStatuses() []string {
	return []string{"completed", "answered", "busy", "no-answer", "failed", "canceled"}
}

// Run places the call: it requests URL and walks the TwiML answered, verb by verb, as Twilio
// does. It answers each Gather with the next answer, follows Redirect and the actions of
// Gather, Dial and Record, resolving relative URLs against the current document's, and stops
// at Hangup, Reject, Enqueue, Leave, a caller's [HangUp] or the end of a document.
//
// Run returns an error for anything Twilio would refuse (see [ReadResponse]; also an unknown
// verb or a verb missing what it needs), after MaxRequests requests, or when the Call is not
// valid. The transcript holds the events up to then.
func (c *Call) Run(ctx context.Context) (Transcript, error) {
	r, err := c.start()
	if err != nil {
		return Transcript{}, err
	}
	end, err := r.run(ctx)
	r.tr.End = end
	if err != nil {
		err = fmt.Errorf("caller: %w", err)
	}
	return r.tr, err
}

// run is the state of one Call.Run.
type run struct {
	call       *Call
	client     *http.Client
	signer     *principals.Signer
	answers    []Answer
	dialStatus string
	params     url.Values // sent with every request
	tr         Transcript
}

// hop is the next request of a call: a URL, its method, and the fields a verb adds.
type hop struct {
	method, url string
	extra       url.Values
}

// start checks c, reporting every problem together, and returns the state of a run.
func (c *Call) start() (*run, error) {
	var errs []error
	if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("caller: URL %q must be an absolute http:// or https:// URL", c.URL))
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			errs = append(errs, fmt.Errorf("caller: PublicURL %q must be an http:// or https:// scheme and host, with an optional path prefix", c.PublicURL))
		}
	}
	signer, err := principals.NewSigner(c.Token, principals.HMACSHA1)
	if err != nil {
		errs = append(errs, errors.New("caller: Token is required"))
	}
	status := or(c.DialStatus, "completed")
	if !slices.Contains(DialStatuses(), status) {
		errs = append(errs, fmt.Errorf("caller: DialStatus must be one of %s, not %q", strings.Join(DialStatuses(), ", "), status))
	}
	if c.AgentEnd != "" && !json.Valid([]byte(c.AgentEnd)) {
		errs = append(errs, fmt.Errorf("caller: AgentEnd must be JSON handoff data, such as {\"reason\":\"transfer\"}; got %q", c.AgentEnd))
	}
	if c.AgentStatus != "" && c.AgentStatus != "completed" && c.AgentStatus != "failed" {
		errs = append(errs, fmt.Errorf("caller: AgentStatus must be completed or failed, not %q", c.AgentStatus))
	}
	if c.MaxRequests < 0 {
		errs = append(errs, errors.New("caller: MaxRequests must not be negative"))
	}
	if c.Client != nil && c.Handler != nil {
		errs = append(errs, errors.New("caller: set Client or Handler, not both"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: 15 * time.Second}
	switch {
	case c.Client != nil:
		copied := *c.Client
		client = &copied
	case c.Handler != nil:
		client = &http.Client{Transport: handlerTransport{c.Handler}}
	}
	client.CheckRedirect = noRedirects
	from, to := or(c.From, "+15555550142"), or(c.To, "+15555550160")
	r := &run{
		call:       c,
		client:     client,
		signer:     signer,
		answers:    slices.Clone(c.Answers),
		dialStatus: status,
		params: url.Values{
			"AccountSid": {or(c.AccountSid, "AC"+randomHex(16))},
			"ApiVersion": {"2010-04-01"},
			"CallSid":    {or(c.CallSid, "CA"+randomHex(16))},
			"CallStatus": {"ringing"},
			"Called":     {to},
			"Caller":     {from},
			"Direction":  {or(c.Direction, "inbound")},
			"From":       {from},
			"To":         {to},
		},
	}
	if c.StirVerstat != "" {
		r.params.Set("StirVerstat", c.StirVerstat)
	}
	return r, nil
}

// run makes requests and walks their TwiML until the call ends, and says how it ended.
func (r *run) run(ctx context.Context) (string, error) {
	limit := r.call.MaxRequests
	if limit == 0 {
		limit = 50
	}
	next := &hop{method: http.MethodPost, url: r.call.URL}
	for {
		if r.tr.Requests == limit {
			return "", fmt.Errorf("the call made %d requests without ending: %w", r.tr.Requests, ErrMaxRequests)
		}
		r.tr.Requests++
		doc, err := r.fetch(ctx, next)
		if err != nil {
			return "", err
		}
		r.params.Set("CallStatus", "in-progress")
		cur := next
		var end string
		if next, end, err = r.walk(doc, cur.url); err != nil {
			return "", fmt.Errorf("%s %s: %w; Twilio would say its application error and hang up", cur.method, cur.url, err)
		}
		if next == nil {
			return end, nil
		}
	}
}

// fetch sends one request signed as Twilio signs it and reads the TwiML it answers.
func (r *run) fetch(ctx context.Context, h *hop) (*Element, error) {
	u, err := url.Parse(h.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("cannot follow %q: not an absolute http(s) URL", h.url)
	}
	u.Fragment, u.RawFragment = "", ""
	form := url.Values{}
	for k, vs := range r.params {
		form[k] = slices.Clone(vs)
	}
	for k, vs := range h.extra {
		form[k] = append(form[k], vs...)
	}
	var body io.Reader
	if h.method == http.MethodGet {
		if u.RawQuery != "" {
			u.RawQuery += "&" + form.Encode()
		} else {
			u.RawQuery = form.Encode()
		}
	} else {
		body = strings.NewReader(form.Encode())
	}
	target := u.String()
	req, err := http.NewRequestWithContext(ctx, h.method, target, body)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("User-Agent", "TwilioProxy/1.1")
	// A fresh token per request: Twilio repeats one only when it retries the same request.
	req.Header.Set("I-Twilio-Idempotency-Token", newIdempotencyToken())
	if h.method == http.MethodGet {
		form = nil // the fields are in the signed URL's query
	}
	req.Header.Set("X-Twilio-Signature", r.signer.Sign(r.signedURL(u), form))
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, err
	}
	doc, err := readResponse(resp)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", h.method, target, err)
	}
	return doc, nil
}

// signedURL returns the URL Twilio signs for a request to u: u itself (with its credentials, as
// Twilio signs a webhook URL that carries user:password@), or the call's PublicURL followed by
// u's path and query, as the server rebuilds it.
func (r *run) signedURL(u *url.URL) string {
	pathQuery := u.EscapedPath()
	if u.RawQuery != "" || u.ForceQuery {
		pathQuery += "?" + u.RawQuery
	}
	if r.call.PublicURL != "" {
		return strings.TrimSuffix(r.call.PublicURL, "/") + pathQuery
	}
	if u.User != nil {
		return u.Scheme + "://" + u.User.String() + "@" + u.Host + pathQuery
	}
	return u.Scheme + "://" + u.Host + pathQuery
}

// newIdempotencyToken returns a value for I-Twilio-Idempotency-Token, in the form Twilio sends:
// the account-unique part Twilio uses is opaque, so any fresh random text of its shape will do.
func newIdempotencyToken() string {
	return randomHex(16) + "-" + randomHex(8)
}

// emit records one event of the transcript.
func (r *run) emit(verb, text string) {
	e := Event{Verb: verb, Text: text}
	r.tr.Events = append(r.tr.Events, e)
	if r.call.OnEvent != nil {
		r.call.OnEvent(e)
	}
}

// nextAnswer returns the next of the Answers, then one from More.
func (r *run) nextAnswer() Answer {
	if len(r.answers) > 0 {
		a := r.answers[0]
		r.answers = r.answers[1:]
		return a
	}
	if r.call.More == nil {
		return Answer{}
	}
	return r.call.More.Answer()
}

// noRedirects hands an HTTP redirect back as the response: a webhook must answer 200 with TwiML.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// or returns s, or def when s is empty.
func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
