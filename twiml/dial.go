package twiml

// Dial connects the caller to its Nouns.
//
// It renders as <Dial action method timeout callerId record answerOnBridge timeLimit
// hangupOnStar ringTone> followed by its Nouns.
type Dial struct {
	Action         string // Optional; Twilio requests it when the dialled call ends.
	Method         string // Optional.
	Timeout        int    // Optional, seconds to ring; 0 omits it (30 s).
	CallerID       string // Optional, E.164.
	Record         string // Optional; for example "record-from-answer".
	AnswerOnBridge bool   // Optional.
	TimeLimit      int    // Optional, seconds; 0 omits it.
	HangupOnStar   bool   // Optional.
	RingTone       string // Optional; a country code such as "us".
	Nouns          []Noun // Required: at least one.
}

func (Dial) isVerb() {}

// Number is a phone number to dial.
//
// It renders as <Number sendDigits url method statusCallbackEvent statusCallback
// statusCallbackMethod>Number</Number>.
type Number struct {
	Number     string // Required, E.164.
	SendDigits string // Optional.
	URL        string // Optional; TwiML run for the called party before connecting.
	Method     string // Optional.
	// StatusCallback is the URL Twilio tells of the dialed call's progress (its own CallSid, the
	// events of StatusCallbackEvent). Optional.
	StatusCallback string
	// StatusCallbackEvent lists the events reported, space-separated, among "initiated ringing
	// answered completed". Optional; Twilio's default is "completed".
	StatusCallbackEvent  string
	StatusCallbackMethod string // Optional; Twilio's default POST.
}

// Client is a Twilio Client identity to dial.
//
// It renders as <Client url method>Identity</Client>.
type Client struct {
	Identity string // Required.
	URL      string // Optional.
	Method   string // Optional.
}

// Sip is a SIP URI to dial.
//
// It renders as <Sip username password url method>URI</Sip>.
type Sip struct {
	URI      string // Required.
	Username string // Optional.
	Password string // Optional.
	URL      string // Optional.
	Method   string // Optional.
}

// Queue is a call queue to dial into (connecting the agent to the caller at its head).
//
// It renders as <Queue url method>Name</Queue>.
type Queue struct {
	Name   string // Required.
	URL    string // Optional.
	Method string // Optional.
}

// Conference is a named conference room.
//
// It renders as <Conference muted beep startConferenceOnEnter endConferenceOnExit waitUrl
// waitMethod maxParticipants>Name</Conference>.
type Conference struct {
	Name                     string // Required.
	Muted                    bool   // Optional.
	Beep                     string // Optional: "true", "false", "onEnter", "onExit".
	NoStartConferenceOnEnter bool   // Optional; renders startConferenceOnEnter="false".
	EndConferenceOnExit      bool   // Optional.
	WaitURL                  string // Optional.
	WaitMethod               string // Optional.
	MaxParticipants          int    // Optional; 0 omits it.
}

func (Number) isNoun()     {}
func (Client) isNoun()     {}
func (Sip) isNoun()        {}
func (Queue) isNoun()      {}
func (Conference) isNoun() {}

func appendDial(dst []byte, d *Dial) ([]byte, error) {
	if len(d.Nouns) == 0 {
		return dst, problem("Dial.Nouns is empty; dial at least one Number, Client, Sip, Queue or Conference")
	}
	if err := checkCount("Dial.Timeout", d.Timeout, false); err != nil {
		return dst, err
	}
	if err := checkCount("Dial.TimeLimit", d.TimeLimit, false); err != nil {
		return dst, err
	}
	dst = append(dst, "<Dial"...)
	dst = appendAttr(dst, ` action="`, d.Action)
	dst = appendAttr(dst, ` method="`, d.Method)
	dst = appendIntAttr(dst, ` timeout="`, d.Timeout)
	dst = appendAttr(dst, ` callerId="`, d.CallerID)
	dst = appendAttr(dst, ` record="`, d.Record)
	dst = appendBoolAttr(dst, ` answerOnBridge="`, "true", d.AnswerOnBridge)
	dst = appendIntAttr(dst, ` timeLimit="`, d.TimeLimit)
	dst = appendBoolAttr(dst, ` hangupOnStar="`, "true", d.HangupOnStar)
	dst = appendAttr(dst, ` ringTone="`, d.RingTone)
	dst = append(dst, '>')
	for i, n := range d.Nouns {
		var err error
		if dst, err = appendNoun(dst, n); err != nil {
			return dst, in("Dial.Nouns", i, err)
		}
	}
	return appendEndTag(dst, "Dial"), nil
}

