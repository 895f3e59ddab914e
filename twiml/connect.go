package twiml

import "strings"

// This file holds Connect, which hands the call to a service over a WebSocket, and what it
// connects to: a ConversationRelay (Twilio turns speech into text for an AI agent and speaks its
// replies) or a Stream (raw audio both ways).

// Connect hands the call to its Target until the session ends; Twilio then requests Action
// (with SessionStatus, SessionDuration and, for ConversationRelay, HandoffData), and the TwiML
// it answers continues the call. Without Action the call goes on with the next verb.
//
// It renders as <Connect action method> followed by its Target.
type Connect struct {
	Action string        // Optional; Twilio requests it when the session ends.
	Method string        // Optional; Twilio's default is POST.
	Target ConnectTarget // Required: a ConversationRelay or a Stream.
}

// ConnectTarget is what a [Connect] hands the call to: [ConversationRelay] or [Stream]. The set
// is closed.
type ConnectTarget interface{ isConnectTarget() }

// ConversationRelay connects the call to an agent's WebSocket server: Twilio transcribes the
// caller into "prompt" messages and speaks the agent's "text" replies. The attribute names are
// the ones Twilio documents, in this exact case (twilio-go v1.31.0 writes speechtimeout, for
// one, which Twilio does not read).
//
// It renders as <ConversationRelay url welcomeGreeting welcomeGreetingInterruptible language
// ttsLanguage transcriptionLanguage ttsProvider voice transcriptionProvider speechModel
// profanityFilter dtmfDetection interruptible preemptible partialPrompts hints
// interruptSensitivity debug speechTimeout reportInputDuringAgentSpeech intelligenceService>
// followed by its Languages and Parameters.
type ConversationRelay struct {
	URL                          string   // Required: the agent's wss:// URL.
	WelcomeGreeting              string   // Optional: spoken when the session starts.
	WelcomeGreetingInterruptible string   // Optional: none, dtmf, speech or any (Twilio's default any).
	Language                     string   // Optional: for speech and transcription, as en-US (Twilio's default en-US).
	TTSLanguage                  string   // Optional: overrides Language for speech.
	TranscriptionLanguage        string   // Optional: overrides Language for transcription.
	TTSProvider                  string   // Optional: as ElevenLabs, Google or Amazon.
	Voice                        string   // Optional: a voice of TTSProvider.
	TranscriptionProvider        string   // Optional: as Deepgram or Google.
	SpeechModel                  string   // Optional: a model of TranscriptionProvider.
	NoProfanityFilter            bool     // Optional; renders profanityFilter="false" (Twilio filters by default).
	DTMFDetection                bool     // Optional; renders dtmfDetection="true": keys reach the agent.
	Interruptible                string   // Optional: none, dtmf, speech or any (Twilio's default any).
	Preemptible                  bool     // Optional; renders preemptible="true".
	PartialPrompts               bool     // Optional; renders partialPrompts="true".
	Hints                        []string // Optional: words to expect, joined with ", ".
	InterruptSensitivity         string   // Optional: low, medium or high.
	Debug                        string   // Optional: space-separated debug options, as "debugging speaker-events".
	SpeechTimeout                string   // Optional: the silence that ends an utterance, as Twilio documents it.
	ReportInputDuringAgentSpeech string   // Optional: none, dtmf, speech or any.
	IntelligenceService          string   // Optional: a Conversational Intelligence service SID or name.
	Languages                    []Language
	Parameters                   []Parameter // Optional: arrive in the agent's setup message as customParameters.
}

// Stream connects the call's raw audio, both ways, to a WebSocket server. Inside a Connect the
// next instruction runs when the server closes the socket.
//
// It renders as <Stream url name track statusCallback statusCallbackMethod> followed by its
// Parameters.
type Stream struct {
	URL                  string      // Required: the server's wss:// URL.
	Name                 string      // Optional: a name unique to the call.
	Track                string      // Optional: inbound_track, outbound_track or both_tracks.
	StatusCallback       string      // Optional.
	StatusCallbackMethod string      // Optional.
	Parameters           []Parameter // Optional: arrive in the start message as customParameters.
}

// Language sets the speech and transcription settings of one language a [ConversationRelay]
// may switch to.
//
// It renders as the empty element <Language code ttsProvider voice transcriptionProvider
// speechModel/>.
type Language struct {
	Code                  string // Required, as es-MX.
	TTSProvider           string // Optional.
	Voice                 string // Optional.
	TranscriptionProvider string // Optional.
	SpeechModel           string // Optional.
}

// Parameter is a name and value handed to the WebSocket server when the session starts.
//
// It renders as the empty element <Parameter name value/>.
type Parameter struct {
	Name  string // Required.
	Value string // Optional.
}

func (Connect) isVerb()                    {}
func (ConversationRelay) isConnectTarget() {}
func (Stream) isConnectTarget()            {}

