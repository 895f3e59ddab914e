package flow

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A prompt's sayas values are <say-as> elements of its <Say>, escaped: the golden file holds the
// document a call hears, and no value a backend sends adds an element.
func TestSayasRendersSayAsElements(t *testing.T) {
	rt := loadFile(t, "testdata/sayas.yaml").Route("/ivr/callback")
	b, err := rt.Answer(Input{Vars: map[string]string{"callback_number": "2025550143"}})
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "sayas_callback.answer.xml", b)

	hostile := `555</say-as><say-as interpret-as="expletive">0143`
	b, err = rt.Answer(Input{Vars: map[string]string{"callback_number": hostile, "due": "<break/>"}})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Say struct {
			Voice string `xml:"voice,attr"`
			Text  string `xml:",chardata"`
			As    []struct {
				InterpretAs string `xml:"interpret-as,attr"`
				Format      string `xml:"format,attr"`
				Text        string `xml:",innerxml"`
			} `xml:"say-as"`
			Other []struct{ XMLName xml.Name } `xml:",any"`
		}
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	s := doc.Say
	if s.Voice != "Polly.Joanna" || len(s.As) != 2 || len(s.Other) != 0 {
		t.Fatalf("Say: voice %q, %d say-as, other elements %v\n%s", s.Voice, len(s.As), s.Other, b)
	}
	if s.As[0].InterpretAs != "telephone" || s.As[0].Text != "555&lt;/say-as&gt;&lt;say-as interpret-as=\"expletive\"&gt;0143" {
		t.Errorf("first say-as = %+v", s.As[0])
	}
	if s.As[1].InterpretAs != "date" || s.As[1].Format != "mdy" || s.As[1].Text != "&lt;break/&gt;" {
		t.Errorf("second say-as = %+v", s.As[1])
	}
}

// sayas is checked before serving: a way of reading Twilio does not list is an error, and so is
// a voice that does not read SSML; no voice at all (Twilio's default, which an account may set to
// a Polly voice) is a warning. Each at the prompt's file:line:col.
func TestSayasIsCheckedAtItsPosition(t *testing.T) {
	flow := `version: 1
call_center: "+15555550100"
start: a
backends:
  crm: {url: "https://crm.example.com/ivr"}
variables:
  n: {type: string, default: "1"}
menus:
  a:
    fetch: {backend: crm, sets: [n]}
    say: '{{ sayas "currency" .n }}'
    gather:
      prompt:
        - {say: 'Call {{ sayas "telephone" .n }}', voice: alice}
        - {say: 'Call {{ sayas "telephone" .n }}', voice: Google.en-US-Standard-C}
      options: {"1": b}
  b:
    say: 'Code {{ sayas "characters" .n }}'
    hangup: true
  c:
    voice: Polly.Matthew
    say: 'Code {{ sayas "characters" .n }}'
    goto: a
`
	want := []string{
		`bad.yaml:11:10: menus.a.say[0].say: the text's {{ … }} does not parse:`,
		`bad.yaml:14:17: menus.a.gather.prompt[0].say: sayas is read as SSML only by Amazon Polly and Google voices, and this prompt is spoken by "alice"`,
		`bad.yaml:18:10: menus.b.say[0].say: warning: sayas is read as SSML only by Amazon Polly and Google voices, and this prompt names no voice`,
	}
	path := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(path, []byte(flow), 0o644); err != nil {
		t.Fatal(err)
	}
	_, probs := Load(path, nil)
	got := probs.String()
	for _, w := range want {
		if !strings.Contains(got, strings.Replace(w, "bad.yaml", path, 1)) {
			t.Errorf("problems lack\n%s\ngot\n%s", w, got)
		}
	}
	if n := strings.Count(got, "sayas is read as SSML"); n != 2 {
		t.Errorf("%d voice problems, want 2 (Polly and Google voices read SSML):\n%s", n, got)
	}
	if !strings.Contains(got, `"currency" is not a way Twilio reads a value`) {
		t.Errorf("the parse error does not name the value:\n%s", got)
	}
	if !bytes.Contains([]byte(got), []byte("warning")) {
		t.Error("no warning")
	}
}
