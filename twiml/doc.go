// Package twiml renders TwiML voice documents from typed Go values, deterministically and fast.
//
// A [Response] holds a list of [Verb] values. The set of verbs is closed: only the types in this
// package implement [Verb], and only [Say], [Play] and [Pause] implement [Prompt], so a [Gather]
// that would nest a [Dial] does not compile. Likewise only [Number], [Client], [Sip], [Queue] and
// [Conference] implement [Noun], the things a [Dial] can connect to.
//
// Rendering is deterministic: the same document always yields the same bytes, attributes in a
// fixed order. Optional attributes are omitted when they hold their zero value; the few whose
// zero is meaningful to Twilio have a sentinel documented on the field.
//
// Package twiml knows nothing of HTTP: render a document once into bytes and serve those bytes
// with [ContentType] as many times as you like.
package twiml
