package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/pin"
)

func TestKeyPINMakesALineThatChecksItsPIN(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"key", "--pin", "--name", "staff", "--digits", "8"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "pin:  ") || !strings.HasPrefix(lines[1], "line: staff  $2a$") {
		t.Fatalf("output:\n%s", out.String())
	}
	code := strings.TrimPrefix(lines[0], "pin:  ")
	line := strings.TrimPrefix(lines[1], "line: ")
	if len(code) != 8 || strings.Contains(line, code) {
		t.Fatalf("PIN %q, line %q", code, line)
	}
	s, err := pin.Parse("pins", strings.NewReader(line+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !s.Check("staff", code) {
		t.Error("the line does not check the printed PIN")
	}
}

func TestKeyPINReadsAChosenPINFromStdinAndNeverPrintsIt(t *testing.T) {
	old := pinStdin
	defer func() { pinStdin = old }()
	pinStdin = strings.NewReader("2468\n")
	var out, errb bytes.Buffer
	if code := run([]string{"key", "--pin", "--name", "staff", "--stdin"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if strings.Contains(out.String(), "2468") || !strings.HasPrefix(out.String(), "line: staff  $2a$") {
		t.Fatalf("output %q", out.String())
	}
	s, err := pin.Parse("pins", strings.NewReader(strings.TrimPrefix(out.String(), "line: ")))
	if err != nil || !s.Check("staff", "2468") {
		t.Fatalf("line does not check the PIN: %v", err)
	}
}

func TestKeyPINRefusesBadInput(t *testing.T) {
	old := pinStdin
	defer func() { pinStdin = old }()
	tests := []struct {
		name  string
		args  []string
		stdin string
	}{
		{"NoName", []string{"key", "--pin"}, ""},
		{"BadName", []string{"key", "--pin", "--name", "a/b"}, ""},
		{"ShortRandomPIN", []string{"key", "--pin", "--name", "s", "--digits", "3"}, ""},
		{"LettersOnStdin", []string{"key", "--pin", "--name", "s", "--stdin"}, "abcd\n"},
		{"ShortPINOnStdin", []string{"key", "--pin", "--name", "s", "--stdin"}, "12\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pinStdin = strings.NewReader(tc.stdin)
			var out, errb bytes.Buffer
			if code := run(tc.args, &out, &errb); code != 2 {
				t.Errorf("exit %d, want 2; stderr %q", code, errb.String())
			}
			if out.Len() != 0 {
				t.Errorf("printed %q", out.String())
			}
		})
	}
}
