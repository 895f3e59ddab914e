package principals_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

const (
	twilioPass = "Zq8-r4Nd0m-p4ss"
	otherPass  = "another-long-password"
)

func newBasic(t testing.TB) *principals.BasicPolicy {
	t.Helper()
	file := fmt.Sprintf("# webhook credentials\nhook %s webhooks\nalice\t%s\n", principals.HashAPIKey(twilioPass), principals.HashAPIKey(otherPass))
	p, err := principals.NewBasic("basic.txt", strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func basicHeader(userinfo string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(userinfo))
}

func TestBasicAuthentication(t *testing.T) {
	tests := []struct {
		name   string
		header []string
		vouch  bool
		want   []string
		reason *principals.Reason
	}{
		{"UserWithGroupsYieldsUserAndGroups", []string{basicHeader("hook:" + twilioPass)}, true, []string{"basic:hook", "group:webhooks"}, nil},
		{"UserWithoutGroups", []string{basicHeader("alice:" + otherPass)}, true, []string{"basic:alice"}, nil},
		{"SchemeInAnyCase", []string{"basic " + base64.StdEncoding.EncodeToString([]byte("alice:"+otherPass))}, true, []string{"basic:alice"}, nil},
		{"NoHeaderIsNoCredentials", nil, false, nil, nil},
		{"BearerIsNoCredentials", []string{"Bearer k-123"}, false, nil, nil},
		{"WrongPasswordIsReported", []string{basicHeader("hook:" + otherPass)}, false, nil, principals.ErrUnknownCredentials},
		{"UnknownUserIsReported", []string{basicHeader("mallory:" + twilioPass)}, false, nil, principals.ErrUnknownCredentials},
		{"PasswordIsCaseSensitive", []string{basicHeader("hook:" + strings.ToUpper(twilioPass))}, false, nil, principals.ErrUnknownCredentials},
		{"NotBase64IsMalformed", []string{"Basic !!!"}, false, nil, principals.ErrMalformedBasic},
		{"NoColonIsMalformed", []string{basicHeader("hook")}, false, nil, principals.ErrMalformedBasic},
		{"EmptyUserIsMalformed", []string{basicHeader(":" + twilioPass)}, false, nil, principals.ErrMalformedBasic},
		{"TwoHeadersAreRejected", []string{basicHeader("hook:" + twilioPass), basicHeader("alice:" + otherPass)}, false, nil, principals.ErrDuplicateAuth},
	}
	p := newBasic(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, ok, err := p.Authenticate(bearer(tc.header...))
			if ok != tc.vouch {
				t.Fatalf("vouched = %v, want %v (%v)", ok, tc.vouch, err)
			}
			if ok && (!slices.Equal(id.Principals, tc.want) || id.Policy != "basic") {
				t.Errorf("identity = %+v, want %q", id, tc.want)
			}
			switch {
			case tc.reason == nil && err != nil:
				t.Errorf("error %v, want none", err)
			case tc.reason != nil && !errors.Is(err, tc.reason):
				t.Errorf("error %v, want reason %v", err, tc.reason)
			}
		})
	}
}

func TestBasicFileMistakesAreAllReported(t *testing.T) {
	file := "ok " + principals.HashAPIKey("a") + "\nbad name " + principals.HashAPIKey("b") + "\nok " + principals.HashAPIKey("c") + "\ntwilio sha256:zz\nsame " + principals.HashAPIKey("a") + "\n"
	_, err := principals.NewBasic("basic.txt", strings.NewReader(file))
	if err == nil {
		t.Fatal("a broken credentials file loaded")
	}
	for _, want := range []string{`basic.txt:2: hash of "bad" must be sha256:`, `basic.txt:3: user name "ok" repeats line 1`, "basic.txt:4: user name \"twilio\" is reserved", "basic.txt:4: hash of \"twilio\""} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "same hash") {
		t.Errorf("two users with one password refused: %v", err)
	}
}

