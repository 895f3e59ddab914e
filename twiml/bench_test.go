package twiml_test

import (
	"bytes"
	"testing"

	"github.com/switchboard-ivr/switchboard/twiml"
	twilio "github.com/twilio/twilio-go/twiml"
)

// The benchmark document is a one-key menu:
// <Gather numDigits="1" action="…"><Say>…</Say></Gather><Redirect>…</Redirect>.
const (
	benchAction   = "/ivr/welcome/choice?retry=1"
	benchPrompt   = "For sales press 1. For support press 2. For our hours press 3."
	benchRedirect = "/ivr/welcome?retry=1"
)

func benchMenu() twiml.Response {
	return twiml.Response{Verbs: []twiml.Verb{
		twiml.Gather{NumDigits: 1, Action: benchAction, Prompts: []twiml.Prompt{twiml.Say{Text: benchPrompt}}},
		twiml.Redirect{URL: benchRedirect},
	}}
}

// BenchmarkMenu measures the same document three ways. Each sub-benchmark builds the document
// and renders it in every iteration, as a handler with a dynamic part would.
func BenchmarkMenu(b *testing.B) {
	var sink []byte
	// ours/fresh: build the document and Render it into a new exact-size slice.
	b.Run("ours/fresh", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out, err := benchMenu().Render()
			if err != nil {
				b.Fatal(err)
			}
			sink = out
		}
	})
	// ours/append: build it and append to a buffer the caller reuses.
	b.Run("ours/append", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 1024)
		for b.Loop() {
			var err error
			if buf, err = benchMenu().AppendTo(buf[:0]); err != nil {
				b.Fatal(err)
			}
		}
		sink = buf
	})
	// ours/prerendered: render once, then serve the bytes: a copy into a reused response buffer.
	b.Run("ours/prerendered", func(b *testing.B) {
		b.ReportAllocs()
		page, err := benchMenu().Render()
		if err != nil {
			b.Fatal(err)
		}
		var w bytes.Buffer
		w.Grow(len(page))
		b.SetBytes(int64(len(page)))
		for b.Loop() {
			w.Reset()
			w.Write(page)
		}
		sink = w.Bytes()
	})
	// twilio-go: build the same elements and render them with twiml.Voice.
	b.Run("twilio-go", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s, err := twilio.Voice([]twilio.Element{
				twilio.VoiceGather{NumDigits: "1", Action: benchAction, InnerElements: []twilio.Element{
					twilio.VoiceSay{Message: benchPrompt},
				}},
				twilio.VoiceRedirect{Url: benchRedirect},
			})
			if err != nil {
				b.Fatal(err)
			}
			sink = []byte(s[:1])
		}
	})
	_ = sink
}
