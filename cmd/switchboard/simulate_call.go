package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-ivr/switchboard/principals"
)

// call is one simulated phone call: the fields Twilio sends with every request, the answers
// left for gathers, and where events go.
type call struct {
	cfg      simConfig
	client   *http.Client
	out, log io.Writer
	in       *bufio.Scanner // the keyboard, with --interactive; nil once it is closed
	answers  []answer
	params   url.Values
	requests int
}

// hop is the next request of a call: a URL, its method, and the fields a verb adds.
type hop struct {
	method, url string
	extra       url.Values
}

// run makes requests and walks their TwiML until the call ends, and says how it ended.
func (c *call) run(ctx context.Context) (string, error) {
	next := &hop{method: http.MethodPost, url: c.cfg.url}
	for {
		if c.requests == c.cfg.maxRequests {
			return "", fmt.Errorf("the call made %d requests without ending: a loop? (--max-requests)", c.requests)
		}
		c.requests++
		doc, err := c.fetch(ctx, next)
		if err != nil {
			return "", err
		}
		c.params.Set("CallStatus", "in-progress")
		cur := next
		var end string
		if next, end, err = c.walk(doc, cur.url); err != nil {
			return "", fmt.Errorf("%s %s: %w; Twilio would say its application error and hang up", cur.method, cur.url, err)
		}
		if next == nil {
			return end, nil
		}
	}
}

// fetch sends one request signed as Twilio signs it and parses the TwiML it answers.
func (c *call) fetch(ctx context.Context, h *hop) (*element, error) {
	u, err := url.Parse(h.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("cannot follow %q: not an absolute http(s) URL", h.url)
	}
	u.Fragment, u.RawFragment = "", ""
	form := url.Values{}
	for k, vs := range c.params {
		form[k] = append([]string(nil), vs...)
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
	req.Header.Set("User-Agent", "TwilioProxy/1.1 (switchboard simulate)")
	// Twilio signs the URL it requests; the policy rebuilds it from its scheme and host plus the
	// request's path and query, exactly as the server will.
	signer, err := principals.NewTwilio(principals.TwilioOptions{
		Tokens:    []principals.Secret{principals.NewSecret(c.cfg.token)},
		PublicURL: u.Scheme + "://" + u.Host,
	})
	if err != nil {
		return nil, err
	}
	sig, err := signer.Sign(req)
	if err != nil {
		return nil, fmt.Errorf("signing %s %s: %v", h.method, target, err)
	}
	req.Header.Set("X-Twilio-Signature", sig)
	if c.cfg.verbose {
		fmt.Fprintf(c.log, "→ %s %s\n", h.method, target)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxTwiML+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the answer: %v", h.method, target, err)
	}
	ct := resp.Header.Get("Content-Type")
	if c.cfg.verbose {
		fmt.Fprintf(c.log, "← %s %s\n", resp.Status, ct)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: status %s; Twilio wants 200 with TwiML, and would say its application error and hang up", h.method, target, resp.Status)
	}
	if !isXML(ct) {
		return nil, fmt.Errorf("%s %s: Content-Type %q; Twilio wants text/xml or application/xml, and would say its application error and hang up", h.method, target, ct)
	}
	doc, err := parseTwiML(data)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w; Twilio would say its application error and hang up", h.method, target, err)
	}
	return doc, nil
}

// event prints one line of the transcript.
func (c *call) event(format string, a ...any) { fmt.Fprintf(c.out, format+"\n", a...) }

