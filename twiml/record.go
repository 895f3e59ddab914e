package twiml

// Record records the caller, for example a voicemail.
//
// It renders as the empty element <Record action method timeout finishOnKey maxLength playBeep
// trim transcribe transcribeCallback recordingStatusCallback/>.
type Record struct {
	Action                  string // Optional.
	Method                  string // Optional.
	Timeout                 int    // Optional, seconds of silence; 0 omits it (5 s), Forever renders "0".
	FinishOnKey             string // Optional.
	MaxLength               int    // Optional, seconds; 0 omits it (3600 s).
	NoBeep                  bool   // Optional; renders playBeep="false".
	Trim                    string // Optional: "trim-silence" or "do-not-trim".
	Transcribe              bool   // Optional.
	TranscribeCallback      string // Optional.
	RecordingStatusCallback string // Optional.
}

func (Record) isVerb() {}

func appendRecord(dst []byte, r *Record) ([]byte, error) {
	if err := checkCount("Record.Timeout", r.Timeout, true); err != nil {
		return dst, err
	}
	if err := checkCount("Record.MaxLength", r.MaxLength, false); err != nil {
		return dst, err
	}
	dst = append(dst, "<Record"...)
	dst = appendAttr(dst, ` action="`, r.Action)
	dst = appendAttr(dst, ` method="`, r.Method)
	if r.Timeout == Forever {
		dst = append(dst, ` timeout="0"`...)
	} else {
		dst = appendIntAttr(dst, ` timeout="`, r.Timeout)
	}
	dst = appendAttr(dst, ` finishOnKey="`, r.FinishOnKey)
	dst = appendIntAttr(dst, ` maxLength="`, r.MaxLength)
	dst = appendBoolAttr(dst, ` playBeep="`, "false", r.NoBeep)
	dst = appendAttr(dst, ` trim="`, r.Trim)
	dst = appendBoolAttr(dst, ` transcribe="`, "true", r.Transcribe)
	dst = appendAttr(dst, ` transcribeCallback="`, r.TranscribeCallback)
	dst = appendAttr(dst, ` recordingStatusCallback="`, r.RecordingStatusCallback)
	return append(dst, '/', '>'), nil
}
