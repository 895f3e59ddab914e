package pin_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-ivr/switchboard/pin"
)

// hashOf hashes a PIN once per test binary: bcrypt is slow on purpose.
var hashOf = sync.OnceValue(func() string {
	h, err := pin.Hash("2468")
	if err != nil {
		panic(err)
	}
	return h
})

func TestCheckAcceptsOnlyTheRightPIN(t *testing.T) {
	s, err := pin.Parse("pins", strings.NewReader("# staff PIN\nstaff  "+hashOf()+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, secret, digits string
		expect               bool
	}{
		{"RightPIN", "staff", "2468", true},
		{"WrongPIN", "staff", "2469", false},
		{"PINWithATrailingDigit", "staff", "24680", false},
		{"PINWithAPound", "staff", "2468#", false},
		{"Empty", "staff", "", false},
		{"UnknownSecret", "admin", "2468", false},
	}
	for _, tc := range tests {
		if got := s.Check(tc.secret, tc.digits); got != tc.expect {
			t.Errorf("%s: Check(%q, %q) = %v", tc.name, tc.secret, tc.digits, got)
		}
	}
	if !s.Has("staff") || s.Has("admin") || fmt.Sprint(s.Names()) != "[staff]" {
		t.Errorf("Has/Names = %v", s.Names())
	}
	var none *pin.Secrets
	if none.Check("staff", "2468") || none.Has("staff") {
		t.Error("a nil Secrets checked a PIN")
	}
}

func TestHashIsSaltedAndRefusesWhatIsNotAPIN(t *testing.T) {
	h2, err := pin.Hash("2468")
	if err != nil {
		t.Fatal(err)
	}
	if h2 == hashOf() || !strings.HasPrefix(h2, "$2a$10$") {
		t.Errorf("two hashes of one PIN: %s and %s", hashOf(), h2)
	}
	for _, bad := range []string{"", "123", "1234567890123", "12a4", "12 4", "*123"} {
		if _, err := pin.Hash(bad); err == nil {
			t.Errorf("Hash(%q) accepted", bad)
		}
	}
}

func TestParseReportsEveryProblemWithItsLine(t *testing.T) {
	text := "staff " + hashOf() + "\n" +
		"staff " + hashOf() + "\n" + // line 2: repeated
		"bad/name " + hashOf() + "\n" + // line 3
		"plain 2468\n" + // line 4: not a hash
		"weak $2a$04$abcdefghijklmnopqrstuu5Ne1kP1FNmfBmOmO5A0w3y6U9gBMD1e\n" + // line 5: low cost
		"three fields here\n" // line 6
	_, err := pin.Parse("pins", strings.NewReader(text))
	if err == nil {
		t.Fatal("accepted")
	}
	msg := err.Error()
	for _, want := range []string{"pins:2: secret \"staff\" repeats line 1", "pins:3: secret name", "pins:4: the hash of \"plain\" is not a bcrypt hash", "pins:5:", "pins:6: want"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "2468") || strings.Contains(msg, hashOf()) {
		t.Errorf("error quotes a PIN or a hash:\n%s", msg)
	}
}

func TestLoadRefusesAFileOthersCanRead(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	path := filepath.Join(t.TempDir(), "pins")
	if err := os.WriteFile(path, []byte("staff "+hashOf()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := pin.Load(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("Load of a 0644 file: %v", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := pin.Load(path)
	if err != nil || !s.Check("staff", "2468") {
		t.Fatalf("Load of a 0600 file: %v", err)
	}
	if _, err := pin.Load(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("Load of a missing file succeeded")
	}
}

func FuzzParse(f *testing.F) {
	f.Add("staff $2a$10$abcdefghijklmnopqrstuu5Ne1kP1FNmfBmOmO5A0w3y6U9gBMD1e\n# c\n\n")
	f.Add("a b c\n")
	f.Fuzz(func(t *testing.T, text string) {
		s, err := pin.Parse("f", strings.NewReader(text))
		if (s == nil) == (err == nil) {
			t.Fatalf("Parse = %v, %v", s, err)
		}
		if err == nil {
			for _, n := range s.Names() {
				if !pin.ValidName(n) {
					t.Fatalf("accepted name %q", n)
				}
			}
		}
	})
}

func ExampleHash() {
	h, _ := pin.Hash("2468") // what `switchboard key --pin` does
	s, _ := pin.Parse("pins", strings.NewReader("staff "+h+"\n"))
	fmt.Println(s.Check("staff", "2468"), s.Check("staff", "1357"))
	// Output: true false
}
