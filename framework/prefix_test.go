package framework

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/caller"
	"github.com/switchboard-ivr/switchboard/principals"
)

// stripPrefix is the proxy in front of an App whose public URL has a path: it forwards what is
// under prefix without it, and answers anything else as the host's root would (404, which
// Twilio turns into its stock application error).
func stripPrefix(prefix string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, prefix+"/")
		if !ok {
			http.NotFound(w, r)
			return
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path, r2.URL.RawPath = "/"+rest, ""
		r2.RequestURI = r2.URL.RequestURI()
		next.ServeHTTP(w, r2)
	})
}

// With a public URL of https://ivr.example.com/acme, a whole call — gather, a submenu, a dial —
// stays under /acme: every action and redirect the TwiML names goes through the proxy, and
// every request verifies against the public URL.
func TestACallWalksThroughAPublicPathPrefix(t *testing.T) {
	const public = "https://ivr.example.com/acme"
	tw, err := principals.NewTwilio(principals.TwilioOptions{Tokens: []principals.Secret{principals.NewSecret(testToken)}, PublicURL: public})
	if err != nil {
		t.Fatal(err)
	}
	app, err := New(&Options{Policies: []principals.Policy{tw}, URLPrefix: "/acme", Logger: slog.New(slog.NewTextHandler(tWriter{t}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	call := caller.Call{
		URL:     public + "/ivr/welcome",
		Token:   principals.NewSecret(testToken),
		Handler: stripPrefix("/acme", app),
		Answers: []caller.Answer{caller.Press("7"), caller.Press("2"), caller.Press("1")},
	}
	tr, err := call.Run(context.Background())
	if err != nil {
		t.Fatalf("%v\n%s", err, tr)
	}
	want := []string{
		"GATHER pressed 7",
		"GATHER pressed 2",
		"REDIRECT /acme/ivr/support",
		"GATHER pressed 1",
		"DIAL +15555550112",
	}
	got := tr.String()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("the call did not %s:\n%s", w, got)
		}
	}
	if strings.Contains(got, "not available") || strings.Contains(got, "could not verify") {
		t.Errorf("the call heard an error flow:\n%s", got)
	}
}
