package twiml

// This file holds the verbs that steer the call rather than talk or listen: Pause, Redirect,
// Enqueue, Reject, Hangup and Leave.

// Pause waits in silence.
//
// It renders as the empty element <Pause length/>.
type Pause struct {
	Length int // Optional, seconds; 0 omits it (Twilio waits 1 s).
}

// Redirect hands the call to the TwiML at URL.
//
// It renders as <Redirect method>URL</Redirect>.
type Redirect struct {
	URL    string // Required.
	Method string // Optional.
}

// Enqueue puts the caller in the queue Name.
//
// It renders as <Enqueue action method waitUrl waitUrlMethod>Name</Enqueue>.
type Enqueue struct {
	Name          string // Required.
	Action        string // Optional.
	Method        string // Optional.
	WaitURL       string // Optional.
	WaitURLMethod string // Optional.
}

// Reject refuses an incoming call without answering it.
//
// It renders as the empty element <Reject reason/>.
type Reject struct {
	Reason string // Optional: "rejected" (default) or "busy".
}

// Hangup ends the call. It renders as <Hangup/>.
type Hangup struct{}

// Leave takes the caller out of the queue it waits in. It renders as <Leave/>.
type Leave struct{}

func (Pause) isVerb()    {}
func (Redirect) isVerb() {}
func (Enqueue) isVerb()  {}
func (Reject) isVerb()   {}
func (Hangup) isVerb()   {}
func (Leave) isVerb()    {}

func (Pause) isPrompt() {}

func appendPause(dst []byte, p *Pause) ([]byte, error) {
	if err := checkCount("Pause.Length", p.Length, false); err != nil {
		return dst, err
	}
	dst = append(dst, "<Pause"...)
	dst = appendIntAttr(dst, ` length="`, p.Length)
	return append(dst, '/', '>'), nil
}

func appendRedirect(dst []byte, r *Redirect) ([]byte, error) {
	if r.URL == "" {
		return dst, problem("Redirect.URL is required")
	}
	dst = append(dst, "<Redirect"...)
	dst = appendAttr(dst, ` method="`, r.Method)
	return appendTextElement(dst, "Redirect", r.URL), nil
}

func appendEnqueue(dst []byte, e *Enqueue) ([]byte, error) {
	if e.Name == "" {
		return dst, problem("Enqueue.Name is required")
	}
	dst = append(dst, "<Enqueue"...)
	dst = appendAttr(dst, ` action="`, e.Action)
	dst = appendAttr(dst, ` method="`, e.Method)
	dst = appendAttr(dst, ` waitUrl="`, e.WaitURL)
	dst = appendAttr(dst, ` waitUrlMethod="`, e.WaitURLMethod)
	return appendTextElement(dst, "Enqueue", e.Name), nil
}

func appendReject(dst []byte, r *Reject) ([]byte, error) {
	dst = append(dst, "<Reject"...)
	dst = appendAttr(dst, ` reason="`, r.Reason)
	return append(dst, '/', '>'), nil
}
