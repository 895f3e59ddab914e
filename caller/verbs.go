package caller

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// walk plays a document's verbs in order. It returns the next request, or nil and how the call
// ended.
func (r *run) walk(doc *Element, base string) (*hop, string, error) {
	for _, v := range doc.Children {
		var next *hop
		var end string
		var err error
		switch v.Name {
		case "Say", "Play", "Pause":
			err = r.prompt(v)
		case "Gather":
			next, end, err = r.gather(v, base)
		case "Dial":
			next, err = r.dial(v, base)
		case "Record":
			next, err = r.record(v, base)
		case "Redirect":
			next, err = r.redirect(v, base)
		case "Enqueue":
			name := v.Text()
			if name == "" && v.Attr("workflowSid") == "" {
				return nil, "", v.errorf("no queue name")
			}
			r.emit(v.Name, or(name, "workflow "+v.Attr("workflowSid")))
			end = "waiting in a queue"
		case "Hangup":
			r.emit(v.Name, "")
			end = "hung up"
		case "Reject":
			r.emit(v.Name, v.Attr("reason"))
			end = "rejected"
		case "Leave":
			r.emit(v.Name, "")
			end = "left the queue"
		case "Start", "Stop":
			r.emit(v.Name, "(not simulated)")
		case "Connect":
			if r.call.AgentEnd == "" && r.call.AgentStatus == "" {
				r.emit(v.Name, "(not simulated)")
				end = "handed to <Connect>, which the simulator does not follow (set an agent end to finish the session)"
				break
			}
			next, err = r.connect(v, base)
			if err == nil && next == nil {
				continue // no action: Twilio goes on with the next verb
			}
		case "Pay", "Refer", "Echo", "Sms":
			r.emit(v.Name, "(not simulated)")
			end = "handed to <" + v.Name + ">, which the simulator does not follow"
		default:
			err = fmt.Errorf("unknown verb <%s>", v.Name)
		}
		if err != nil || next != nil || end != "" {
			return next, end, err
		}
	}
	return nil, "end of the document, where Twilio hangs up", nil
}

// prompt plays a <Say>, <Play> or <Pause>.
func (r *run) prompt(v *Element) error {
	loop := ""
	if l := v.Attr("loop"); l != "" && l != "1" {
		loop = " (loop " + l + ")"
		if l == "0" {
			loop = " (loop forever)"
		}
	}
	switch v.Name {
	case "Say":
		text := v.Text()
		if text == "" {
			return v.errorf("nothing to say")
		}
		r.emit(v.Name, text+loop)
	case "Play":
		switch u, d := v.Text(), v.Attr("digits"); {
		case u != "":
			r.emit(v.Name, u+loop)
		case d != "":
			r.emit(v.Name, "digits "+d)
		default:
			return v.errorf("no URL to play")
		}
	case "Pause":
		n, err := atoiAttr(v, "length", 1)
		if err != nil {
			return err
		}
		r.emit(v.Name, strconv.Itoa(n))
	}
	return nil
}

