package console_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/console"
)

// The console's phone hears a stubbed backend's answer, and an unstubbed backend's on_error; a
// flow whose backend URL comes from an unset environment variable still loads.
func TestThePhoneHearsAStubbedBackend(t *testing.T) {
	dir := t.TempDir()
	flowFile := filepath.Join(dir, "bank.yaml")
	stub := filepath.Join(dir, "bank.json")
	for name, text := range map[string]string{
		flowFile: "version: 1\nstart: balance\nbackends: {bank: {url: \"${CONSOLE_TEST_UNSET_BANK_URL}\"}}\nvariables: {balance: {type: number}}\nmenus:\n  balance:\n    fetch: {backend: bank, sets: [balance], on_error: {say: Not available., hangup: true}}\n    say: \"Your balance is {{ money .balance }}.\"\n    hangup: true\n",
		stub:     `{"balance": 42.1}`,
	} {
		if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	stubbed := newConsole(t, &console.Options{FlowFile: flowFile, Backends: map[string]string{"bank": stub}})
	if a := call(t, stubbed, `{}`); !strings.Contains(strings.Join(a.Lines, "\n"), "SAY Your balance is $42.10.") {
		t.Errorf("stubbed: %+v", a)
	}
	unstubbed := newConsole(t, &console.Options{FlowFile: flowFile})
	if a := call(t, unstubbed, `{}`); !strings.Contains(strings.Join(a.Lines, "\n"), "SAY Not available.") {
		t.Errorf("not stubbed: %+v", a)
	}
}
