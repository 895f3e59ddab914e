package flow

import (
	"os"
	"strings"
	"testing"
)

// The complete flow in the README is what a newcomer copies first: it must load, validate with no
// problem at all, and compile.
func TestTheREADMEsFlowIsValid(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start := strings.Index(text, "```yaml\nversion: 1\n")
	if start < 0 {
		t.Fatal("README.md has no ```yaml block starting with version: 1")
	}
	body := text[start+len("```yaml\n"):]
	body = body[:strings.Index(body, "```")]
	f, probs := Parse("README.md", []byte(body), nil)
	if len(probs) > 0 {
		t.Fatalf("the README's flow has problems:\n%s", probs)
	}
	if _, err := Compile(f, &CompileOptions{Validated: true}); err != nil {
		t.Fatal(err)
	}
}

// The Languages section's example is a working fragment: with a version, a start and the sales
// menu it names, it loads with no problem at all, and the demo's validate output it quotes holds.
func TestTheREADMEsLanguagesExampleIsValid(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	at := strings.Index(text, "## Languages\n")
	if at < 0 {
		t.Fatal("README.md has no Languages section")
	}
	body := text[at:]
	start := strings.Index(body, "```yaml\n")
	body = body[start+len("```yaml\n"):]
	body = body[:strings.Index(body, "```")]
	src := "version: 1\nstart: welcome\n" + body + "  sales:\n    say: {en-US: Sales., es-MX: Ventas., fr-CA: Ventes.}\n    hangup: true\n"
	f, probs := Parse("README.md", []byte(src), nil)
	if len(probs) > 0 {
		t.Fatalf("the README's languages example has problems:\n%s", probs)
	}
	c, err := Compile(f, &CompileOptions{Validated: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Languages(); strings.Join(got, ",") != "en-US,es-MX,fr-CA" {
		t.Errorf("languages %v", got)
	}
}
