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
