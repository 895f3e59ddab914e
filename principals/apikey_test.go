package principals_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

const (
	opsKey  = "k-7f3a9c2e1b5d8f4a6c0e2b4d6f8a1c3e"
	ciKey   = "k-0b2d4f6a8c1e3b5d7f9a2c4e6b8d0f1a"
	keyFile = "# operators\n\nalice  %s  staff,ops\nci\t%s\n"
)

func newKeys(t testing.TB) *principals.APIKeyPolicy {
	t.Helper()
	p, err := principals.ParseAPIKeys("keys.txt", strings.NewReader(
		strings.Replace(strings.Replace(keyFile, "%s", principals.HashAPIKey(opsKey), 1), "%s", principals.HashAPIKey(ciKey), 1)))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func bearer(h ...string) *http.Request {
	r := httptest.NewRequest("POST", "/calls", nil)
	for _, v := range h {
		r.Header.Add("Authorization", v)
	}
	return r
}

func TestAPIKeyAuthentication(t *testing.T) {
	tests := []struct {
		name   string
		header []string
		vouch  bool
		want   []string
		reason *principals.Reason
	}{
		{"KeyWithGroupsYieldsKeyAndGroups", []string{"Bearer " + opsKey}, true, []string{"key:alice", "group:staff", "group:ops"}, nil},
		{"KeyWithoutGroupsYieldsTheKey", []string{"bearer " + ciKey}, true, []string{"key:ci"}, nil},
		{"NoHeaderIsNoCredentials", nil, false, nil, nil},
		{"OtherSchemeIsNoCredentials", []string{"Basic YWxpY2U6cHc="}, false, nil, nil},
		{"UnknownKeyIsReported", []string{"Bearer k-unknown"}, false, nil, principals.ErrUnknownKey},
		{"KeyWithATrailingCharacterIsUnknown", []string{"Bearer " + opsKey + "x"}, false, nil, principals.ErrUnknownKey},
		{"TheHashItselfIsNotAKey", []string{"Bearer " + strings.TrimPrefix(principals.HashAPIKey(opsKey), "sha256:")}, false, nil, principals.ErrUnknownKey},
		{"EmptyBearerIsMalformed", []string{"Bearer "}, false, nil, principals.ErrMalformedBearer},
		{"SpaceInTheTokenIsMalformed", []string{"Bearer a b"}, false, nil, principals.ErrMalformedBearer},
		{"TwoAuthorizationHeadersAreRejected", []string{"Bearer " + opsKey, "Bearer " + ciKey}, false, nil, principals.ErrDuplicateAuth},
	}
	p := newKeys(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, ok, err := p.Authenticate(bearer(tc.header...))
			if ok != tc.vouch {
				t.Fatalf("vouched = %v, want %v (%v)", ok, tc.vouch, err)
			}
			if ok && (!slices.Equal(id.Principals, tc.want) || id.Policy != "apikey") {
				t.Errorf("identity = %+v, want %q", id, tc.want)
			}
			var f *principals.Failure
			switch {
			case tc.reason == nil && err != nil:
				t.Errorf("error %v, want none", err)
			case tc.reason != nil && (!errors.As(err, &f) || f.Reason != tc.reason || !errors.Is(err, tc.reason)):
				t.Errorf("error %v, want reason %v", err, tc.reason)
			}
		})
	}
}

func TestAPIKeyPrincipalsAreACopy(t *testing.T) {
	p := newKeys(t)
	id, _, _ := p.Authenticate(bearer("Bearer " + opsKey))
	id.Principals[0] = "system.Authenticated"
	id, _, _ = p.Authenticate(bearer("Bearer " + opsKey))
	if id.Principals[0] != "key:alice" {
		t.Errorf("changing one Identity changed the policy: %q", id.Principals)
	}
}

func TestBadKeysFileNamesEveryLine(t *testing.T) {
	h := principals.HashAPIKey("x")
	file := strings.Join([]string{
		"# comment",
		"alice " + h, // 2: fine
		"system.root " + principals.HashAPIKey("y"),        // 3: reserved name
		"bob " + principals.HashAPIKey("z") + " twilio,ok", // 4: reserved group
		"carol md5:abc",                       // 5: bad hash
		"alice " + principals.HashAPIKey("w"), // 6: repeated name
		"dave " + h,                           // 7: repeated hash
		"eve",                                 // 8: too few fields
		"fr@nk " + principals.HashAPIKey("v") + " a,,b", // 9: empty group
		"g/h " + principals.HashAPIKey("u"),             // 10: bad character
		"ivan sha256:" + strings.Repeat("0", 63),        // 11: short hash
	}, "\n")
	_, err := principals.ParseAPIKeys("keys.txt", strings.NewReader(file))
	if err == nil {
		t.Fatal("bad file accepted")
	}
	for _, want := range []string{
		`keys.txt:3: key name "system.root" is reserved`,
		`keys.txt:4: group "twilio" of key "bob" is reserved`,
		`keys.txt:5: hash of "carol" must be sha256:`,
		`keys.txt:6: key name "alice" repeats line 2`,
		`keys.txt:7: key "dave" has the same hash as line 2`,
		`keys.txt:8: want`,
		`keys.txt:9: group "" of key "fr@nk" is empty`,
		`keys.txt:10: key name "g/h" may hold only`,
		`keys.txt:11: hash of "ivan"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "keys.txt:2:") {
		t.Errorf("good line 2 reported:\n%v", err)
	}
}

func TestLoadAPIKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(path, []byte("ops "+principals.HashAPIKey(opsKey)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := principals.LoadAPIKeys(path)
	if err != nil || p.Len() != 1 {
		t.Fatalf("LoadAPIKeys = %v, %v", p, err)
	}
	if _, err := principals.LoadAPIKeys(path + ".missing"); err == nil {
		t.Error("missing file accepted")
	}
}

func TestAPIKeyPolicyConforms(t *testing.T) {
	principalstest.Run(t, principalstest.Suite{
		Policy:  newKeys(t),
		Name:    "apikey",
		Secrets: []string{opsKey, ciKey},
		Cases: []principalstest.Case{
			{Name: "operator key", Request: func() *http.Request { return bearer("Bearer " + opsKey) }, Vouch: true,
				Principals: []string{"key:alice", "group:staff", "group:ops"}},
			{Name: "unknown key", Request: func() *http.Request { return bearer("Bearer nope") }},
			{Name: "key with a body", Request: func() *http.Request {
				r := httptest.NewRequest("POST", "/calls", strings.NewReader(`{"to":"+15551234567"}`))
				r.Header.Set("Authorization", "Bearer "+ciKey)
				return r
			}, Vouch: true, Principals: []string{"key:ci"}},
		},
	})
}

func FuzzParseAPIKeysNeverPanics(f *testing.F) {
	f.Add("alice " + principals.HashAPIKey("x") + " a,b\n# c\n")
	f.Add("system.x sha256:zz twilio\n\n\t\n")
	f.Fuzz(func(t *testing.T, file string) {
		p, err := principals.ParseAPIKeys("f", strings.NewReader(file))
		if (p == nil) == (err == nil) {
			t.Fatalf("ParseAPIKeys = %v, %v", p, err)
		}
	})
}
