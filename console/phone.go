package console

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-ivr/switchboard/caller"
	"github.com/switchboard-ivr/switchboard/diagram"
	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/sandbox"
)

// callRequest is a call from the page's phone. The page keeps no call on the server: each key
// pressed sends every answer so far, and the call is placed again from the start, which a flow
// allows because it keeps its state in signed URLs.
type callRequest struct {
	From    string   `json:"from"`    // the caller's number; default +15555550142
	To      string   `json:"to"`      // the number called (Twilio's Called: languages.by_called); default caller.Call's
	At      string   `json:"at"`      // the time of day, "2006-01-02T15:04" in the flow's time zone; default now
	Answers []answer `json:"answers"` // the answers to the gathers, in order
	HangUp  bool     `json:"hangup"`  // the caller hangs up at the next gather instead of waiting
	// Attest is the SHAKEN/STIR attestation Twilio reports for the caller's number, sent as
	// StirVerstat: one of attestations; "" sends none.
	Attest string `json:"attest"`
	// AgentEnd is the handoff data (JSON, at most maxAgentEnd bytes) every agent session of the
	// call ends with at once, so a flow with an agent step is tried with no agent running; with
	// AgentFailed the sessions fail instead. Both empty: the call stops at the agent.
	AgentEnd    string `json:"agent_end"`
	AgentFailed bool   `json:"agent_failed"`
}

// maxAgentEnd bounds the handoff data a call from the page may carry.
const maxAgentEnd = 1024

// attestations are the StirVerstat values the phone offers, by the names it shows.
var attestations = map[string]string{
	"A": "TN-Validation-Passed-A", "B": "TN-Validation-Passed-B", "C": "TN-Validation-Passed-C",
	"failed": "TN-Validation-Failed", "none": "No-TN-Validation",
}

type answer struct {
	Press string `json:"press,omitempty"` // digits
	Say   string `json:"say,omitempty"`   // words
	// neither: silence, the "wait" button
}

// callAnswer is what the phone shows.
type callAnswer struct {
	Lines   []string `json:"lines"`             // the transcript, as simulate prints it
	Path    []string `json:"path"`              // the diagram nodes the call went through, in order
	Current string   `json:"current,omitempty"` // the node the call is at, or ended at
	Waiting *waiting `json:"waiting,omitempty"` // the gather that listens for the next answer
	Ended   string   `json:"ended,omitempty"`   // how the call ended
	Error   string   `json:"error,omitempty"`   // what Twilio would have refused
}

// waiting describes the gather the call waits at, so the keypad knows when a choice is complete.
type waiting struct {
	NumDigits   int    `json:"numDigits"`   // 0: until the finish key
	FinishOnKey string `json:"finishOnKey"` // "#" unless the gather says otherwise
	Input       string `json:"input"`       // dtmf, speech or "dtmf speech"
	Sensitive   bool   `json:"sensitive"`   // the digits are masked in the transcript
}

// Bounds of one call from the page: the answers it may carry and the requests it may make.
const (
	maxAnswers      = 100
	maxAnswerLength = 64
	maxCallRequests = 60
)

// stopAtGather answers the gather after the page's last answer by hanging up, and remembers
// that it did: the call is waiting there for the caller's next key.
type stopAtGather struct{ asked bool }

func (s *stopAtGather) Answer() caller.Answer { s.asked = true; return caller.HangUp() }

func (c *Console) serveCall(w http.ResponseWriter, r *http.Request) {
	var req callRequest
	if !decode(w, r, &req) {
		return
	}
	s := c.good.Load()
	if s == nil {
		problem(w, http.StatusConflict, "the files have not loaded yet: see the problems")
		return
	}
	from := or(strings.TrimSpace(req.From), "+15555550142")
	if !principals.IsE164(from) && from != "anonymous" {
		problem(w, http.StatusBadRequest, "the caller's number must be E.164, such as +15555550123, or anonymous")
		return
	}
	to := strings.TrimSpace(req.To)
	if to != "" && !principals.IsE164(to) {
		problem(w, http.StatusBadRequest, "the called number must be E.164, such as +15555550150")
		return
	}
	verstat, ok := attestations[req.Attest]
	if !ok && req.Attest != "" {
		problem(w, http.StatusBadRequest, "attest must be A, B, C, failed, none or empty")
		return
	}
	if len(req.AgentEnd) > maxAgentEnd || (req.AgentEnd != "" && !json.Valid([]byte(req.AgentEnd))) {
		problem(w, http.StatusBadRequest, `the agent's handoff data must be JSON of at most 1024 bytes, such as {"reason":"transfer"}`)
		return
	}
	if len(req.Answers) > maxAnswers {
		problem(w, http.StatusBadRequest, "too many answers for one call")
		return
	}
	answers := make([]caller.Answer, 0, len(req.Answers))
	for _, a := range req.Answers {
		switch {
		case len(a.Press) > maxAnswerLength || len(a.Say) > maxAnswerLength:
			problem(w, http.StatusBadRequest, "an answer is longer than 64 characters")
			return
		case a.Press != "" && strings.Trim(a.Press, "0123456789*#") != "":
			problem(w, http.StatusBadRequest, "press only digits, * and #")
			return
		case a.Press != "":
			answers = append(answers, caller.Press(a.Press))
		case a.Say != "":
			answers = append(answers, caller.Say(a.Say))
		default:
			answers = append(answers, caller.Silence())
		}
	}
	at := c.opts.Now().In(s.zone)
	if req.At != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", req.At, s.zone)
		if err != nil {
			problem(w, http.StatusBadRequest, "the time of day must look like 2026-11-23T10:00")
			return
		}
		at = t
	}
	more := &stopAtGather{}
	call := caller.Call{From: from, To: to, StirVerstat: verstat, Answers: answers, More: more, MaxRequests: maxCallRequests, AgentEnd: req.AgentEnd}
	if req.AgentFailed {
		call.AgentStatus = "failed"
	}
	if req.HangUp {
		call.Answers = append(call.Answers, caller.HangUp())
		call.More = nil
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	s.callMu.Lock()
	s.at = at
	res, err := s.sb.Call(ctx, call)
	s.callMu.Unlock()
	writeJSON(w, http.StatusOK, s.answer(res, err, more.asked))
}

