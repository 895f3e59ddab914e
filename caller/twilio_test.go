package caller_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-ivr/switchboard/caller"
	"github.com/switchboard-ivr/switchboard/principals"
)

// A request as a server behind --public-url sees it: the headers and fields Twilio sends.
type twilioRequest struct {
	idempotency, userAgent, stirVerstat string
	vouched                             bool
}

// publicServer checks signatures for a public URL, as `serve --public-url` does, and records
// what each request carried.
func publicServer(t *testing.T, public string, pages map[string]string) (string, func() []twilioRequest) {
	t.Helper()
	tw, err := principals.NewTwilio(principals.TwilioOptions{Tokens: []principals.Secret{principals.NewSecret(testToken)}, PublicURL: public})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []twilioRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok, _ := tw.Authenticate(r)
		mu.Lock()
		seen = append(seen, twilioRequest{r.Header.Get("I-Twilio-Idempotency-Token"), r.Header.Get("User-Agent"), id.Form.Get("StirVerstat"), ok})
		mu.Unlock()
		if !ok {
			http.Error(w, "bad signature", http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Response>`+pages[r.URL.Path]+`</Response>`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []twilioRequest { mu.Lock(); defer mu.Unlock(); return append([]twilioRequest(nil), seen...) }
}

// Pressing the same key twice on the same menu makes two requests with the same URL, form and
// signature; only the idempotency token tells them apart, as on Twilio.
func TestCallSignsForThePublicURLAndSendsWhatTwilioSends(t *testing.T) {
	pages := map[string]string{
		"/acme/ivr/menu":        `<Gather action="/acme/ivr/menu/gather" numDigits="1"><Say>Press.</Say></Gather>`,
		"/acme/ivr/menu/gather": `<Redirect>/acme/ivr/menu</Redirect>`,
	}
	base, seen := publicServer(t, "https://ivr.example.com", pages)
	c := &caller.Call{
		URL: base + "/acme/ivr/menu", PublicURL: "https://ivr.example.com/", Token: principals.NewSecret(testToken),
		StirVerstat: "TN-Validation-Passed-A", Answers: []caller.Answer{caller.Press("1"), caller.Press("1")},
	}
	tr, err := c.Run(context.Background())
	if err != nil || tr.Requests != 5 || len(seen()) != 5 {
		t.Fatalf("Run: %v after %d requests (server saw %d), want the menu, pressed 1 twice, then silence", err, tr.Requests, len(seen()))
	}
	tokens := map[string]bool{}
	for i, r := range seen() {
		if !r.vouched {
			t.Errorf("request %d: the signature for the public URL did not verify", i)
		}
		if r.userAgent != "TwilioProxy/1.1" || r.stirVerstat != "TN-Validation-Passed-A" {
			t.Errorf("request %d: User-Agent %q, StirVerstat %q", i, r.userAgent, r.stirVerstat)
		}
		if r.idempotency == "" || tokens[r.idempotency] {
			t.Errorf("request %d: I-Twilio-Idempotency-Token %q is empty or repeats", i, r.idempotency)
		}
		tokens[r.idempotency] = true
	}
}

func TestCallSignedForTheURLItRequestsFailsBehindAPublicURL(t *testing.T) {
	base, seen := publicServer(t, "https://ivr.example.com", map[string]string{"/ivr": `<Hangup/>`})
	c := &caller.Call{URL: base + "/ivr", Token: principals.NewSecret(testToken)}
	if _, err := c.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("Run: %v, want the server's 403", err)
	}
	if r := seen(); len(r) != 1 || r[0].vouched {
		t.Errorf("requests %+v, want one refused", r)
	}
}

// A webhook URL with credentials (https://hook:pw@host/ivr) is signed by Twilio with them in it,
// and the credentials are sent as Authorization: Basic, so a server that checks them sees a
// signature over the credentialed URL.
func TestCallSignsAWebhookURLWithItsCredentials(t *testing.T) {
	signer, err := principals.NewSigner(principals.NewSecret(testToken), principals.HMACSHA1)
	if err != nil {
		t.Fatal(err)
	}
	var got, want, user, pass string
	var basic bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		got = r.Header.Get("X-Twilio-Signature")
		want = signer.Sign("http://hook:s3cret@"+r.Host+r.URL.RequestURI(), r.PostForm)
		user, pass, basic = r.BasicAuth()
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>`)
	}))
	t.Cleanup(srv.Close)
	c := &caller.Call{URL: strings.Replace(srv.URL, "http://", "http://hook:s3cret@", 1) + "/ivr", Token: principals.NewSecret(testToken)}
	if _, err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got == "" || got != want {
		t.Errorf("X-Twilio-Signature %q, want %q, the signature over the URL with its credentials", got, want)
	}
	if !basic || user != "hook" || pass != "s3cret" {
		t.Errorf("Authorization: Basic %q:%q (sent %v), want hook:s3cret", user, pass, basic)
	}
}
