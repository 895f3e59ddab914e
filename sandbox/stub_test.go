package sandbox_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/backend"
	"github.com/switchboard-ivr/switchboard/caller"
	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/sandbox"
)

const bankFlow = `version: 1
start: balance
backends: {bank: {url: "${BANK_URL}"}}
variables: {balance: {type: number}}
menus:
  balance:
    fetch: {backend: bank, sets: [balance], on_error: {say: Not available., hangup: true}}
    say: "Your balance is {{ money .balance }}."
    hangup: true
`

// A stub answers like a backend, within a backend's bounds; a stub file over them, or not a
// JSON object, is refused when it loads.
func TestStubsAnswerWithinABackendsBounds(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name, given string
		wantErr     bool
	}{
		{"object", `{"balance": 42.1}`, false},
		{"fail", "fail\n", false},
		{"list", `[1]`, true},
		{"nested", `{"a": {"b": 1}}`, true},
		{"huge", `{"a": "` + strings.Repeat("x", backend.MaxAnswer) + `"}`, true},
	} {
		path := filepath.Join(dir, tt.name+".json")
		if err := os.WriteFile(path, []byte(tt.given), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := sandbox.LoadStub(path)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: LoadStub = %v, want error %v", tt.name, err, tt.wantErr)
		}
	}
	s, _ := sandbox.LoadStub(sandbox.StubFail)
	if _, err := s.Fetch(context.Background(), backend.Call{}); !errors.Is(err, sandbox.ErrStubFailed) {
		t.Errorf("the fail stub answered %v", err)
	}
}

func ExampleNewStub() {
	stub, _ := sandbox.NewStub([]byte(`{"balance": -3.5}`))
	sb, err := sandbox.New(&sandbox.Options{
		Flow:     framework.Text("bank.yaml", bankFlow),
		Backends: map[string]framework.Fetcher{"bank": stub},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := sb.Call(context.Background(), caller.Call{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(res.Transcript)
	// Output:
	// SAY Your balance is minus $3.50.
	// HANGUP
}

// A stub under a name the flow does not declare is refused, naming the backends it does: a
// misspelt --backend would otherwise leave the real backend failing every fetch, silently.
func TestAStubOfAnUndeclaredBackendIsRefused(t *testing.T) {
	stub, _ := sandbox.NewStub([]byte(`{"balance": 1}`))
	for _, tt := range []struct {
		name, flow, stub, want string
	}{
		{"misspelt", bankFlow, "bnak", `backend "bnak" is stubbed, but the flow declares no backend of that name (did you mean "bank"?) (its backends: bank)`},
		{"no backends", "version: 1\nstart: a\nmenus: {a: {say: Hi.}}\n", "bank", `backend "bank" is stubbed, but the flow declares no backend of that name (the flow declares no backends)`},
		{"declared", bankFlow, "bank", ""},
	} {
		_, err := sandbox.New(&sandbox.Options{
			Flow:     framework.Text("f.yaml", tt.flow),
			Backends: map[string]framework.Fetcher{tt.stub: stub},
		})
		if got := fmt.Sprint(err); tt.want == "" && err != nil || tt.want != "" && got != tt.want {
			t.Errorf("%s: New = %v, want %q", tt.name, err, tt.want)
		}
	}
}
