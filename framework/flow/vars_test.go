package flow

import (
	"errors"
	"strings"
	"testing"
)

func loadFile(t *testing.T, path string) *Compiled {
	t.Helper()
	f, probs := Load(path, nil)
	if err := probs.Err(); err != nil {
		t.Fatal(err)
	}
	c, err := Compile(f, &CompileOptions{Validated: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A fetch node's prompts render with the call's variables, escaped, and its switch picks the
// case by the number, compared as a number.
func TestVariablesRenderAndTheSwitchComparesNumbers(t *testing.T) {
	c := loadFile(t, "testdata/balance.yaml")
	rt := c.Route("/ivr/balance")
	if !rt.Dynamic() || rt.Fetch() == nil || rt.Fetch().URL != "https://bank.example.com/ivr" {
		t.Fatalf("balance route: dynamic %v, fetch %+v", rt.Dynamic(), rt.Fetch())
	}
	if c.Route("/ivr/welcome").Dynamic() {
		t.Error("welcome uses no variable but is dynamic")
	}
	for _, tt := range []struct {
		name    string
		vars    map[string]string
		failed  bool
		want    string
		wantErr error
	}{
		{"Positive", map[string]string{"balance": "42.1", "name": "Ann & Bo"}, false,
			`<Say>Hello Ann &amp; Bo. Your balance is $42.10.</Say><Say>Goodbye.</Say><Hangup/>`, nil},
		{"NegativeSpelledOddly", map[string]string{"balance": "-0.50"}, false,
			`<Say>Hello customer. Your balance is minus $0.50.</Say><Say>Your account is overdrawn.</Say><Redirect>/ivr/billing</Redirect>`, nil},
		{"ANumberNotAString", map[string]string{"balance": "1000.0"}, false,
			`<Say>You qualify for &lt;gold&gt; &amp; more.</Say><Hangup/>`, nil},
		{"FetchFailed", map[string]string{}, true,
			`<Say>Sorry customer, we cannot reach your account.</Say><Redirect>/ivr/welcome</Redirect>`, nil},
		{"MissingVariable", map[string]string{}, false, `We're sorry, something went wrong.`, ErrRender},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := rt.Answer(Input{Vars: tt.vars, FetchFailed: tt.failed})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(string(b), tt.want) {
				t.Errorf("got\n%s\nwant it to hold\n%s", b, tt.want)
			}
		})
	}
}

func TestAFetchAcceptsOnlyItsTypedVariables(t *testing.T) {
	fc := loadFile(t, "testdata/balance.yaml").Route("/ivr/balance").Fetch()
	got, err := fc.Accept(map[string]string{"balance": "12", "account": "A1", "extra": "x"})
	if err != nil || got["balance"] != "12" || got["name"] != "customer" || got["account"] != "A1" || got["extra"] != "" {
		t.Errorf("Accept = %v, %v", got, err)
	}
	for _, answer := range []map[string]string{
		{"balance": "twelve", "account": "A1"},
		{"account": "A1"},
	} {
		if _, err := fc.Accept(answer); !errors.Is(err, ErrAnswer) {
			t.Errorf("Accept(%v) = %v, want ErrAnswer", answer, err)
		}
	}
}
