package prompttext_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-ivr/switchboard/prompttext"
	"github.com/switchboard-ivr/switchboard/twiml"
)

func ExampleTemplate_Parts() {
	t, _ := prompttext.Parse("callback", `We will call {{ sayas "telephone" .number }} on {{ sayas "date" "mdy" .day }}.`)
	parts, _ := t.Parts(map[string]string{"number": "2025550143", "day": "12/25/2026"})
	b, _ := twiml.Response{Verbs: []twiml.Verb{twiml.Say{Voice: "Polly.Joanna", Parts: parts}}}.Render()
	fmt.Println(string(b))
	s, _ := t.Render(map[string]string{"number": "2025550143", "day": "12/25/2026"})
	fmt.Println(s)
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Joanna">We will call <say-as interpret-as="telephone">2025550143</say-as> on <say-as interpret-as="date" format="mdy">12/25/2026</say-as>.</Say></Response>
	// We will call 2025550143 on 12/25/2026.
}

func TestParseRefusesASayasTwilioCannotRead(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"a value Twilio does not list", `{{ sayas "currency" .x }}`, `"currency" is not a way Twilio reads a value`},
		{"a date without its format", `{{ sayas "date" .x }}`, `sayas "date" needs the date's format`},
		{"a format Twilio does not list", `{{ sayas "date" "iso" .x }}`, `"iso" is not a date format Twilio lists`},
		{"a format on something else", `{{ sayas "digits" "mdy" .x }}`, `sayas "digits" takes no format`},
		{"how to read it from a variable", `{{ sayas .how .x }}`, "must be a quoted word"},
		{"no value", `{{ sayas "digits" }}`, "sayas takes how to read the value and the value"},
		{"inside another function", `{{ printf "%s" (sayas "digits" .x) }}`, "sayas must be an action of its own"},
		{"piped", `{{ .x | sayas "digits" }}`, "sayas must be an action of its own"},
		{"assigned", `{{ $v := sayas "digits" .x }}`, "sayas must be an action of its own"},
		{"in a defined template", `{{ define "t" }}{{ sayas "money" .x }}{{ end }}{{ template "t" . }}`, `"money" is not a way Twilio reads a value`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := prompttext.Parse("p", tt.text)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%q) = %v, want an error containing %q", tt.text, err, tt.want)
			}
		})
	}
}

func TestPartsKeepOrderAndBounds(t *testing.T) {
	tmpl, err := prompttext.Parse("p", `{{ if .vip }}Dear {{ .name }}, {{ end }}code {{ sayas "characters" .code }}{{ sayas "digits" .empty }}, ref {{ sayas "digits" .ref }}`)
	if err != nil {
		t.Fatal(err)
	}
	parts, err := tmpl.Parts(map[string]string{"vip": "yes", "name": "Ann", "code": "AB1", "empty": "", "ref": "42"})
	if err != nil {
		t.Fatal(err)
	}
	want := []twiml.SayPart{{Text: "Dear Ann, code "}, {Text: "AB1", As: twiml.AsCharacters}, {Text: ", ref "}, {Text: "42", As: twiml.AsDigits}}
	if fmt.Sprint(parts) != fmt.Sprint(want) {
		t.Errorf("Parts = %v, want %v", parts, want)
	}
	long := strings.Repeat("9", prompttext.MaxText)
	if _, err := tmpl.Parts(map[string]string{"vip": "", "code": long, "empty": "", "ref": "1"}); err == nil {
		t.Error("a say-as value that takes the prompt past MaxText rendered")
	}
}

// Renders running at once each keep their own parts (each runs through its own clone).
func TestPartsAreSafeToRenderConcurrently(t *testing.T) {
	tmpl, err := prompttext.Parse("p", `n {{ sayas "digits" .n }}.`)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			for i := range 200 {
				v := fmt.Sprint(g*1000 + i)
				parts, err := tmpl.Parts(map[string]string{"n": v})
				if err == nil && (len(parts) != 3 || parts[1].Text != v || parts[1].As != twiml.AsDigits) {
					err = fmt.Errorf("parts %v for %s", parts, v)
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func BenchmarkPartsWithSayas(b *testing.B) {
	tmpl, _ := prompttext.Parse("p", `We will call {{ sayas "telephone" .number }} on {{ sayas "date" "mdy" .day }}.`)
	vars := map[string]string{"number": "2025550143", "day": "12/25/2026"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tmpl.Parts(vars); err != nil {
			b.Fatal(err)
		}
	}
}

// sayTree renders parts in a <Say> and parses it back: the say-as elements (interpret-as and
// text) in order, and all the text of the Say.
func sayTree(t testing.TB, parts []twiml.SayPart) (elems []string, text string) {
	b, err := twiml.Response{Verbs: []twiml.Verb{twiml.Say{Voice: "Polly.Joanna", Parts: parts}}}.Render()
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	var all strings.Builder
	var in *strings.Builder
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the document does not parse: %v\n%s", err, b)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > 2 {
				if tok.Name.Local != "say-as" || depth != 3 {
					t.Fatalf("an element <%s> at depth %d inside <Say>\n%s", tok.Name.Local, depth, b)
				}
				as := ""
				for _, a := range tok.Attr {
					as += a.Name.Local + "=" + a.Value + ";"
				}
				elems = append(elems, as)
				in = &strings.Builder{}
			}
		case xml.EndElement:
			if depth == 3 {
				elems[len(elems)-1] += in.String()
				in = nil
			}
			depth--
		case xml.CharData:
			all.Write(tok)
			if in != nil {
				in.Write(tok)
			}
		}
	}
	return elems, all.String()
}

// plainXML reports whether s survives XML as it is (valid UTF-8, no control character but tab
// and LF, no non-character): twiml writes U+FFFD for the others.
func plainXML(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if (unicode.IsControl(r) && r != '\t' && r != '\n') || r == 0xFFFE || r == 0xFFFF {
			return false
		}
	}
	return true
}

// FuzzSayasValuesCannotForgeParts renders untrusted values, inside and outside sayas, and checks
// that the <Say> holds exactly the one <say-as> the text has, with the value as its text.
func FuzzSayasValuesCannotForgeParts(f *testing.F) {
	for _, s := range []string{"2025550143", `</say-as><say-as interpret-as="expletive">`, "<![CDATA[x]]>", "&amp;", "a\uE000b\uE001", "\r\n", "]]>", "\xff", "{{ .x }}"} {
		f.Add(s, s)
	}
	tmpl, err := prompttext.Parse("p", `Call {{ sayas "telephone" .n }} now, {{ .m }}.`)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, n, m string) {
		parts, err := tmpl.Parts(map[string]string{"n": n, "m": m})
		if err != nil {
			if len(n)+len(m) > prompttext.MaxText-20 {
				return
			}
			t.Fatalf("Parts: %v", err)
		}
		elems, text := sayTree(t, parts)
		wantElems := 1
		if n == "" {
			wantElems = 0
		}
		if len(elems) != wantElems {
			t.Fatalf("%d <say-as> elements, want %d: %q", len(elems), wantElems, elems)
		}
		if !plainXML(n) || !plainXML(m) {
			return
		}
		if n != "" && elems[0] != "interpret-as=telephone;"+n {
			t.Errorf("say-as = %q, want the value %q", elems[0], n)
		}
		if want := "Call " + n + " now, " + m + "."; text != want {
			t.Errorf("text = %q, want %q", text, want)
		}
	})
}
