package main

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/principals"
)

func TestKeyMakesAKeyThatItsLineAuthenticates(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"key", "--name", "ops-alice", "--group", "operators", "--group", "monitoring"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "key:  ") || !strings.HasPrefix(lines[1], "line: ") {
		t.Fatalf("output:\n%s", out.String())
	}
	key := strings.TrimPrefix(lines[0], "key:  ")
	if len(key) != 64 {
		t.Errorf("key %q is not 32 bytes of hex", key)
	}
	line := strings.TrimPrefix(lines[1], "line: ")
	if strings.Contains(line, key) {
		t.Fatal("the keys-file line holds the key itself")
	}
	pol, err := principals.ParseAPIKeys("keys", strings.NewReader(line+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("POST", "/calls", nil)
	r.Header.Set("Authorization", "Bearer "+key)
	got := principals.Authenticate(r, pol).Principals
	for _, want := range []string{"key:ops-alice", "group:operators", "group:monitoring", principals.Authenticated} {
		if !got.Has(want) {
			t.Errorf("the new key yields %v, missing %s", got.Names(), want)
		}
	}
}

func TestKeyRefusesABadName(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // in the first line of stderr: what is wrong with the name
	}{
		{"NoName", []string{"key"}, "--name is required"},
		{"AReservedName", []string{"key", "--name", "system.Everyone"}, `--name "system.Everyone" is reserved`},
		{"AReservedGroup", []string{"key", "--name", "x", "--group", "twilio"}, `--group "twilio" is reserved`},
		{"SpacesInAName", []string{"key", "--name", "bad name"}, `--name "bad name" may hold only letters, digits and .-_@`},
		{"SpacesInAGroup", []string{"key", "--name", "x", "--group", "ops team"}, `--group "ops team" may hold only letters, digits and .-_@ (repeat --group for each group)`},
		{"ACommaInAGroup", []string{"key", "--name", "x", "--group", "ops,admins"}, `--group "ops,admins" may hold only`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(tt.args, &out, &errb); code != 2 {
				t.Errorf("exit %d, want 2; stdout %q stderr %q", code, out.String(), errb.String())
			}
			if out.Len() != 0 {
				t.Errorf("printed a key for a refused name: %q", out.String())
			}
			if first, _, _ := strings.Cut(errb.String(), "\n"); !strings.Contains(first, tt.want) {
				t.Errorf("stderr begins %q, want it to say %q", first, tt.want)
			}
		})
	}
}