// walk plays a document's verbs in order. It returns the next request, or nil and how the call
// ended.
func (c *call) walk(doc *element, base string) (*hop, string, error) {
	for _, v := range doc.kids {
		var next *hop
		var end string
		var err error
		switch v.name {
		case "Say", "Play", "Pause":
			err = c.prompt(v)
		case "Gather":
			next, err = c.gather(v, base)
		case "Dial":
			next, err = c.dial(v, base)
		case "Record":
			next, err = c.record(v, base)
		case "Redirect":
			next, err = c.redirect(v, base)
		case "Enqueue":
			name := v.content()
			if name == "" && v.attr("workflowSid") == "" {
				return nil, "", v.errorf("no queue name")
			}
			c.event("ENQUEUE %s", or(name, "workflow "+v.attr("workflowSid")))
			end = "waiting in a queue"
		case "Hangup":
			c.event("HANGUP")
			end = "hung up"
		case "Reject":
			c.event("%s", strings.TrimSpace("REJECT "+v.attr("reason")))
			end = "rejected"
		case "Leave":
			c.event("LEAVE")
			end = "left the queue"
		case "Start", "Stop":
			c.event("%s (not simulated)", strings.ToUpper(v.name))
		case "Connect", "Pay", "Refer", "Echo", "Sms":
			c.event("%s (not simulated)", strings.ToUpper(v.name))
			end = "handed to <" + v.name + ">, which the simulator does not follow"
		default:
			err = fmt.Errorf("unknown verb <%s>", v.name)
		}
		if err != nil || next != nil || end != "" {
			return next, end, err
		}
	}
	return nil, "end of the document, where Twilio hangs up", nil
}

// prompt plays a <Say>, <Play> or <Pause>.
func (c *call) prompt(v *element) error {
	loop := ""
	if l := v.attr("loop"); l != "" && l != "1" {
		loop = " (loop " + l + ")"
		if l == "0" {
			loop = " (loop forever)"
		}
	}
	switch v.name {
	case "Say":
		text := v.content()
		if text == "" {
			return v.errorf("nothing to say")
		}
		c.event("SAY %s%s", text, loop)
	case "Play":
		switch u, d := v.content(), v.attr("digits"); {
		case u != "":
			c.event("PLAY %s%s", u, loop)
		case d != "":
			c.event("PLAY digits %s", d)
		default:
			return v.errorf("no URL to play")
		}
	case "Pause":
		n, err := atoiAttr(v, "length", 1)
		if err != nil {
			return err
		}
		c.event("PAUSE %d", n)
	}
	return nil
}

// gather plays a <Gather>'s prompts and answers it. With an answer it returns the request to the
// action; with none, nil: Twilio goes on with the next verb (unless actionOnEmptyResult).
func (c *call) gather(g *element, base string) (*hop, error) {
	for _, k := range g.kids {
		if k.name != "Say" && k.name != "Play" && k.name != "Pause" {
			return nil, fmt.Errorf("<Gather> cannot contain <%s>", k.name)
		}
		if err := c.prompt(k); err != nil {
			return nil, err
		}
	}
	method, err := defaultMethod(g)
	if err != nil {
		return nil, err
	}
	numDigits, err := atoiAttr(g, "numDigits", 0)
	if err != nil {
		return nil, err
	}
	input := or(g.attr("input"), "dtmf")
	dtmf, speech := strings.Contains(input, "dtmf"), strings.Contains(input, "speech")
	if !dtmf && !speech {
		return nil, g.errorf("input=%q is not dtmf, speech or \"dtmf speech\"", input)
	}
	finish := "#"
	for _, a := range g.attrs {
		if a.Name.Local == "finishOnKey" {
			finish = a.Value
		}
	}
	extra := url.Values{}
	a, ok := c.nextAnswer()
	switch {
	case ok && a.speech && speech:
		c.event("GATHER said %s", a.text)
		extra.Set("SpeechResult", a.text)
		extra.Set("Confidence", "0.92")
	case ok && !a.speech && dtmf:
		digits, key := keypad(a.text, finish, numDigits)
		if digits == "" {
			c.event("GATHER no input (pressed only %s)", key)
			break
		}
		c.event("GATHER pressed %s", digits)
		extra.Set("Digits", digits)
		if key != "" {
			extra.Set("FinishedOnKey", key)
		}
	case ok:
		did := "pressed"
		if a.speech {
			did = "said"
		}
		c.event("GATHER no input (%s %q, but it listens for %s)", did, a.text, input)
	default:
		c.event("GATHER no input")
	}
	if len(extra) == 0 && g.attr("actionOnEmptyResult") != "true" {
		return nil, nil
	}
	target, err := resolve(base, g.attr("action"))
	if err != nil {
		return nil, g.errorf("%v", err)
	}
	return &hop{method: method, url: target, extra: extra}, nil
}

