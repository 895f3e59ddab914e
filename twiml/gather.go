package twiml

// Gather collects DTMF digits or speech, optionally while playing its Prompts.
//
// It renders as <Gather input action method timeout numDigits finishOnKey speechTimeout
// speechModel hints language actionOnEmptyResult profanityFilter bargeIn> followed by its
// Prompts, or as an empty element when it has none.
type Gather struct {
	Input               string   // Optional: "dtmf" (Twilio's default), "speech" or "dtmf speech".
	Action              string   // Optional; Twilio defaults to the current URL.
	Method              string   // Optional: "POST" (default) or "GET".
	Timeout             int      // Optional, seconds of silence before giving up; 0 omits it (5 s).
	NumDigits           int      // Optional; 0 omits it.
	FinishOnKey         string   // Optional; empty omits it (Twilio uses "#").
	NoFinishOnKey       bool     // Optional; renders finishOnKey="" so no key ends input. Excludes FinishOnKey.
	SpeechTimeout       string   // Optional: seconds, or "auto".
	SpeechModel         string   // Optional; for example "phone_call".
	Hints               []string // Optional; rendered joined by ", ", so a hint should hold no comma.
	Language            string   // Optional; speech recognition language.
	ActionOnEmptyResult bool     // Optional; call Action even when nothing was gathered.
	NoProfanityFilter   bool     // Optional; renders profanityFilter="false".
	NoBargeIn           bool     // Optional; renders bargeIn="false".
	Prompts             []Prompt // Optional; spoken while waiting for input.
}

func (Gather) isVerb() {}

func appendGather(dst []byte, g *Gather) ([]byte, error) {
	if g.NoFinishOnKey && g.FinishOnKey != "" {
		return dst, problem("Gather.FinishOnKey and Gather.NoFinishOnKey are both set")
	}
	if err := checkCount("Gather.Timeout", g.Timeout, false); err != nil {
		return dst, err
	}
	if err := checkCount("Gather.NumDigits", g.NumDigits, false); err != nil {
		return dst, err
	}
	dst = append(dst, "<Gather"...)
	dst = appendAttr(dst, ` input="`, g.Input)
	dst = appendAttr(dst, ` action="`, g.Action)
	dst = appendAttr(dst, ` method="`, g.Method)
	dst = appendIntAttr(dst, ` timeout="`, g.Timeout)
	dst = appendIntAttr(dst, ` numDigits="`, g.NumDigits)
	if g.NoFinishOnKey {
		dst = append(dst, ` finishOnKey=""`...)
	} else {
		dst = appendAttr(dst, ` finishOnKey="`, g.FinishOnKey)
	}
	dst = appendAttr(dst, ` speechTimeout="`, g.SpeechTimeout)
	dst = appendAttr(dst, ` speechModel="`, g.SpeechModel)
	if len(g.Hints) > 0 {
		dst = append(dst, ` hints="`...)
		for i, h := range g.Hints {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendEscaped(dst, h, &attrEscaper)
		}
		dst = append(dst, '"')
	}
	dst = appendAttr(dst, ` language="`, g.Language)
	dst = appendBoolAttr(dst, ` actionOnEmptyResult="`, "true", g.ActionOnEmptyResult)
	dst = appendBoolAttr(dst, ` profanityFilter="`, "false", g.NoProfanityFilter)
	dst = appendBoolAttr(dst, ` bargeIn="`, "false", g.NoBargeIn)
	if len(g.Prompts) == 0 {
		return append(dst, '/', '>'), nil
	}
	dst = append(dst, '>')
	for i, p := range g.Prompts {
		var err error
		if dst, err = appendPrompt(dst, p); err != nil {
			return dst, in("Gather.Prompts", i, err)
		}
	}
	return appendEndTag(dst, "Gather"), nil
}

// appendPrompt renders a verb that may stand alone or inside a Gather.
func appendPrompt(dst []byte, p Prompt) ([]byte, error) {
	switch p := p.(type) {
	case Say:
		return appendSay(dst, &p)
	case *Say:
		if p == nil {
			return dst, problem("nil *Say")
		}
		return appendSay(dst, p)
	case Play:
		return appendPlay(dst, &p)
	case *Play:
		if p == nil {
			return dst, problem("nil *Play")
		}
		return appendPlay(dst, p)
	case Pause:
		return appendPause(dst, &p)
	case *Pause:
		if p == nil {
			return dst, problem("nil *Pause")
		}
		return appendPause(dst, p)
	case nil:
		return dst, problem("nil Prompt")
	default:
		return dst, problem("not a twiml prompt (a type embedding one is not one)")
	}
}