// gather plays a <Gather>'s prompts and answers it. With an answer it returns the request to the
// action; with none, nil: Twilio goes on with the next verb (unless actionOnEmptyResult). When
// the caller hangs up, it returns how the call ended.
func (r *run) gather(g *Element, base string) (*hop, string, error) {
	for _, k := range g.Children {
		if k.Name != "Say" && k.Name != "Play" && k.Name != "Pause" {
			return nil, "", fmt.Errorf("<Gather> cannot contain <%s>", k.Name)
		}
		if err := r.prompt(k); err != nil {
			return nil, "", err
		}
	}
	method, err := defaultMethod(g)
	if err != nil {
		return nil, "", err
	}
	numDigits, err := atoiAttr(g, "numDigits", 0)
	if err != nil {
		return nil, "", err
	}
	input := or(g.Attr("input"), "dtmf")
	dtmf, speech := strings.Contains(input, "dtmf"), strings.Contains(input, "speech")
	if !dtmf && !speech {
		return nil, "", g.errorf("input=%q is not dtmf, speech or \"dtmf speech\"", input)
	}
	finish := "#"
	for _, a := range g.Attrs {
		if a.Name.Local == "finishOnKey" {
			finish = a.Value
		}
	}
	extra := url.Values{}
	switch a := r.nextAnswer(); {
	case a.kind == hangUp:
		r.emit(g.Name, "hung up")
		return nil, "the caller hung up", nil
	case a.kind == say && speech:
		r.emit(g.Name, "said "+a.text)
		extra.Set("SpeechResult", a.text)
		extra.Set("Confidence", "0.92")
	case a.kind == press && dtmf:
		digits, key := keypad(a.text, finish, numDigits)
		if digits == "" {
			r.emit(g.Name, "no input (pressed only "+key+")")
			break
		}
		r.emit(g.Name, "pressed "+digits)
		extra.Set("Digits", digits)
		if key != "" {
			extra.Set("FinishedOnKey", key)
		}
	case a.kind == say:
		r.emit(g.Name, fmt.Sprintf("no input (said %q, but it listens for %s)", a.text, input))
	case a.kind == press:
		r.emit(g.Name, fmt.Sprintf("no input (pressed %q, but it listens for %s)", a.text, input))
	default:
		r.emit(g.Name, "no input")
	}
	if len(extra) == 0 && g.Attr("actionOnEmptyResult") != "true" {
		return nil, "", nil
	}
	target, err := resolve(base, g.Attr("action"))
	if err != nil {
		return nil, "", g.errorf("%v", err)
	}
	return &hop{method: method, url: target, extra: extra}, "", nil
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

// dial connects the caller. With an action, Twilio requests it when the dialled call ends;
// without one, it goes on with the next verb.
func (r *run) dial(d *Element, base string) (*hop, error) {
	targets, err := dialTargets(d)
	if err != nil {
		return nil, err
	}
	method, err := defaultMethod(d)
	if err != nil {
		return nil, err
	}
	status := r.dialStatus
	if status == "completed" {
		r.emit(d.Name, strings.Join(targets, ", "))
	} else {
		r.emit(d.Name, strings.Join(targets, ", ")+" ("+status+")")
	}
	action := d.Attr("action")
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

// connect finishes an agent session at once, with the call's AgentStatus and AgentEnd, and
// follows the Connect action as Twilio does when the session ends.
func (r *run) connect(c *Element, base string) (*hop, error) {
	var target string
	for _, k := range c.Children {
		if k.Name == "ConversationRelay" || k.Name == "Stream" {
			target = k.Name + " " + k.Attr("url")
		}
	}
	if target == "" {
		return nil, c.errorf("no <ConversationRelay> or <Stream>")
	}
	status := or(r.call.AgentStatus, "completed")
	r.emit(c.Name, target+" (session "+status+", handoff "+or(r.call.AgentEnd, "none")+")")
	action := c.Attr("action")
	if action == "" {
		return nil, nil
	}
	method, err := defaultMethod(c)
	if err != nil {
		return nil, err
	}
	u, err := resolve(base, action)
	if err != nil {
		return nil, c.errorf("%v", err)
	}
	extra := url.Values{
		"SessionId":       {"GX" + randomHex(16)},
		"SessionStatus":   {status},
		"SessionDuration": {"42"},
	}
	if r.call.AgentEnd != "" {
		extra.Set("HandoffData", r.call.AgentEnd)
	}
	return &hop{method: method, url: u, extra: extra}, nil
}

// dialTargets returns what a <Dial> connects to, as the transcript prints them: numbers and SIP
// URIs as they are, "client:NAME", "conference NAME", "queue NAME".
func dialTargets(d *Element) ([]string, error) {
	if len(d.Children) == 0 {
		n := d.Text()
		if n == "" {
			return nil, d.errorf("nothing to dial: put a number in it or a noun such as <Number>")
		}
		return []string{n}, nil
	}
	var out []string
	for _, k := range d.Children {
		text := k.Text()
		if text == "" {
			return nil, fmt.Errorf("<Dial><%s>: empty", k.Name)
		}
		switch k.Name {
		case "Number", "Sip":
			out = append(out, text)
		case "Client":
			out = append(out, "client:"+text)
		case "Conference":
			out = append(out, "conference "+text)
		case "Queue":
			out = append(out, "queue "+text)
		case "Application":
			out = append(out, "application "+text)
		default:
			return nil, fmt.Errorf("<Dial> cannot contain <%s>", k.Name)
		}
	}
	return out, nil
}

// record takes a message. Twilio then requests the action, by default the current URL.
func (r *run) record(v *Element, base string) (*hop, error) {
	method, err := defaultMethod(v)
	if err != nil {
		return nil, err
	}
	var attrs []string
	for _, a := range v.Attrs {
		if a.Name.Local != "action" && a.Name.Local != "method" {
			attrs = append(attrs, a.Name.Local+"="+a.Value)
		}
	}
	r.emit(v.Name, strings.Join(attrs, " "))
	target, err := resolve(base, v.Attr("action"))
	if err != nil {
		return nil, v.errorf("%v", err)
	}
	sid := "RE" + randomHex(16)
	key := "hangup"
	finish := "1234567890*#"
	for _, a := range v.Attrs {
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
		"RecordingUrl":      {"https://api.twilio.com/2010-04-01/Accounts/" + r.params.Get("AccountSid") + "/Recordings/" + sid},
		"RecordingDuration": {"7"},
		"Digits":            {key},
	}
	return &hop{method: method, url: target, extra: extra}, nil
}

// redirect hands the call to another URL.
func (r *run) redirect(v *Element, base string) (*hop, error) {
	ref := strings.TrimSpace(v.all)
	if ref == "" {
		return nil, v.errorf("no URL")
	}
	method, err := defaultMethod(v)
	if err != nil {
		return nil, err
	}
	r.emit(v.Name, ref)
	target, err := resolve(base, ref)
	if err != nil {
		return nil, v.errorf("%v", err)
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
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return "", fmt.Errorf("bad URL %q: %v", ref, err)
	}
	return b.ResolveReference(u).String(), nil
}

// defaultMethod returns a verb's method attribute, POST by default.
func defaultMethod(v *Element) (string, error) {
	m := strings.ToUpper(v.Attr("method"))
	switch m {
	case "":
		return http.MethodPost, nil
	case http.MethodGet, http.MethodPost:
		return m, nil
	}
	return "", v.errorf("method %q is neither GET nor POST", v.Attr("method"))
}

// atoiAttr reads a whole-number attribute, def when absent.
func atoiAttr(v *Element, name string, def int) (int, error) {
	s := v.Attr(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, v.errorf("%s=%q is not a whole number", name, s)
	}
	return n, nil
}
