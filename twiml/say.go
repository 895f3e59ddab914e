package twiml

// Say speaks Text with text-to-speech.
//
// It renders as <Say voice language loop>Text</Say>.
type Say struct {
	Text     string // Required.
	Voice    string // Optional; for example "Polly.Joanna" or "alice".
	Language string // Optional; for example "en-US".
	Loop     int    // Optional; 0 omits it (Twilio says it once), Forever renders loop="0".
}

func (Say) isVerb()   {}
func (Say) isPrompt() {}

func appendSay(dst []byte, s *Say) ([]byte, error) {
	if s.Text == "" {
		return dst, problem("Say.Text is required")
	}
	if err := checkCount("Say.Loop", s.Loop, true); err != nil {
		return dst, err
	}
	dst = append(dst, "<Say"...)
	dst = appendAttr(dst, ` voice="`, s.Voice)
	dst = appendAttr(dst, ` language="`, s.Language)
	dst = appendLoopAttr(dst, s.Loop)
	return appendTextElement(dst, "Say", s.Text), nil
}
