package twiml

// Play plays an audio file, or sends DTMF digits into the call. Exactly one of URL and Digits
// is set.
//
// It renders as <Play loop digits>URL</Play>, or <Play loop digits/> when only Digits is set.
type Play struct {
	URL    string // The audio URL; empty when Digits is set.
	Loop   int    // Optional; 0 omits it, Forever renders loop="0".
	Digits string // Optional; DTMF digits to play ("w" waits half a second).
}

func (Play) isVerb()   {}
func (Play) isPrompt() {}

func appendPlay(dst []byte, p *Play) ([]byte, error) {
	switch {
	case p.URL == "" && p.Digits == "":
		return dst, problem("Play needs a URL or Digits")
	case p.URL != "" && p.Digits != "":
		return dst, problem("Play.URL and Play.Digits are both set; use one Play for each")
	}
	if err := checkCount("Play.Loop", p.Loop, true); err != nil {
		return dst, err
	}
	dst = append(dst, "<Play"...)
	dst = appendLoopAttr(dst, p.Loop)
	dst = appendAttr(dst, ` digits="`, p.Digits)
	return appendTextElement(dst, "Play", p.URL), nil
}
