package twiml_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/twiml"
)

// xmlSafeBytewise is the documented replacement, written independently of the renderer: every
// character XML 1.0 cannot carry (https://www.w3.org/TR/xml/#charsets) becomes U+FFFD, one per
// byte that is not valid UTF-8.
func xmlSafeBytewise(s string) string {
	var b strings.Builder
	for _, r := range s { // invalid bytes come out as U+FFFD one at a time
		switch {
		case r == '\t' || r == '\n' || r == '\r',
			0x20 <= r && r <= 0xD7FF,
			0xE000 <= r && r <= 0xFFFD,
			0x10000 <= r && r <= 0x10FFFF:
			b.WriteRune(r)
		default:
			b.WriteRune('\uFFFD')
		}
	}
	return b.String()
}

// parseSay reads a rendered one-Say document with encoding/xml and returns the Say's text and
// voice attribute. It fails unless the document is exactly the declaration, <Response>, and one
// <Say> holding only text.
func parseSay(doc []byte) (text, voice string, err error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	var shape []string
	var tb strings.Builder
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", "", fmt.Errorf("output is not well-formed XML: %w", err)
		}
		switch tok := tok.(type) {
		case xml.ProcInst:
			shape = append(shape, "<?"+tok.Target)
		case xml.StartElement:
			shape = append(shape, "<"+tok.Name.Local)
			for _, a := range tok.Attr {
				shape = append(shape, "@"+a.Name.Local)
				voice = a.Value
			}
		case xml.EndElement:
			shape = append(shape, "/"+tok.Name.Local)
		case xml.CharData:
			tb.Write(tok)
		default:
			shape = append(shape, fmt.Sprintf("%T", tok))
		}
	}
	if got := strings.Join(shape, " "); got != "<?xml <Response <Say @voice /Say /Response" {
		return "", "", fmt.Errorf("unexpected document shape %s", got)
	}
	return tb.String(), voice, nil
}

func TestEscaping(t *testing.T) {
	for _, tc := range []struct {
		name       string
		given      string
		expectText string // the Say element's content as written
		expectAttr string // the voice attribute's value as written
	}{
		{"PlainTextIsCopied", "Press 1 for sales.", "Press 1 for sales.", "Press 1 for sales."},
		{"MarkupCharactersAreEscaped", `a&b<c>d`, `a&amp;b&lt;c&gt;d`, `a&amp;b&lt;c&gt;d`},
		{"QuotesStayLiteralInTextButNotInAttributes", `"it's"`, `"it's"`, `&quot;it&apos;s&quot;`},
		{"CDATAEndIsBroken", `]]>`, `]]&gt;`, `]]&gt;`},
		{"TabAndNewlineStayInTextButAreReferencesInAttributes", "a\tb\nc", "a\tb\nc", "a&#x9;b&#xA;c"},
		{"CarriageReturnIsAlwaysAReference", "a\r\nb", "a&#xD;\nb", "a&#xD;&#xA;b"},
		{"ForbiddenControlsBecomeReplacementCharacters", "a\x00b\x1fc", "a\uFFFDb\uFFFDc", "a\uFFFDb\uFFFDc"},
		{"EachInvalidUTF8ByteBecomesOneReplacementCharacter", "a\xff\xfeb", "a\uFFFD\uFFFDb", "a\uFFFD\uFFFDb"},
		{"LoneSurrogateBecomesReplacementCharacters", "\xed\xa0\x80", "\uFFFD\uFFFD\uFFFD", "\uFFFD\uFFFD\uFFFD"},
		{"NonCharactersFFFEAndFFFFAreReplaced", "\uFFFE\uFFFF", "\uFFFD\uFFFD", "\uFFFD\uFFFD"},
		{"ReplacementCharacterItselfIsKept", "\uFFFD", "\uFFFD", "\uFFFD"},
		{"DeleteAndC1ControlsAreLegalAndKept", "\x7f\u0085", "\x7f\u0085", "\x7f\u0085"},
		{"AstralCharactersAreKept", "☎️ 📞", "☎️ 📞", "☎️ 📞"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := string(render(t, doc(twiml.Say{Text: tc.given, Voice: tc.given})))
			want := `<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="` + tc.expectAttr + `">` + tc.expectText + `</Say></Response>`
			if got != want {
				t.Errorf("\ngot:  %q\nwant: %q", got, want)
			}
		})
	}
}

// FuzzSayText checks that any string, as Say text and as an attribute value, renders to
// well-formed XML that encoding/xml reads back as the same string after the documented U+FFFD
// replacement, and that nothing else is in the document.
func FuzzSayText(f *testing.F) {
	for _, s := range []string{
		"Thanks for calling Acme.", `<&>"'`, "]]>", "a\r\nb\tc\rd", "\x00\x01\x1f\x7f",
		"\xff\xfe", "\xed\xa0\x80", "\uFFFE\uFFFF\uFFFD", "caf\u00e9 \U0001F4DE", "&amp;", "<Say>x</Say>",
		"\xc3", "\xe2\x82", "\xf4\x90\x80\x80", " leading and trailing ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if s == "" {
			return // Say.Text is required; TestInvalidDocumentsAreRejected covers it
		}
		out, err := twiml.Response{Verbs: []twiml.Verb{twiml.Say{Text: s, Voice: s}}}.Render()
		if 2*6*len(s)+200 < twiml.MaxSize && err != nil { // each byte grows to at most 6, and s is written twice
			t.Fatalf("Render(%q): %v", s, err)
		}
		if err != nil {
			return
		}
		text, voice, err := parseSay(out)
		if err != nil {
			t.Fatalf("%v\n%q", err, out)
		}
		want := xmlSafeBytewise(s)
		if text != want {
			t.Errorf("text round trip:\ngiven %q\ngot   %q\nwant  %q\nxml   %q", s, text, want, out)
		}
		if voice != want {
			t.Errorf("attribute round trip:\ngiven %q\ngot   %q\nwant  %q\nxml   %q", s, voice, want, out)
		}
	})
}
