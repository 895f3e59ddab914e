package callstate_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-ivr/switchboard/callstate"
)

const (
	callA = "CA0123456789abcdef0123456789abcdef"
	callB = "CAfedcba9876543210fedcba9876543210"
)

var t0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func mustKey(t testing.TB, hexKey string) callstate.Key {
	t.Helper()
	k, err := callstate.ParseKey(hexKey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var (
	keyOld = strings.Repeat("0a", 32)
	keyNew = strings.Repeat("b7", 32)
)

func newSealer(t testing.TB, primary string, secondary ...string) *callstate.Sealer {
	t.Helper()
	opts := &callstate.Options{}
	for _, s := range secondary {
		opts.Secondary = append(opts.Secondary, mustKey(t, s))
	}
	s, err := callstate.New(mustKey(t, primary), opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTokenOpensOnlyInItsCallOnItsPathBeforeItsExpiry(t *testing.T) {
	s := newSealer(t, keyNew)
	tok, err := s.Seal(callA, "/ivr/staff", callstate.State{Scopes: []string{"staff"}, Data: "i=1&n=0"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		call, path string
		at         time.Time
		opener     *callstate.Sealer
		expect     error
	}{
		{"SameCallPathAndTimeOpens", callA, "/ivr/staff", t0, s, nil},
		{"JustBeforeExpiryOpens", callA, "/ivr/staff", t0.Add(callstate.DefaultTTL - time.Second), s, nil},
		{"AtExpiryIsRefused", callA, "/ivr/staff", t0.Add(callstate.DefaultTTL), s, callstate.ErrExpired},
		{"AnotherCallIsRefused", callB, "/ivr/staff", t0, s, callstate.ErrInvalid},
		{"NoCallIsRefused", "", "/ivr/staff", t0, s, callstate.ErrInvalid},
		{"AnotherPathIsRefused", callA, "/ivr/staff/gather", t0, s, callstate.ErrInvalid},
		{"APrefixOfThePathIsRefused", callA, "/ivr/staf", t0, s, callstate.ErrInvalid},
		{"CallAndPathRunTogetherAreRefused", callA + "/ivr", "/staff", t0, s, callstate.ErrInvalid},
		{"AnotherKeyIsRefused", callA, "/ivr/staff", t0, newSealer(t, keyOld), callstate.ErrInvalid},
		{"TheOldPrimaryAsSecondaryOpens", callA, "/ivr/staff", t0, newSealer(t, keyOld, keyNew), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, err := tc.opener.Open(tok, tc.call, tc.path, tc.at)
			if !errors.Is(err, tc.expect) || (tc.expect == nil && err != nil) {
				t.Fatalf("Open = %v, want %v", err, tc.expect)
			}
			if err == nil && (!slices.Equal(st.Scopes, []string{"staff"}) || st.Data != "i=1&n=0") {
				t.Errorf("state = %+v", st)
			}
			if err != nil && (st.Scopes != nil || st.Data != "") {
				t.Errorf("a refused token returned state %+v", st)
			}
		})
	}
}

func TestMalformedTokensAreRefused(t *testing.T) {
	s := newSealer(t, keyNew)
	good, _ := s.Seal(callA, "/p", callstate.State{}, t0)
	for _, tok := range []string{"", "!!!", "AAAA", good + "=", good[:len(good)-1], strings.Repeat("A", callstate.MaxTokenLen+1), "x" + good} {
		if _, err := s.Open(tok, callA, "/p", t0); err == nil {
			t.Errorf("Open(%q) accepted", tok)
		}
	}
}

func TestSealRefusesStateOverItsLimits(t *testing.T) {
	s := newSealer(t, keyNew)
	many := make([]string, callstate.MaxScopes+1)
	for i := range many {
		many[i] = fmt.Sprint("s", i)
	}
	for name, st := range map[string]callstate.State{
		"TooManyScopes":   {Scopes: many},
		"EmptyScope":      {Scopes: []string{""}},
		"ScopeWithASpace": {Scopes: []string{"a b"}},
		"LongScope":       {Scopes: []string{strings.Repeat("a", callstate.MaxScopeLen+1)}},
		"LongData":        {Data: strings.Repeat("x", callstate.MaxDataLen+1)},
	} {
		if _, err := s.Seal(callA, "/p", st, t0); err == nil {
			t.Errorf("%s: sealed", name)
		}
	}
	if _, err := s.Seal("", "/p", callstate.State{}, t0); err == nil {
		t.Error("sealed without a call SID")
	}
}

func TestKeysAreCheckedAndNeverPrinted(t *testing.T) {
	for _, bad := range []string{"", "zz", strings.Repeat("ab", 31)} {
		if _, err := callstate.ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) accepted", bad)
		}
	}
	k, err := callstate.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if k2, err := callstate.ParseKey(k.Encode()); err != nil || k2.Encode() != k.Encode() {
		t.Fatalf("round trip: %v", err)
	}
	if out := fmt.Sprintf("%v %+v %#v %s", k, k, k, k); strings.Contains(out, k.Encode()[:8]) {
		t.Errorf("key printed: %s", out)
	}
	if _, err := callstate.New(callstate.Key{}, nil); err == nil {
		t.Error("New accepted a zero key")
	}
}

// FuzzFlippedTokenIsRefused: changing any byte of a sealed token makes it fail to open.
func FuzzFlippedTokenIsRefused(f *testing.F) {
	f.Add("staff", "i=1&n=0", 0, byte(1))
	f.Add("", "", 5, byte(0x80))
	s := newSealer(f, keyNew)
	f.Fuzz(func(t *testing.T, scope, data string, at int, flip byte) {
		st := callstate.State{Data: data}
		if scope != "" {
			st.Scopes = []string{scope}
		}
		tok, err := s.Seal(callA, "/ivr/x", st, t0)
		if err != nil {
			return // outside the limits
		}
		if _, err := s.Open(tok, callA, "/ivr/x", t0); err != nil {
			t.Fatalf("a fresh token does not open: %v", err)
		}
		refusesFlipped(t, s, tok, at, flip)
	})
}

// refusesFlipped fails t when tok, sealed for callA on /ivr/x at t0, opens with the byte at
// (wrapped into the token) xored with flip; a flip of 0 changes nothing and is not tried.
func refusesFlipped(t *testing.T, s *callstate.Sealer, tok string, at int, flip byte) {
	t.Helper()
	if flip == 0 || len(tok) == 0 {
		return
	}
	b := []byte(tok)
	i := (at%len(b) + len(b)) % len(b)
	b[i] ^= flip
	if got, err := s.Open(string(b), callA, "/ivr/x", t0); err == nil {
		t.Fatalf("flipped token %q opened to %+v", b, got)
	}
}

// v1Token is what the version-1 sealer (scopes and data, before variables) made with keyNew for
// callA on /p with scope a, expiring 15 minutes after t0. Open still accepts version 1, so that
// tokens in flight when a server is upgraded keep working until they expire.
const v1Token = "AQAAAABrCUoUAQFhABqX6xkgWYu4gyU9stNcWho"

func TestVersion1TokenOpensOnlyWhereAndWhileItWasSealed(t *testing.T) {
	s := newSealer(t, keyNew)
	st, err := s.Open(v1Token, callA, "/p", t0)
	if err != nil || !slices.Equal(st.Scopes, []string{"a"}) || st.Data != "" || len(st.Vars) > 0 || len(st.Secret) > 0 {
		t.Fatalf("Open(v1Token) = %+v, %v; want scope a and nothing else", st, err)
	}
	tests := []struct {
		name, call, path string
		at               time.Time
		want             error
	}{
		{"AnotherCall", callB, "/p", t0, callstate.ErrInvalid},
		{"AnotherPath", callA, "/q", t0, callstate.ErrInvalid},
		{"Expired", callA, "/p", t0.Add(16 * time.Minute), callstate.ErrExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.Open(v1Token, tt.call, tt.path, tt.at); !errors.Is(err, tt.want) {
				t.Errorf("Open = %v, want %v", err, tt.want)
			}
		})
	}
}

// FuzzOpenNeverPanics: no token, call or path makes Open panic or accept what it did not seal.
// The tokens sealed for callA on /p are good and its version-1 spelling, v1Token (which a seed in
// testdata holds with a newline inside; the fuzzer found it again by taking the newline out).
func FuzzOpenNeverPanics(f *testing.F) {
	s := newSealer(f, keyNew)
	good, _ := s.Seal(callA, "/p", callstate.State{Scopes: []string{"a"}}, t0)
	f.Add(good, callA, "/p")
	f.Add("AQAAAAAAAAAAAA", "", "")
	f.Fuzz(func(t *testing.T, tok, call, path string) {
		st, err := s.Open(tok, call, path, t0)
		if err == nil && !((tok == good || tok == v1Token) && call == callA && path == "/p") {
			t.Fatalf("Open(%q, %q, %q) = %+v", tok, call, path, st)
		}
	})
}

func ExampleSealer() {
	key, _ := callstate.ParseKey(strings.Repeat("b7", 32)) // from SWITCHBOARD_STATE_KEY
	s, _ := callstate.New(key, nil)
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	tok, _ := s.Seal("CA01", "/ivr/staff", callstate.State{Scopes: []string{"staff"}}, now)

	st, err := s.Open(tok, "CA01", "/ivr/staff", now.Add(time.Minute))
	fmt.Println(st.Scopes, err)
	_, err = s.Open(tok, "CA02", "/ivr/staff", now.Add(time.Minute))
	fmt.Println(err)
	_, err = s.Open(tok, "CA01", "/ivr/staff", now.Add(time.Hour))
	fmt.Println(err)
	// Output:
	// [staff] <nil>
	// callstate: token not issued for this call and path, or under another key
	// callstate: token expired
}

// A token sealed for a longer TTL (an agent's return) opens until that TTL ends, and still only
// in its call on its path.
func TestSealForOutlivesTheSealersTTLOnlyForItsOwnCallAndPath(t *testing.T) {
	s := newSealer(t, keyNew)
	tok, err := s.SealFor(callA, "/ivr/assistant/agent", callstate.State{Data: "l=es-MX"}, t0, 4*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		call, path string
		at         time.Time
		expect     error
	}{
		{"after the usual TTL", callA, "/ivr/assistant/agent", t0.Add(3 * time.Hour), nil},
		{"at its own TTL", callA, "/ivr/assistant/agent", t0.Add(4 * time.Hour), callstate.ErrExpired},
		{"another call", callB, "/ivr/assistant/agent", t0.Add(time.Minute), callstate.ErrInvalid},
		{"another path", callA, "/ivr/assistant", t0.Add(time.Minute), callstate.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, err := s.Open(tok, tc.call, tc.path, tc.at)
			if !errors.Is(err, tc.expect) {
				t.Fatalf("Open: %v, want %v", err, tc.expect)
			}
			if err == nil && st.Data != "l=es-MX" {
				t.Errorf("Data %q", st.Data)
			}
		})
	}
	if _, err := s.SealFor(callA, "/ivr/assistant/agent", callstate.State{}, t0, 0); err == nil {
		t.Error("SealFor with no TTL sealed a token")
	}
}

func ExampleSealer_SealFor() {
	key, _ := callstate.ParseKey(strings.Repeat("b7", 32))
	s, _ := callstate.New(key, nil) // tokens live DefaultTTL, 15 minutes
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	// The return of an AI agent's session, which may last an hour or more.
	tok, _ := s.SealFor("CA01", "/ivr/assistant/agent", callstate.State{}, now, 4*time.Hour)

	_, err := s.Open(tok, "CA01", "/ivr/assistant/agent", now.Add(90*time.Minute))
	fmt.Println(err)
	_, err = s.Open(tok, "CA01", "/ivr/assistant/agent", now.Add(5*time.Hour))
	fmt.Println(err)
	// Output:
	// <nil>
	// callstate: token expired
}
