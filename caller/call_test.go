package caller_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-ivr/switchboard/caller"
	"github.com/switchboard-ivr/switchboard/principals"
)

// testToken is the auth token of the test servers (not a real one).
const testToken = "0123456789abcdef0123456789abcdef"

// fakeApp is a TwiML server for the tests: it refuses requests whose signature does not verify,
// records the ones it accepts, and answers each path with a fixed page.
type fakeApp struct {
	t      *testing.T
	policy *principals.TwilioPolicy
	pages  map[string]page // by path

	mu   sync.Mutex
	seen []seenRequest
}

type page struct {
	status      int    // 200 when zero
	contentType string // text/xml when empty
	body        string // wrapped in <Response> unless raw is set
	raw         bool
}

type seenRequest struct {
	method, uri string
	form        url.Values
}

// newFake serves pages on a loopback port and returns the app and the server's URL.
func newFake(t *testing.T, pages map[string]page) (*fakeApp, string) {
	t.Helper()
	tw, err := principals.NewTwilio(principals.TwilioOptions{Tokens: []principals.Secret{principals.NewSecret(testToken)}})
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeApp{t: t, policy: tw, pages: pages}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func (f *fakeApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, ok, err := f.policy.Authenticate(r); !ok {
		f.t.Errorf("%s %s: the caller's signature does not verify: %v", r.Method, r.RequestURI, err)
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	if err := r.ParseForm(); err != nil {
		f.t.Error(err)
	}
	f.mu.Lock()
	f.seen = append(f.seen, seenRequest{r.Method, r.RequestURI, r.Form})
	f.mu.Unlock()
	p, ok := f.pages[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	body := p.body
	if !p.raw {
		body = `<?xml version="1.0" encoding="UTF-8"?><Response>` + body + `</Response>`
	}
	ct := p.contentType
	if ct == "" {
		ct = "text/xml"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(max(p.status, 200))
	io.WriteString(w, body)
}

func (f *fakeApp) requests() []seenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seen
}

func TestCallFollowsTwiMLAsTwilioDoes(t *testing.T) {
	tests := []struct {
		name   string
		pages  map[string]page                     // the call starts at /a/start
		given  caller.Call                         // URL and Token are set by the test
		err    string                              // in Run's error; "" for none
		want   string                              // the transcript
		end    string                              // how the call ended; "" to skip
		expect func(t *testing.T, r []seenRequest) // checks the requests the app saw
	}{
		{
			name: "RelativeRedirectResolvesAgainstTheCurrentURL",
			pages: map[string]page{
				"/a/start": {body: `<Redirect>next?x=1</Redirect>`},
				"/a/next":  {body: `<Say>there</Say><Hangup/>`},
			},
			want: "REDIRECT next?x=1\nSAY there\nHANGUP\n",
			end:  "hung up",
			expect: func(t *testing.T, r []seenRequest) {
				if len(r) != 2 || r[1].uri != "/a/next?x=1" || r[1].method != "POST" {
					t.Errorf("requests %+v", r)
				}
			},
		},
		{
			name: "GatherActionWithGETCarriesTheFieldsInTheSignedQuery",
			pages: map[string]page{
				"/a/start":  {body: `<Gather action="/a/chosen?i=0" method="GET" numDigits="1"><Say>Press.</Say><Play>https://example.com/a.mp3</Play><Pause length="2"/></Gather>`},
				"/a/chosen": {body: `<Reject reason="busy"/>`},
			},
			given: caller.Call{Answers: []caller.Answer{caller.Press("3")}},
			want:  "SAY Press.\nPLAY https://example.com/a.mp3\nPAUSE 2\nGATHER pressed 3\nREJECT busy\n",
			end:   "rejected",
			expect: func(t *testing.T, r []seenRequest) {
				if len(r) != 2 || r[1].method != "GET" || !strings.HasPrefix(r[1].uri, "/a/chosen?i=0&") ||
					r[1].form.Get("Digits") != "3" || r[1].form.Get("CallStatus") != "in-progress" {
					t.Errorf("requests %+v", r)
				}
			},
		},
		{
			name: "GatherWithoutAnswerFallsThroughToTheNextVerb",
			pages: map[string]page{
				"/a/start": {body: `<Gather action="/a/never"><Say>Press.</Say></Gather><Say>Nothing?</Say>`},
			},
			want: "SAY Press.\nGATHER no input\nSAY Nothing?\n",
			end:  "end of the document, where Twilio hangs up",
			expect: func(t *testing.T, r []seenRequest) {
				if len(r) != 1 {
					t.Errorf("requests %+v", r)
				}
			},
		},
		{
			name: "CallerHangingUpAtAGatherEndsTheCall",
			pages: map[string]page{
				"/a/start": {body: `<Gather action="/a/never"><Say>Press.</Say></Gather><Say>Nothing?</Say>`},
			},
			given: caller.Call{Answers: []caller.Answer{caller.HangUp()}},
			want:  "SAY Press.\nGATHER hung up\n",
			end:   "the caller hung up",
		},
		{
			name: "AnswersFromMoreFollowTheScriptedOnes",
			pages: map[string]page{
				"/a/start": {body: `<Gather action="two"/>`},
				"/a/two":   {body: `<Gather input="dtmf speech" action="end"/>`},
				"/a/end":   {body: `<Hangup/>`},
			},
			given: caller.Call{Answers: []caller.Answer{caller.Press("1")}, More: &script{caller.Say("billing")}},
			want:  "GATHER pressed 1\nGATHER said billing\nHANGUP\n",
		},
		{
			name: "ActionOnEmptyResultCallsTheActionOnSilence",
			pages: map[string]page{
				"/a/start": {body: `<Gather actionOnEmptyResult="true"/>`},
			},
			given: caller.Call{MaxRequests: 2},
			err:   "the call made 2 requests without ending: a loop?", // it loops, into the request limit
			want:  "GATHER no input\nGATHER no input\n",
		},
		{
			name: "FinishOnKeyEndsTheDigitsAndNumDigitsCapsThem",
			pages: map[string]page{
				"/a/start": {body: `<Gather action="two" finishOnKey="*"/>`},
				"/a/two":   {body: `<Gather action="end" numDigits="2"/>`},
				"/a/end":   {body: `<Hangup/>`},
			},
			given: caller.Call{Answers: []caller.Answer{caller.Press("12*9"), caller.Press("345")}},
			want:  "GATHER pressed 12\nGATHER pressed 34\nHANGUP\n",
			expect: func(t *testing.T, r []seenRequest) {
				if r[1].form.Get("FinishedOnKey") != "*" || r[2].form.Get("Digits") != "34" {
					t.Errorf("requests %+v", r)
				}
			},
		},
		{
			name: "PressingOnlyTheFinishKeyIsNoInput",
			pages: map[string]page{
				"/a/start": {body: `<Gather action="never"/>`},
			},
			given: caller.Call{Answers: []caller.Answer{caller.Press("#")}},
			want:  "GATHER no input (pressed only #)\n",
		},
		{
			name: "SpeechToADTMFOnlyGatherIsNotHeard",
			pages: map[string]page{
				"/a/start": {body: `<Gather action="never"/>`},
			},
			given: caller.Call{Answers: []caller.Answer{caller.Say("billing")}},
			want:  "GATHER no input (said \"billing\", but it listens for dtmf)\n",
		},
		{
			name: "SpeechAnswerSendsSpeechResult",
			pages: map[string]page{
				"/a/start": {body: `<Gather input="speech" action="heard"/>`},
				"/a/heard": {body: `<Hangup/>`},
			},
			given: caller.Call{Answers: []caller.Answer{caller.Say("tech support")}},
			want:  "GATHER said tech support\nHANGUP\n",
			expect: func(t *testing.T, r []seenRequest) {
				if r[1].form.Get("SpeechResult") != "tech support" || r[1].form.Get("Digits") != "" {
					t.Errorf("requests %+v", r)
				}
			},
		},
		{
			name: "DialActionHearsTheDialStatus",
			pages: map[string]page{
				"/a/start":  {body: `<Dial action="dialed" timeout="20"><Number>+15555550111</Number><Client>alice</Client></Dial><Say>never</Say>`},
				"/a/dialed": {body: `<Say>Nobody answered.</Say>`},
			},
			given: caller.Call{DialStatus: "busy"},
			want:  "DIAL +15555550111, client:alice (busy)\nSAY Nobody answered.\n",
			expect: func(t *testing.T, r []seenRequest) {
				if r[1].form.Get("DialCallStatus") != "busy" || r[1].form.Get("From") != "+15555550142" {
					t.Errorf("requests %+v", r)
				}
			},
		},
		{
			name: "DialWithoutActionGoesOnWithTheNextVerb",
			pages: map[string]page{
				"/a/start": {body: `<Dial>+15555550100</Dial><Say>Goodbye.</Say>`},
			},
			want: "DIAL +15555550100\nSAY Goodbye.\n",
		},
		{
			name: "RecordWithoutActionPostsTheRecordingToTheCurrentURL",
			pages: map[string]page{
				"/a/start": {body: `<Record maxLength="30" finishOnKey="#"/>`},
			},
			given: caller.Call{MaxRequests: 2},
			err:   "a loop?", // it loops, into the request limit
			want:  "RECORD maxLength=30 finishOnKey=#\nRECORD maxLength=30 finishOnKey=#\n",
			expect: func(t *testing.T, r []seenRequest) {
				if r[1].uri != "/a/start" || !strings.HasPrefix(r[1].form.Get("RecordingUrl"), "https://api.twilio.com/") || r[1].form.Get("Digits") != "#" {
					t.Errorf("requests %+v", r)
				}
			},
		},
		{
			name: "EnqueueEndsTheSimulatedCall",
			pages: map[string]page{
				"/a/start": {body: `<Say loop="2">Hold on.</Say><Enqueue waitUrl="https://example.com/music">support</Enqueue><Say>never</Say>`},
			},
			want: "SAY Hold on. (loop 2)\nENQUEUE support\n",
			end:  "waiting in a queue",
		},
		{
			name: "TheFirstRequestIsSignedWithEveryCallField",
			pages: map[string]page{
				"/a/start": {body: `<Hangup/>`},
			},
			given: caller.Call{From: "+15555550123", To: "+15555550111", AccountSid: "AC0123456789abcdef0123456789abcdef"},
			want:  "HANGUP\n",
			expect: func(t *testing.T, r []seenRequest) {
				f := r[0].form
				for k, want := range map[string]string{"From": "+15555550123", "To": "+15555550111", "Direction": "inbound",
					"CallStatus": "ringing", "AccountSid": "AC0123456789abcdef0123456789abcdef", "ApiVersion": "2010-04-01"} {
					if f.Get(k) != want {
						t.Errorf("%s = %q, want %q", k, f.Get(k), want)
					}
				}
				if !strings.HasPrefix(f.Get("CallSid"), "CA") || len(f.Get("CallSid")) != 34 {
					t.Errorf("CallSid %q", f.Get("CallSid"))
				}
			},
		},
		{
			name: "AnOutboundCallSaysSo",
			pages: map[string]page{
				"/a/start": {body: `<Hangup/>`},
			},
			given: caller.Call{Direction: "outbound-api", CallSid: "CA0123456789abcdef0123456789abcdef"},
			want:  "HANGUP\n",
			expect: func(t *testing.T, r []seenRequest) {
				if f := r[0].form; f.Get("Direction") != "outbound-api" || f.Get("CallSid") != "CA0123456789abcdef0123456789abcdef" {
					t.Errorf("requests %+v", r)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, base := newFake(t, tt.pages)
			c := tt.given
			c.URL, c.Token = base+"/a/start", principals.NewSecret(testToken)
			var streamed strings.Builder
			c.OnEvent = func(e caller.Event) { streamed.WriteString(e.String() + "\n") }
			tr, err := c.Run(context.Background())
			switch {
			case tt.err == "" && err != nil:
				t.Errorf("Run: %v", err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("Run: %v, want an error saying %q", err, tt.err)
			}
			if got := tr.String(); got != tt.want {
				t.Errorf("got\n%swant\n%s", got, tt.want)
			}
			if streamed.String() != tr.String() {
				t.Errorf("OnEvent heard\n%sbut the transcript is\n%s", streamed.String(), tr.String())
			}
			if tt.end != "" && tr.End != tt.end {
				t.Errorf("the call ended %q, want %q", tr.End, tt.end)
			}
			if tt.expect != nil {
				tt.expect(t, fake.requests())
			}
		})
	}
}

// script is an Answerer that gives its answers in order, then silence.
type script []caller.Answer

func (s *script) Answer() caller.Answer {
	if len(*s) == 0 {
		return caller.Silence()
	}
	a := (*s)[0]
	*s = (*s)[1:]
	return a
}

func TestCallRefusesWhatTwilioWouldRefuse(t *testing.T) {
	tests := []struct {
		name string
		page page
		want string // in Run's error
	}{
		{"ServerErrorStatus", page{status: 500, body: `<Say>x</Say>`}, "status 500"},
		{"HTTPRedirectStatus", page{status: 302, body: `<Say>x</Say>`}, "status 302"},
		{"PlainTextContentType", page{contentType: "text/plain", body: `<Say>x</Say>`}, `Content-Type "text/plain"`},
		{"HTMLContentType", page{contentType: "text/html; charset=utf-8", body: `<Say>x</Say>`}, `Content-Type "text/html; charset=utf-8"`},
		{"MalformedXML", page{raw: true, body: `<Response><Say>x</Response>`}, "malformed TwiML"},
		{"EmptyBody", page{raw: true, body: ``}, "the document is empty"},
		{"RootIsNotResponse", page{raw: true, body: `<Reply><Say>x</Say></Reply>`}, "not <Response>"},
		{"TwoRoots", page{raw: true, body: `<Response/><Response/>`}, "a second root element"},
		{"TextOutsideVerbs", page{body: `Hello<Hangup/>`}, `text "Hello" directly inside <Response>`},
		{"UnknownVerb", page{body: `<Say>hi</Say><Dance/>`}, "unknown verb <Dance>"},
		{"EmptySay", page{body: `<Say> </Say>`}, "<Say>: nothing to say"},
		{"PlayWithoutURL", page{body: `<Play/>`}, "<Play>: no URL to play"},
		{"DialWithNothingToDial", page{body: `<Dial action="x"/>`}, "<Dial>: nothing to dial"},
		{"DialWithAnUnknownNoun", page{body: `<Dial><Phone>+15555550100</Phone></Dial>`}, "<Dial> cannot contain <Phone>"},
		{"GatherNestingADial", page{body: `<Gather><Dial>+15555550100</Dial></Gather>`}, "<Gather> cannot contain <Dial>"},
		{"GatherListeningForNothing", page{body: `<Gather input="keys"/>`}, `input="keys"`},
		{"RedirectWithoutURL", page{body: `<Redirect/>`}, "<Redirect>: no URL"},
		{"EnqueueWithoutName", page{body: `<Enqueue/>`}, "<Enqueue>: no queue name"},
		{"UnknownMethod", page{body: `<Redirect method="PUT">/a/start</Redirect>`}, `method "PUT"`},
		{"BadPauseLength", page{body: `<Pause length="soon"/>`}, `length="soon"`},
		{"DocumentOverTwilios64kB", page{body: `<Say>` + strings.Repeat("a", 70000) + `</Say>`}, "over Twilio's 65536"},
		{"RedirectLoop", page{body: `<Redirect>/a/start</Redirect>`}, "the call made 50 requests without ending: a loop?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, base := newFake(t, map[string]page{"/a/start": tt.page})
			c := &caller.Call{URL: base + "/a/start", Token: principals.NewSecret(testToken)}
			_, err := c.Run(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Run: %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

func TestRequestLimitIsErrMaxRequests(t *testing.T) {
	_, base := newFake(t, map[string]page{"/a/start": {body: `<Redirect>/a/start</Redirect>`}})
	c := &caller.Call{URL: base + "/a/start", Token: principals.NewSecret(testToken), MaxRequests: 3}
	tr, err := c.Run(context.Background())
	if !errors.Is(err, caller.ErrMaxRequests) || tr.Requests != 3 || tr.End != "" {
		t.Errorf("Run: %v after %d requests (end %q), want ErrMaxRequests after 3", err, tr.Requests, tr.End)
	}
}

func TestInvalidCallIsRefusedWithEveryProblem(t *testing.T) {
	c := &caller.Call{URL: "/ivr/welcome", DialStatus: "ringing", MaxRequests: -1, Client: http.DefaultClient, Handler: http.NotFoundHandler()}
	_, err := c.Run(context.Background())
	for _, want := range []string{"absolute", "Token is required", "DialStatus must be one of", "MaxRequests", "Client or Handler"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Run: %v, want an error saying %q", err, want)
		}
	}
}

func TestWrongTokenIsSignedAndRefusedByTheServer(t *testing.T) {
	tw, err := principals.NewTwilio(principals.TwilioOptions{Tokens: []principals.Secret{principals.NewSecret(testToken)}})
	if err != nil {
		t.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		if _, ok, _ := tw.Authenticate(r); !ok {
			io.WriteString(w, `<Response><Say>We could not verify this call.</Say></Response>`)
			return
		}
		io.WriteString(w, `<Response><Say>Welcome.</Say></Response>`)
	})
	for token, want := range map[string]string{testToken: "SAY Welcome.\n", "forged": "SAY We could not verify this call.\n"} {
		c := &caller.Call{URL: "https://ivr.example.com/ivr/welcome", Token: principals.NewSecret(token), Handler: h}
		tr, err := c.Run(context.Background())
		if err != nil || tr.String() != want {
			t.Errorf("token %q: %q, %v; want %q", token, tr.String(), err, want)
		}
	}
}

func TestHTTPRedirectIsNotFollowedWhateverTheClient(t *testing.T) {
	_, base := newFake(t, map[string]page{
		"/a/start": {status: http.StatusFound, body: `<Say>moved</Say>`},
	})
	c := &caller.Call{URL: base + "/a/start", Token: principals.NewSecret(testToken), Client: &http.Client{}}
	if _, err := c.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "status 302") {
		t.Errorf("Run: %v, want the 302 refused", err)
	}
}

// An agent session ends at once with the given handoff data, and the Connect action hears it as
// Twilio sends it; without an agent end the call stops at <Connect>.
func TestAgentEndFinishesTheSessionWithHandoffData(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		r.ParseForm()
		switch r.URL.Path {
		case "/ivr/assistant":
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Connect action="/ivr/assistant/agent"><ConversationRelay url="wss://agent.example.com/relay"/></Connect><Say>not reached</Say></Response>`)
		case "/ivr/assistant/agent":
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Say>`+r.PostForm.Get("SessionStatus")+" "+r.PostForm.Get("HandoffData")+`</Say><Hangup/></Response>`)
		}
	})
	for _, tc := range []struct {
		name, end, status, want string
	}{
		{"HandoffDataReachesTheAction", `{"reason":"transfer"}`, "", `SAY completed {"reason":"transfer"}`},
		{"FailedSession", "", "failed", "SAY failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &caller.Call{URL: "https://ivr.example.com/ivr/assistant", Token: principals.NewSecret(testToken), Handler: h, AgentEnd: tc.end, AgentStatus: tc.status}
			tr, err := c.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got := tr.String(); !strings.Contains(got, tc.want) || !strings.Contains(got, "CONNECT ConversationRelay wss://agent.example.com/relay") {
				t.Errorf("transcript:\n%s\nwant it to hold %q", got, tc.want)
			}
		})
	}
	c := &caller.Call{URL: "https://ivr.example.com/ivr/assistant", Token: principals.NewSecret(testToken), Handler: h}
	tr, err := c.Run(context.Background())
	if err != nil || !strings.Contains(tr.End, "does not follow") {
		t.Errorf("without an agent end: %v, %q", err, tr.End)
	}
	c.AgentEnd = "{not json"
	if _, err := c.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "AgentEnd must be JSON") {
		t.Errorf("bad AgentEnd: %v", err)
	}
}
