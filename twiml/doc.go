// Package twiml renders TwiML voice documents from typed Go values, deterministically and fast.
//
// A [Response] holds a list of [Verb] values. The set of verbs is closed: only the types in this
// package implement [Verb], and only [Say], [Play] and [Pause] implement [Prompt], so a [Gather]
// that would nest a [Dial] does not compile. Likewise only [Number], [Client], [Sip], [Queue] and
// [Conference] implement [Noun], the things a [Dial] can connect to, and only [ConversationRelay]
// and [Stream] implement [ConnectTarget], what a [Connect] hands the call to (an AI agent, or raw
// audio, over a WebSocket).
//
// # Output
//
// Rendering is deterministic: the same document always yields the same bytes. A document is
// the declaration <?xml version="1.0" encoding="UTF-8"?> followed by <Response>, with no
// whitespace between elements. Attributes are written in the order of the fields of the Go
// type, which each type's doc comment lists. Optional attributes are omitted when they hold
// their zero value; the few whose zero is meaningful to Twilio have a sentinel documented on the
// field ([Forever], Gather.NoFinishOnKey, the No… booleans). An element with neither text nor
// children is written in its empty form, as <Hangup/>; an empty Response is <Response/>.
//
// # Escaping
//
// Text is escaped as &amp; &lt; &gt;, and a carriage return as &#xD; so that it survives the
// parser's line-end normalization. Attribute values additionally escape &quot; and &apos;, and
// tab, line feed and carriage return as &#x9; &#xA; &#xD;, which a parser would otherwise turn
// into spaces. Every other character passes through as UTF-8, so text parsed back from the
// output equals the input.
//
// XML 1.0 cannot carry some characters at all, not even as references: the C0 controls other
// than tab, line feed and carriage return, the non-characters U+FFFE and U+FFFF, and anything
// that is not valid UTF-8 (lone surrogates included). Rather than fail a whole call over one
// stray byte, or emit a document Twilio would refuse, the renderer writes U+FFFD (the
// replacement character) in their place, one per invalid byte or character. This is the only
// way the output can differ from the input.
//
// # Errors and size
//
// A document Twilio would reject is an error wrapping [ErrInvalid] that names the verb and
// field: a required field left empty, a negative count, a nil verb. A document over [MaxSize]
// is an error wrapping [ErrTooLarge]; output is never cut short.
//
// Package twiml knows nothing of HTTP: render a document once into bytes with
// [Response.Render] and serve those bytes with [ContentType] as many times as you like, which
// costs a copy; or append it to a buffer you reuse with [Response.AppendTo].
package twiml