func appendConnect(dst []byte, c *Connect) ([]byte, error) {
	dst = append(dst, "<Connect"...)
	dst = appendAttr(dst, ` action="`, c.Action)
	dst = appendAttr(dst, ` method="`, c.Method)
	dst = append(dst, '>')
	var err error
	switch t := c.Target.(type) {
	case ConversationRelay:
		dst, err = appendConversationRelay(dst, &t)
	case *ConversationRelay:
		if t == nil {
			return dst, problem("nil *ConversationRelay")
		}
		dst, err = appendConversationRelay(dst, t)
	case Stream:
		dst, err = appendStream(dst, &t)
	case *Stream:
		if t == nil {
			return dst, problem("nil *Stream")
		}
		dst, err = appendStream(dst, t)
	case nil:
		return dst, problem("Connect.Target is required: a ConversationRelay or a Stream")
	default:
		return dst, problem("Connect.Target is not a twiml connect target (a type embedding one is not one)")
	}
	if err != nil {
		return dst, problem("Connect.Target: " + err.Error())
	}
	return appendEndTag(dst, "Connect"), nil
}

func appendConversationRelay(dst []byte, r *ConversationRelay) ([]byte, error) {
	if r.URL == "" {
		return dst, problem("ConversationRelay.URL is required")
	}
	dst = append(dst, "<ConversationRelay"...)
	dst = appendAttr(dst, ` url="`, r.URL)
	dst = appendAttr(dst, ` welcomeGreeting="`, r.WelcomeGreeting)
	dst = appendAttr(dst, ` welcomeGreetingInterruptible="`, r.WelcomeGreetingInterruptible)
	dst = appendAttr(dst, ` language="`, r.Language)
	dst = appendAttr(dst, ` ttsLanguage="`, r.TTSLanguage)
	dst = appendAttr(dst, ` transcriptionLanguage="`, r.TranscriptionLanguage)
	dst = appendAttr(dst, ` ttsProvider="`, r.TTSProvider)
	dst = appendAttr(dst, ` voice="`, r.Voice)
	dst = appendAttr(dst, ` transcriptionProvider="`, r.TranscriptionProvider)
	dst = appendAttr(dst, ` speechModel="`, r.SpeechModel)
	dst = appendBoolAttr(dst, ` profanityFilter="`, "false", r.NoProfanityFilter)
	dst = appendBoolAttr(dst, ` dtmfDetection="`, "true", r.DTMFDetection)
	dst = appendAttr(dst, ` interruptible="`, r.Interruptible)
	dst = appendBoolAttr(dst, ` preemptible="`, "true", r.Preemptible)
	dst = appendBoolAttr(dst, ` partialPrompts="`, "true", r.PartialPrompts)
	dst = appendAttr(dst, ` hints="`, strings.Join(r.Hints, ", "))
	dst = appendAttr(dst, ` interruptSensitivity="`, r.InterruptSensitivity)
	dst = appendAttr(dst, ` debug="`, r.Debug)
	dst = appendAttr(dst, ` speechTimeout="`, r.SpeechTimeout)
	dst = appendAttr(dst, ` reportInputDuringAgentSpeech="`, r.ReportInputDuringAgentSpeech)
	dst = appendAttr(dst, ` intelligenceService="`, r.IntelligenceService)
	if len(r.Languages) == 0 && len(r.Parameters) == 0 {
		return append(dst, '/', '>'), nil
	}
	dst = append(dst, '>')
	for i := range r.Languages {
		l := &r.Languages[i]
		if l.Code == "" {
			return dst, in("ConversationRelay.Languages", i, problem("Language.Code is required"))
		}
		dst = append(dst, "<Language"...)
		dst = appendAttr(dst, ` code="`, l.Code)
		dst = appendAttr(dst, ` ttsProvider="`, l.TTSProvider)
		dst = appendAttr(dst, ` voice="`, l.Voice)
		dst = appendAttr(dst, ` transcriptionProvider="`, l.TranscriptionProvider)
		dst = appendAttr(dst, ` speechModel="`, l.SpeechModel)
		dst = append(dst, '/', '>')
	}
	dst, err := appendParameters(dst, "ConversationRelay.Parameters", r.Parameters)
	if err != nil {
		return dst, err
	}
	return appendEndTag(dst, "ConversationRelay"), nil
}

func appendStream(dst []byte, s *Stream) ([]byte, error) {
	if s.URL == "" {
		return dst, problem("Stream.URL is required")
	}
	dst = append(dst, "<Stream"...)
	dst = appendAttr(dst, ` url="`, s.URL)
	dst = appendAttr(dst, ` name="`, s.Name)
	dst = appendAttr(dst, ` track="`, s.Track)
	dst = appendAttr(dst, ` statusCallback="`, s.StatusCallback)
	dst = appendAttr(dst, ` statusCallbackMethod="`, s.StatusCallbackMethod)
	if len(s.Parameters) == 0 {
		return append(dst, '/', '>'), nil
	}
	dst = append(dst, '>')
	dst, err := appendParameters(dst, "Stream.Parameters", s.Parameters)
	if err != nil {
		return dst, err
	}
	return appendEndTag(dst, "Stream"), nil
}

func appendParameters(dst []byte, field string, ps []Parameter) ([]byte, error) {
	for i := range ps {
		if ps[i].Name == "" {
			return dst, in(field, i, problem("Parameter.Name is required"))
		}
		dst = append(dst, "<Parameter"...)
		dst = appendAttr(dst, ` name="`, ps[i].Name)
		dst = appendAttr(dst, ` value="`, ps[i].Value)
		dst = append(dst, '/', '>')
	}
	return dst, nil
}