// A webhook URL with credentials: Twilio signs https://hook:<pass>@example.com/ivr and sends
// the credentials as Basic. With both policies, the request holds twilio and basic:hook.
func TestTwilioAndBasicTogetherHoldBothPrincipals(t *testing.T) {
	tw := newTwilio(t, principals.TwilioOptions{})
	basic := newBasic(t)
	const configured = "https://hook:" + twilioPass + "@example.com/ivr"
	request := func(userinfo string) *http.Request {
		r := principalstest.NewPOSTBody("https://example.com/ivr", docParams.Encode(), principalstest.Sign(token, configured, docParams))
		r.Header.Set("Authorization", basicHeader(userinfo))
		return r
	}
	res := principals.Authenticate(request("hook:"+twilioPass), tw, basic)
	for _, want := range []string{"twilio", "basic:hook", "group:webhooks", principals.AnonymousCaller, principals.Authenticated} {
		if !res.Principals.Has(want) {
			t.Errorf("principals %v lack %s (failures %v)", res.Principals, want, res.Failures)
		}
	}
	res = principals.Authenticate(request("alice:"+otherPass), tw, basic)
	if res.Principals.Has("twilio") || !res.Principals.Has("basic:alice") {
		t.Errorf("other valid credentials than the signed ones: %v, want basic:alice without twilio", res.Principals)
	}
}

// With the Basic policy as the Twilio policy's Credentials, a Twilio request holds
// basic:anonymous unless the URL Twilio signed carried credentials the file accepts: one deny
// line then requires both.
func TestTwilioWithCredentialsMarksEveryRequestWithoutThem(t *testing.T) {
	basic := newBasic(t)
	tw := newTwilio(t, principals.TwilioOptions{Credentials: basic})
	const u = "https://example.com/ivr"
	signed := func(configured, userinfo string) func() *http.Request {
		return func() *http.Request {
			r := principalstest.NewPOSTBody(u, docParams.Encode(), principalstest.Sign(token, configured, docParams))
			if userinfo != "" {
				r.Header.Set("Authorization", basicHeader(userinfo))
			}
			return r
		}
	}
	tests := []struct {
		name      string
		request   func() *http.Request
		anonymous bool
		basic     bool
	}{
		{"SignedOverTheCredentialsAndSent", signed("https://hook:"+twilioPass+"@example.com/ivr", "hook:"+twilioPass), false, true},
		{"SignedWithoutCredentials", signed(u, ""), true, false},
		{"SentButNotSigned", signed(u, "hook:"+twilioPass), true, true},
		{"SignedOverMadeUpCredentials", signed("https://hook:guess@example.com/ivr", "hook:guess"), true, false},
		{"SignedOverAnotherUsersName", signed("https://alice:"+twilioPass+"@example.com/ivr", "alice:"+twilioPass), true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := principals.Authenticate(tc.request(), tw, basic)
			if !res.Principals.Has("twilio") {
				t.Fatalf("not verified: %v", res.Failures)
			}
			if got := res.Principals.Has(principals.BasicAnonymous); got != tc.anonymous {
				t.Errorf("basic:anonymous = %v, want %v (%v)", got, tc.anonymous, res.Principals)
			}
			if got := res.Principals.Has("basic:hook"); got != tc.basic {
				t.Errorf("basic:hook = %v, want %v (%v)", got, tc.basic, res.Principals)
			}
		})
	}
	if _, err := principals.NewBasic("basic.txt", strings.NewReader("anonymous "+principals.HashAPIKey("x")+"\n")); err == nil || !strings.Contains(err.Error(), "reserved") {
		t.Errorf("a user named anonymous: %v, want refused", err)
	}
	plain := newTwilio(t, principals.TwilioOptions{})
	if res := principals.Authenticate(signed(u, "")(), plain); res.Principals.Has(principals.BasicAnonymous) {
		t.Errorf("without Credentials the policy yields basic:anonymous: %v", res.Principals)
	}
}

func TestBasicPolicyConforms(t *testing.T) {
	p := newBasic(t)
	principalstest.Run(t, principalstest.Suite{
		Policy:  p,
		Name:    "basic",
		Secrets: []string{twilioPass, otherPass},
		Cases: []principalstest.Case{
			{Name: "valid", Request: func() *http.Request { return bearer(basicHeader("hook:" + twilioPass)) }, Vouch: true, Principals: []string{"basic:hook", "group:webhooks"}},
			{Name: "wrong password", Request: func() *http.Request { return bearer(basicHeader("hook:nope")) }},
		},
	})
}

// A credentials file for the Basic credentials of a webhook URL, such as
// https://hook:<password>@ivr.example.com/ivr/welcome.
func ExampleNewBasic() {
	file := "hook " + principals.HashAPIKey("a-long-random-password") + " webhooks\n"
	p, err := principals.NewBasic("basic.txt", strings.NewReader(file))
	if err != nil {
		panic(err)
	}
	r := bearer("Basic " + base64.StdEncoding.EncodeToString([]byte("hook:a-long-random-password")))
	fmt.Println(principals.Authenticate(r, p).Principals)
	// Output:
	// basic:hook, group:webhooks, system.Authenticated, system.Everyone
}
