package callstate_test

import (
	"encoding/base64"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/callstate"
)

func TestVariablesTravelAndSecretOnesAreNeverInClear(t *testing.T) {
	s := newSealer(t, keyNew)
	st := callstate.State{
		Scopes: []string{"account"},
		Vars:   map[string]string{"balance": "42.10", "tier": "gold"},
		Secret: map[string]string{"account_number": "99887766554433"},
	}
	tok, err := s.Seal(callA, "/ivr/balance", st, t0)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "99887766554433") || strings.Contains(string(raw), "account_number") {
		t.Errorf("the secret variable is in clear in the token: %q", raw)
	}
	if !strings.Contains(string(raw), "42.10") {
		t.Errorf("the plain variable is not in the token (it need not be encrypted): %q", raw)
	}
	got, err := s.Open(tok, callA, "/ivr/balance", t0)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got.Vars, st.Vars) || !maps.Equal(got.Secret, st.Secret) {
		t.Errorf("Open = %+v, want %+v", got, st)
	}
	// Rotated keys: an older key still opens, decrypting with the key that matched.
	rotated := newSealer(t, keyOld, keyNew)
	if got, err := rotated.Open(tok, callA, "/ivr/balance", t0); err != nil || got.Secret["account_number"] != "99887766554433" {
		t.Errorf("after rotation Open = %+v, %v", got, err)
	}
	// Two seals of the same secret differ (a fresh nonce each time): a URL tells nothing by
	// comparison.
	tok2, _ := s.Seal(callA, "/ivr/balance", st, t0)
	if tok2 == tok {
		t.Error("two tokens of the same secret are equal")
	}
}

func TestVariablesOverTheBoundAreRefusedWithErrTooLarge(t *testing.T) {
	s := newSealer(t, keyNew)
	big := map[string]string{"a": strings.Repeat("x", callstate.MaxVarsLen/2), "b": strings.Repeat("y", callstate.MaxVarsLen/2)}
	for name, st := range map[string]callstate.State{
		"Vars":     {Vars: big},
		"Secret":   {Secret: big},
		"Together": {Vars: map[string]string{"a": big["a"]}, Secret: map[string]string{"b": big["b"]}},
	} {
		if _, err := s.Seal(callA, "/p", st, t0); !errors.Is(err, callstate.ErrTooLarge) {
			t.Errorf("%s: Seal = %v, want ErrTooLarge", name, err)
		}
	}
	for _, name := range []string{"", "1a", "a-b", strings.Repeat("a", callstate.MaxVarName+1)} {
		if _, err := s.Seal(callA, "/p", callstate.State{Vars: map[string]string{name: "1"}}, t0); err == nil {
			t.Errorf("variable name %q sealed", name)
		}
	}
	// At the bound, the token still fits what Open reads.
	full := map[string]string{"a": strings.Repeat("x", callstate.MaxVarsLen-16)}
	tok, err := s.Seal(callA, "/p", callstate.State{Secret: full, Data: strings.Repeat("d", callstate.MaxDataLen)}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) > callstate.MaxTokenLen {
		t.Fatalf("a token at the bounds is %d characters, over MaxTokenLen %d", len(tok), callstate.MaxTokenLen)
	}
	if _, err := s.Open(tok, callA, "/p", t0); err != nil {
		t.Fatal(err)
	}
}

// FuzzVariablesRoundTrip: whatever variables Seal accepts, Open returns them as they were, and a
// flipped byte never opens.
func FuzzVariablesRoundTrip(f *testing.F) {
	f.Add("balance", "42.10", "pin", "1234", 3, byte(1))
	f.Add("a", "", "b", "\x00\xff", 0, byte(0x40))
	s := newSealer(f, keyNew)
	f.Fuzz(func(t *testing.T, n1, v1, n2, v2 string, at int, flip byte) {
		st := callstate.State{Vars: map[string]string{n1: v1}, Secret: map[string]string{n2: v2}}
		tok, err := s.Seal(callA, "/ivr/x", st, t0)
		if err != nil {
			return
		}
		got, err := s.Open(tok, callA, "/ivr/x", t0)
		if err != nil || !maps.Equal(got.Vars, st.Vars) || !maps.Equal(got.Secret, st.Secret) {
			t.Fatalf("Open = %+v, %v; want %+v", got, err, st)
		}
		refusesFlipped(t, s, tok, at, flip)
	})
}
