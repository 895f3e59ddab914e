package twiml

// Say speaks Text with text-to-speech.
//
// It renders as <Say voice language loop>Text</Say>. With Parts instead of Text, the content is
// each part in order: plain text, or an SSML <say-as> element (see [SayPart]).
type Say struct {
	Text     string    // Required, unless Parts is set.
	Parts    []SayPart // Optional; instead of Text, never with it.
	Voice    string    // Optional; for example "Polly.Joanna" or "alice".
	Language string    // Optional; for example "en-US".
	Loop     int       // Optional; 0 omits it (Twilio says it once), Forever renders loop="0".
}

func (Say) isVerb()   {}
func (Say) isPrompt() {}

func appendSay(dst []byte, s *Say) ([]byte, error) {
	if s.Text == "" && len(s.Parts) == 0 {
		return dst, problem("Say.Text is required")
	}
	if s.Text != "" && len(s.Parts) > 0 {
		return dst, problem("Say has both Text and Parts: set one")
	}
	for i := range s.Parts {
		if err := checkSayPart(&s.Parts[i]); err != nil {
			return dst, in("Say.Parts", i, err)
		}
	}
	if err := checkCount("Say.Loop", s.Loop, true); err != nil {
		return dst, err
	}
	dst = append(dst, "<Say"...)
	dst = appendAttr(dst, ` voice="`, s.Voice)
	dst = appendAttr(dst, ` language="`, s.Language)
	dst = appendLoopAttr(dst, s.Loop)
	if len(s.Parts) == 0 {
		return appendTextElement(dst, "Say", s.Text), nil
	}
	dst = append(dst, '>')
	for i := range s.Parts {
		dst = appendSayPart(dst, &s.Parts[i])
	}
	return appendEndTag(dst, "Say"), nil
}