// appendNoun renders one thing a Dial connects to.
func appendNoun(dst []byte, n Noun) ([]byte, error) {
	switch n := n.(type) {
	case Number:
		return appendNumber(dst, &n)
	case *Number:
		if n == nil {
			return dst, problem("nil *Number")
		}
		return appendNumber(dst, n)
	case Client:
		return appendClient(dst, &n)
	case *Client:
		if n == nil {
			return dst, problem("nil *Client")
		}
		return appendClient(dst, n)
	case Sip:
		return appendSip(dst, &n)
	case *Sip:
		if n == nil {
			return dst, problem("nil *Sip")
		}
		return appendSip(dst, n)
	case Queue:
		return appendQueue(dst, &n)
	case *Queue:
		if n == nil {
			return dst, problem("nil *Queue")
		}
		return appendQueue(dst, n)
	case Conference:
		return appendConference(dst, &n)
	case *Conference:
		if n == nil {
			return dst, problem("nil *Conference")
		}
		return appendConference(dst, n)
	case nil:
		return dst, problem("nil Noun")
	default:
		return dst, problem("not a twiml noun (a type embedding one is not one)")
	}
}

func appendNumber(dst []byte, n *Number) ([]byte, error) {
	if n.Number == "" {
		return dst, problem("Number.Number is required")
	}
	dst = append(dst, "<Number"...)
	dst = appendAttr(dst, ` sendDigits="`, n.SendDigits)
	dst = appendAttr(dst, ` url="`, n.URL)
	dst = appendAttr(dst, ` method="`, n.Method)
	dst = appendAttr(dst, ` statusCallbackEvent="`, n.StatusCallbackEvent)
	dst = appendAttr(dst, ` statusCallback="`, n.StatusCallback)
	dst = appendAttr(dst, ` statusCallbackMethod="`, n.StatusCallbackMethod)
	return appendTextElement(dst, "Number", n.Number), nil
}

func appendClient(dst []byte, c *Client) ([]byte, error) {
	if c.Identity == "" {
		return dst, problem("Client.Identity is required")
	}
	dst = append(dst, "<Client"...)
	dst = appendAttr(dst, ` url="`, c.URL)
	dst = appendAttr(dst, ` method="`, c.Method)
	return appendTextElement(dst, "Client", c.Identity), nil
}

func appendSip(dst []byte, s *Sip) ([]byte, error) {
	if s.URI == "" {
		return dst, problem("Sip.URI is required")
	}
	dst = append(dst, "<Sip"...)
	dst = appendAttr(dst, ` username="`, s.Username)
	dst = appendAttr(dst, ` password="`, s.Password)
	dst = appendAttr(dst, ` url="`, s.URL)
	dst = appendAttr(dst, ` method="`, s.Method)
	return appendTextElement(dst, "Sip", s.URI), nil
}

func appendQueue(dst []byte, q *Queue) ([]byte, error) {
	if q.Name == "" {
		return dst, problem("Queue.Name is required")
	}
	dst = append(dst, "<Queue"...)
	dst = appendAttr(dst, ` url="`, q.URL)
	dst = appendAttr(dst, ` method="`, q.Method)
	return appendTextElement(dst, "Queue", q.Name), nil
}

func appendConference(dst []byte, c *Conference) ([]byte, error) {
	if c.Name == "" {
		return dst, problem("Conference.Name is required")
	}
	if err := checkCount("Conference.MaxParticipants", c.MaxParticipants, false); err != nil {
		return dst, err
	}
	dst = append(dst, "<Conference"...)
	dst = appendBoolAttr(dst, ` muted="`, "true", c.Muted)
	dst = appendAttr(dst, ` beep="`, c.Beep)
	dst = appendBoolAttr(dst, ` startConferenceOnEnter="`, "false", c.NoStartConferenceOnEnter)
	dst = appendBoolAttr(dst, ` endConferenceOnExit="`, "true", c.EndConferenceOnExit)
	dst = appendAttr(dst, ` waitUrl="`, c.WaitURL)
	dst = appendAttr(dst, ` waitMethod="`, c.WaitMethod)
	dst = appendIntAttr(dst, ` maxParticipants="`, c.MaxParticipants)
	return appendTextElement(dst, "Conference", c.Name), nil
}
