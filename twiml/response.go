package twiml

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
)

// ContentType is the Content-Type to serve rendered TwiML with.
const ContentType = "text/xml; charset=utf-8"

// MaxSize is the largest TwiML document Twilio accepts, in bytes (error 11750 above it).
const MaxSize = 64 * 1024

// ErrTooLarge is returned (wrapped) when a document renders to more than [MaxSize] bytes.
var ErrTooLarge = errors.New("twiml: document exceeds Twilio's 64 kB limit")

// ErrInvalid is returned (wrapped) when a document breaks a rule Twilio would refuse it for: a
// required field left empty, a negative count, a nil verb, or two fields that contradict each
// other. The wrapping error names the verb and field, as in "Verbs[2]: Gather.Prompts[0]: Say.Text
// is required".
var ErrInvalid = errors.New("invalid TwiML")

// Verb is one TwiML verb in a [Response]. The set is closed: only this package's types implement
// it. A pointer to a verb (*[Say]) is rendered like the verb itself.
type Verb interface{ isVerb() }

// Prompt is a verb that may be nested in a [Gather]: [Say], [Play] or [Pause].
type Prompt interface {
	Verb
	isPrompt()
}

// Noun is something a [Dial] connects to: [Number], [Client], [Sip], [Queue] or [Conference].
type Noun interface{ isNoun() }

// Forever, as a Loop value, renders loop="0": Twilio repeats until the call ends or input arrives.
// As Record.Timeout it renders timeout="0": never stop on silence.
const Forever = -1

// Response is a whole TwiML document: <Response> and its verbs, in order.
type Response struct {
	Verbs []Verb
}

// header starts every document.
const header = `<?xml version="1.0" encoding="UTF-8"?>`

// renderPool holds scratch buffers for [Response.Render], so that a render allocates only the
// bytes it returns.
var renderPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// Render returns the document as a new byte slice of exactly its length. Render it once and
// serve the bytes many times; see [Response.AppendTo] for the format and the errors.
func (r Response) Render() ([]byte, error) {
	bp := renderPool.Get().(*[]byte)
	buf, err := r.AppendTo((*bp)[:0])
	var out []byte
	if err == nil {
		out = make([]byte, len(buf))
		copy(out, buf)
	}
	if cap(buf) <= 2*MaxSize { // a huge document that failed is not worth keeping
		*bp = buf
		renderPool.Put(bp)
	}
	return out, err
}

// AppendTo appends the rendered document to dst and returns the extended slice. The document is
// the XML declaration followed by <Response> and its verbs, with no whitespace between elements;
// an empty Response renders as <Response/>. AppendTo does not allocate when dst has room.
//
// It fails with an error wrapping [ErrTooLarge] rather than cut a document Twilio would refuse,
// or [ErrInvalid] for a document Twilio would reject. On error it returns dst with its original
// length and no output.
func (r Response) AppendTo(dst []byte) ([]byte, error) {
	start := len(dst)
	dst = append(dst, header...)
	if len(r.Verbs) == 0 {
		return append(dst, "<Response/>"...), nil
	}
	dst = append(dst, "<Response>"...)
	for i, v := range r.Verbs {
		var err error
		if dst, err = appendVerb(dst, v); err != nil {
			return dst[:start], fmt.Errorf("twiml: Verbs[%d]: %s: %w", i, err, ErrInvalid)
		}
		if len(dst)-start > MaxSize { // stop early: the rest can only make it longer
			return dst[:start], fmt.Errorf("%w (%d bytes up to Verbs[%d])", ErrTooLarge, len(dst)-start, i)
		}
	}
	dst = append(dst, "</Response>"...)
	if n := len(dst) - start; n > MaxSize {
		return dst[:start], fmt.Errorf("%w (%d bytes)", ErrTooLarge, n)
	}
	return dst, nil
}

// appendVerb renders one top-level verb.
func appendVerb(dst []byte, v Verb) ([]byte, error) {
	switch v := v.(type) {
	case Say, *Say, Play, *Play, Pause, *Pause:
		return appendPrompt(dst, v.(Prompt))
	case Gather:
		return appendGather(dst, &v)
	case *Gather:
		if v == nil {
			return dst, problem("nil *Gather")
		}
		return appendGather(dst, v)
	case Dial:
		return appendDial(dst, &v)
	case *Dial:
		if v == nil {
			return dst, problem("nil *Dial")
		}
		return appendDial(dst, v)
	case Record:
		return appendRecord(dst, &v)
	case *Record:
		if v == nil {
			return dst, problem("nil *Record")
		}
		return appendRecord(dst, v)
	case Redirect:
		return appendRedirect(dst, &v)
	case *Redirect:
		if v == nil {
			return dst, problem("nil *Redirect")
		}
		return appendRedirect(dst, v)
	case Enqueue:
		return appendEnqueue(dst, &v)
	case *Enqueue:
		if v == nil {
			return dst, problem("nil *Enqueue")
		}
		return appendEnqueue(dst, v)
	case Reject:
		return appendReject(dst, &v)
	case *Reject:
		if v == nil {
			return dst, problem("nil *Reject")
		}
		return appendReject(dst, v)
	case Connect:
		return appendConnect(dst, &v)
	case *Connect:
		if v == nil {
			return dst, problem("nil *Connect")
		}
		return appendConnect(dst, v)
	case Hangup, *Hangup:
		return append(dst, "<Hangup/>"...), nil
	case Leave, *Leave:
		return append(dst, "<Leave/>"...), nil
	case nil:
		return dst, problem("nil Verb")
	default:
		// Only a type that embeds one of ours gets here; rendering it as the embedded verb
		// would silently drop whatever the outer type adds.
		return dst, problem("not a twiml verb (a type embedding one is not one)")
	}
}

// problem describes what is wrong with one verb or noun; AppendTo wraps it with where it is and
// [ErrInvalid].
type problem string

func (p problem) Error() string { return string(p) }

// in prefixes p with the field and index it was found at, as in "Gather.Prompts[1]: ".
func in(field string, i int, err error) error {
	return problem(field + "[" + strconv.Itoa(i) + "]: " + err.Error())
}

// checkCount reports a negative count, which Twilio has no meaning for. Forever is accepted when
// forever is true.
func checkCount(field string, n int, forever bool) error {
	if n >= 0 || (forever && n == Forever) {
		return nil
	}
	if forever {
		return problem(field + " is negative (use 0 to omit it, or Forever)")
	}
	return problem(field + " is negative (use 0 to omit it)")
}

// appendLoopAttr appends loop="n", loop="0" for Forever, or nothing for 0.
func appendLoopAttr(dst []byte, n int) []byte {
	if n == Forever {
		return append(dst, ` loop="0"`...)
	}
	return appendIntAttr(dst, ` loop="`, n)
}