// keypad returns the digits a gather collects from pressed: up to the first finish key (which it
// returns too) or numDigits digits.
func keypad(pressed, finish string, numDigits int) (digits, key string) {
	for i, r := range pressed {
		if numDigits > 0 && i == numDigits {
			return pressed[:i], ""
		}
		if strings.ContainsRune(finish, r) {
			return pressed[:i], string(r)
		}
	}
	return pressed, ""
}

// nextAnswer returns the next --press or --say, then with --interactive a line from the keyboard.
func (c *call) nextAnswer() (answer, bool) {
	if len(c.answers) > 0 {
		a := c.answers[0]
		c.answers = c.answers[1:]
		return a, true
	}
	if c.in == nil {
		return answer{}, false
	}
	fmt.Fprint(c.log, "? press digits, say words, or Enter for silence: ")
	if !c.in.Scan() {
		c.in = nil
		fmt.Fprintln(c.log)
		return answer{}, false
	}
	line := strings.TrimSpace(c.in.Text())
	if line == "" {
		return answer{}, false
	}
	return answer{speech: strings.Trim(line, "0123456789*#w") != "", text: line}, true
}

// dial connects the caller. With an action, Twilio requests it when the dialled call ends;
// without one, it goes on with the next verb.
func (c *call) dial(d *element, base string) (*hop, error) {
	targets, err := dialTargets(d)
	if err != nil {
		return nil, err
	}
	method, err := defaultMethod(d)
	if err != nil {
		return nil, err
	}
	status := c.cfg.dialStatus
	if status == "completed" {
		c.event("DIAL %s", strings.Join(targets, ", "))
	} else {
		c.event("DIAL %s (%s)", strings.Join(targets, ", "), status)
	}
	action := d.attr("action")
	if action == "" {
		return nil, nil
	}
	target, err := resolve(base, action)
	if err != nil {
		return nil, d.errorf("%v", err)
	}
	duration := "0"
	if status == "completed" || status == "answered" {
		duration = "42"
	}
	extra := url.Values{
		"DialCallStatus":   {status},
		"DialCallSid":      {"CA" + randomHex(16)},
		"DialCallDuration": {duration},
	}
	return &hop{method: method, url: target, extra: extra}, nil
}

// record takes a message. Twilio then requests the action, by default the current URL.
func (c *call) record(r *element, base string) (*hop, error) {
	method, err := defaultMethod(r)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString("RECORD")
	for _, a := range r.attrs {
		if a.Name.Local != "action" && a.Name.Local != "method" {
			fmt.Fprintf(&b, " %s=%s", a.Name.Local, a.Value)
		}
	}
	c.event("%s", b.String())
	target, err := resolve(base, r.attr("action"))
	if err != nil {
		return nil, r.errorf("%v", err)
	}
	sid := "RE" + randomHex(16)
	key := "hangup"
	finish := "1234567890*#"
	for _, a := range r.attrs {
		if a.Name.Local == "finishOnKey" {
			finish = a.Value
		}
	}
	if strings.Contains(finish, "#") {
		key = "#"
	} else if finish != "" {
		key = finish[:1]
	}
	extra := url.Values{
		"RecordingSid":      {sid},
		"RecordingUrl":      {"https://api.twilio.com/2010-04-01/Accounts/" + c.cfg.accountSid + "/Recordings/" + sid},
		"RecordingDuration": {"7"},
		"Digits":            {key},
	}
	return &hop{method: method, url: target, extra: extra}, nil
}

// redirect hands the call to another URL.
func (c *call) redirect(r *element, base string) (*hop, error) {
	ref := strings.TrimSpace(r.all)
	if ref == "" {
		return nil, r.errorf("no URL")
	}
	method, err := defaultMethod(r)
	if err != nil {
		return nil, err
	}
	c.event("REDIRECT %s", ref)
	target, err := resolve(base, ref)
	if err != nil {
		return nil, r.errorf("%v", err)
	}
	return &hop{method: method, url: target}, nil
}

// resolve resolves ref against the URL of the current document, as Twilio does; an empty ref is
// the current URL.
func resolve(base, ref string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	r, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return "", fmt.Errorf("bad URL %q: %v", ref, err)
	}
	return b.ResolveReference(r).String(), nil
}