// answer turns a sandbox result into what the phone shows.
func (s *snapshot) answer(res sandbox.Result, err error, waitingAtGather bool) callAnswer {
	var a callAnswer
	a.Lines = res.Lines()
	if err != nil {
		a.Error = err.Error()
		if errors.Is(err, caller.ErrMaxRequests) {
			a.Error = "the call went round " + strconv.Itoa(maxCallRequests) + " times without ending: a loop?"
		}
	}
	// Digits pressed on a sensitive menu are shown masked, like in the logs.
	var sensitive []string
	for _, rq := range res.Requests {
		if rt := s.compiled.Route(rq.Path); rt != nil && rt.Sensitive && rq.Digits != "" {
			sensitive = append(sensitive, rq.Digits)
		}
		if rq.Node == "" {
			continue
		}
		if n, ok := s.diagram.Node(rq.Node); ok && (len(a.Path) == 0 || a.Path[len(a.Path)-1] != n.ID) {
			a.Path = append(a.Path, n.ID)
		}
	}
	for i, l := range a.Lines {
		for _, d := range sensitive {
			if l == "GATHER pressed "+d {
				a.Lines[i] = "GATHER pressed " + diagram.Masked
			}
		}
	}
	if waitingAtGather && len(a.Lines) > 0 && a.Lines[len(a.Lines)-1] == "GATHER hung up" {
		a.Lines = a.Lines[:len(a.Lines)-1]
		var body []byte
		if n := len(res.Requests); n > 0 {
			body = res.Requests[n-1].Body
		}
		a.Waiting = waitingAt(body)
		if rq := len(res.Requests); rq > 0 {
			if rt := s.compiled.Route(res.Requests[rq-1].Path); rt != nil {
				a.Waiting.Sensitive = rt.Sensitive
			}
		}
	} else if err == nil {
		a.Ended = res.End
		if exit := s.exitOf(res.Events); exit != "" && (len(a.Path) == 0 || a.Path[len(a.Path)-1] != exit) {
			a.Path = append(a.Path, exit)
		}
	}
	if len(a.Path) > 0 {
		a.Current = a.Path[len(a.Path)-1]
	}
	return a
}

// exitOf returns the diagram node of where the call left the flow: the dial, queue,
// recording or hang-up of its last event.
func (s *snapshot) exitOf(events []caller.Event) string {
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		var name string
		switch e.Verb {
		case "Dial":
			number, _, _ := strings.Cut(e.Text, " ")
			name = "dial " + strings.TrimSuffix(number, ",")
		case "Enqueue":
			name = "queue " + e.Text
		case "Hangup":
			name = "hangup"
		case "Record":
			name = "record"
		case "Redirect":
			name = "redirect " + e.Text
		case "Say", "Play", "Pause", "Gather":
			continue
		}
		if n, ok := s.diagram.Node(name); ok && n.Kind == diagram.Exit {
			return n.ID
		}
		return ""
	}
	return ""
}

// waitingAt reads the attributes of the last <Gather> of a TwiML document.
func waitingAt(doc []byte) *waiting {
	w := &waiting{FinishOnKey: "#", Input: "dtmf"}
	dec := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := dec.Token()
		if err != nil {
			return w
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Gather" {
			continue
		}
		*w = waiting{FinishOnKey: "#", Input: "dtmf"}
		for _, at := range se.Attr {
			switch at.Name.Local {
			case "numDigits":
				w.NumDigits, _ = strconv.Atoi(at.Value)
			case "finishOnKey":
				w.FinishOnKey = at.Value
			case "input":
				w.Input = at.Value
			}
		}
	}
}
