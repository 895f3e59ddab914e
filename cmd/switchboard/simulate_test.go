package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/principals"
)

// testToken is the auth token of the test servers (not a real one).
const testToken = "0123456789abcdef0123456789abcdef"

// Clocks for the demo's sales hours (America/New_York, Mon-Fri 09:00-17:00).
const (
	mondayMorning = "2026-11-23T10:00:00-05:00"
	sundayNight   = "2026-11-22T23:00:00-05:00"
)

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestSimulateDemoInProcess(t *testing.T) {
	tests := []struct {
		name   string
		given  []string // flags after "simulate"; no --url, so the flow is served in-process
		last   string   // the transcript's last event
		golden string   // testdata/simulate/<golden>.golden; "" for none
	}{
		{"PressingOneInOpeningHoursLandsOnTheSalesDial",
			[]string{"--at", mondayMorning, "--press", "1"}, "HANGUP", "sales-open"},
		{"PressingOneAfterHoursLeavesAVoicemail",
			[]string{"--at", sundayNight, "--press", "1"}, "HANGUP", "sales-closed"},
		{"UnansweredSalesDialGoesToVoicemail",
			[]string{"--at", mondayMorning, "--press", "1", "--dial-status", "no-answer"}, "HANGUP", "sales-no-answer"},
		{"SupportThenBillingDialsBilling",
			[]string{"--flow", "../../demo.yaml", "--press", "2", "--press", "1"}, "DIAL +15555550112", "demo-call"},
		{"SpeechAnswersTheSupportMenu",
			[]string{"--press", "2", "--say", "billing"}, "DIAL +15555550112", "speech"},
		{"TwoInvalidChoicesAreExhaustedToTheCallCenter",
			[]string{"--press", "7", "--press", "7"}, "DIAL +15555550100", "retries"},
		{"SilenceFallsThroughTwiceThenTheCallCenter",
			nil, "DIAL +15555550100", "no-input"},
		{"ForgedTokenHearsTheUnauthenticatedFlow",
			[]string{"--flow", "../../demo.yaml", "--token", "forged", "--press", "1"}, "DIAL +15555550100", "forged"},
		{"BlockedCallerHearsTheForbiddenFlow",
			[]string{"--from", "+15555550199", "--press", "1"}, "DIAL +15555550100", "blocked"},
		{"StrangerHearsTheStaffMenusOwnForbiddenFlow",
			[]string{"--press", "6", "--press", "0101"}, "DIAL +15555550100", "staff-stranger"},
		{"StaffReachesAnExtensionThroughItsGroup",
			[]string{"--from", "+15555550123", "--press", "6", "--press", "0101"}, "DIAL +15555550121", "staff"},
		{"SpanishMenuDialsSalesThenHangsUp",
			[]string{"--press", "5", "--press", "1"}, "HANGUP", "spanish"},
		{"PressingFourRecordsAMessage",
			[]string{"--press", "4"}, "HANGUP", "voicemail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"simulate"}, tt.given...)...)
			if code != 0 {
				t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
			}
			if got := lastLine(stdout); got != tt.last {
				t.Errorf("last event %q, want %q\n%s", got, tt.last, stdout)
			}
			golden(t, "testdata/simulate/"+tt.golden+".golden", stdout)
		})
	}
}

func TestSimulateForgedTokenIsTold(t *testing.T) {
	_, stdout, _ := runCLI(t, "simulate", "--token", "forged", "--press", "2", "--press", "1")
	if want := "SAY We could not verify this call.\nDIAL +15555550100\n"; stdout != want {
		t.Errorf("got\n%swant\n%s", stdout, want)
	}
}

// newServer serves the demo, as serve does, on a loopback port, checking signatures against
// testToken.
func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	tw, err := principals.NewTwilio(principals.TwilioOptions{Tokens: []principals.Secret{principals.NewSecret(testToken)}})
	if err != nil {
		t.Fatal(err)
	}
	app, err := framework.New(&framework.Options{Policies: []principals.Policy{tw}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	return srv
}

func TestSimulateAgainstARunningServer(t *testing.T) {
	srv := newServer(t)
	welcome := srv.URL + "/ivr/welcome"
	tests := []struct {
		name  string
		env   string // TWILIO_AUTH_TOKEN
		given []string
		want  string // the whole transcript
	}{
		{"HappyPathReachesADial", "", []string{"--url", welcome, "--token", testToken, "--press", "2", "--press", "1"},
			"SAY Thanks for calling Acme.\n" +
				"SAY For sales, press 1. For support, press 2. For our hours, press 3. To leave a message, press 4. Staff, press 6. To speak with someone, press 0.\n" +
				"GATHER pressed 2\nREDIRECT /ivr/support\n" +
				"SAY For billing, press 1 or say billing. For technical support, press 2 or say technical.\n" +
				"GATHER pressed 1\nSAY Connecting you to billing.\nDIAL +15555550112\n"},
		{"TokenComesFromTheEnvironment", testToken, []string{"--url", welcome, "--press", "0"},
			"SAY Thanks for calling Acme.\n" +
				"SAY For sales, press 1. For support, press 2. For our hours, press 3. To leave a message, press 4. Staff, press 6. To speak with someone, press 0.\n" +
				"GATHER pressed 0\nDIAL +15555550100\n"},
		{"ForgedTokenHearsTheUnauthenticatedFlow", testToken, []string{"--url", welcome, "--token", "forged"},
			"SAY We could not verify this call.\nDIAL +15555550100\n"},
		{"UnknownRouteHearsTheNotFoundFlow", "", []string{"--url", srv.URL + "/ivr/nowhere", "--token", testToken, "--press", "2", "--press", "1"},
			"SAY That option is not available.\nREDIRECT /ivr/welcome\n" +
				"SAY Thanks for calling Acme.\n" +
				"SAY For sales, press 1. For support, press 2. For our hours, press 3. To leave a message, press 4. Staff, press 6. To speak with someone, press 0.\n" +
				"GATHER pressed 2\nREDIRECT /ivr/support\n" +
				"SAY For billing, press 1 or say billing. For technical support, press 2 or say technical.\n" +
				"GATHER pressed 1\nSAY Connecting you to billing.\nDIAL +15555550112\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(envToken, tt.env)
			code, stdout, stderr := runCLI(t, append([]string{"simulate"}, tt.given...)...)
			if code != 0 {
				t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
			}
			if stdout != tt.want {
				t.Errorf("got\n%swant\n%s", stdout, tt.want)
			}
		})
	}
}

func TestSimulateAgainstThePhonetreeExample(t *testing.T) {
	example := []string{"simulate", "--flow", "../../examples/phonetree/flow.yaml", "--policy", "../../examples/phonetree/policy.csv",
		"--at", "2026-11-23T10:00:00-06:00"}
	tests := []struct {
		name  string
		given []string
		first string // the transcript's first event
		last  string // and its last
	}{
		{"HappyPathReachesADial", []string{"--press", "1", "--press", "2"}, "", "DIAL +15555550112"},
		{"RetriesEndAtTheCallCenter", []string{"--press", "7", "--press", "7"}, "", "DIAL +15555550100"},
		{"ForgedTokenHearsTheForbiddenFlow", []string{"--token", "forged"}, "SAY We could not verify this call.", "DIAL +15555550100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append(example, tt.given...)...)
			if code != 0 {
				t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
			}
			if first, _, _ := strings.Cut(stdout, "\n"); tt.first != "" && first != tt.first {
				t.Errorf("first event %q, want %q", first, tt.first)
			}
			if got := lastLine(stdout); got != tt.last {
				t.Errorf("last event %q, want %q\n%s", got, tt.last, stdout)
			}
		})
	}
}

// fakeTwilioApp is a TwiML server for the simulator's tests: it refuses requests whose signature
// does not verify, records the ones it accepts, and answers each path with a fixed response.
type fakeTwilioApp struct {
	t      *testing.T
	policy *principals.TwilioPolicy
	pages  map[string]page // by path

	mu   sync.Mutex
	seen []seenRequest
}

type page struct {
	status      int    // 200 when zero
	contentType string // text/xml when empty
	body        string // wrapped in <Response> unless it starts with "<?xml" or raw is set
	raw         bool
}

type seenRequest struct {
	method, uri string
	form        url.Values
}

func newFake(t *testing.T, pages map[string]page) (*fakeTwilioApp, string) {
	t.Helper()
	tw, err := principals.NewTwilio(principals.TwilioOptions{Tokens: []principals.Secret{principals.NewSecret(testToken)}})
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeTwilioApp{t: t, policy: tw, pages: pages}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func (f *fakeTwilioApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, ok, err := f.policy.Authenticate(r); !ok {
		f.t.Errorf("%s %s: the simulator's signature does not verify: %v", r.Method, r.RequestURI, err)
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
	if !p.raw && !strings.HasPrefix(body, "<?xml") {
		body = `<?xml version="1.0" encoding="UTF-8"?><Response>` + body + `</Response>`
	}
	w.Header().Set("Content-Type", or(p.contentType, "text/xml"))
	w.WriteHeader(max(p.status, 200))
	io.WriteString(w, body)
}

func (f *fakeTwilioApp) requests() []seenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seen
}

func TestSimulateFollowsTwiMLAsTwilioDoes(t *testing.T) {
	tests := []struct {
		name   string
		pages  map[string]page // the call starts at /start
		given  []string
		code   int                                 // the exit status
		want   string                              // the transcript
		expect func(t *testing.T, r []seenRequest) // checks the requests the app saw
	}{
		{
			name: "RelativeRedirectResolvesAgainstTheCurrentURL",
			pages: map[string]page{
				"/a/start": {body: `<Redirect>next?x=1</Redirect>`},
				"/a/next":  {body: `<Say>there</Say><Hangup/>`},
			},
			want: "REDIRECT next?x=1\nSAY there\nHANGUP\n",
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
			given: []string{"--press", "3"},
			want:  "SAY Press.\nPLAY https://example.com/a.mp3\nPAUSE 2\nGATHER pressed 3\nREJECT busy\n",
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
			expect: func(t *testing.T, r []seenRequest) {
				if len(r) != 1 {
					t.Errorf("requests %+v", r)
				}
			},
		},
		{
			name: "ActionOnEmptyResultCallsTheActionOnSilence",
			pages: map[string]page{
				"/a/start": {body: `<Gather actionOnEmptyResult="true"/>`},
			},
			given: []string{"--max-requests", "2"},
			code:  1, // it loops, into the request limit
			want:  "GATHER no input\nGATHER no input\n",
		},
		{
			name: "FinishOnKeyEndsTheDigitsAndNumDigitsCapsThem",
			pages: map[string]page{
				"/a/start": {body: `<Gather action="two" finishOnKey="*"/>`},
				"/a/two":   {body: `<Gather action="end" numDigits="2"/>`},
				"/a/end":   {body: `<Hangup/>`},
			},
			given: []string{"--press", "12*9", "--press", "345"},
			want:  "GATHER pressed 12\nGATHER pressed 34\nHANGUP\n",
			expect: func(t *testing.T, r []seenRequest) {
				if r[1].form.Get("FinishedOnKey") != "*" || r[2].form.Get("Digits") != "34" {
					t.Errorf("requests %+v", r)
				}
			},
		},
		{
			name: "SpeechToADTMFOnlyGatherIsNotHeard",
			pages: map[string]page{
				"/a/start": {body: `<Gather action="never"/>`},
			},
			given: []string{"--say", "billing"},
			want:  "GATHER no input (said \"billing\", but it listens for dtmf)\n",
		},
		{
			name: "SpeechAnswerSendsSpeechResult",
			pages: map[string]page{
				"/a/start": {body: `<Gather input="speech" action="heard"/>`},
				"/a/heard": {body: `<Hangup/>`},
			},
			given: []string{"--say", "tech support"},
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
			given: []string{"--dial-status", "busy"},
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
			given: []string{"--max-requests", "2"},
			code:  1, // it loops, into the request limit
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
		},
		{
			name: "TheFirstRequestIsSignedWithEveryCallField",
			pages: map[string]page{
				"/a/start": {body: `<Hangup/>`},
			},
			given: []string{"--from", "+15555550123", "--to", "+15555550111", "--account-sid", "AC0123456789abcdef0123456789abcdef"},
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, base := newFake(t, tt.pages)
			args := append([]string{"simulate", "--url", base + "/a/start", "--token", testToken}, tt.given...)
			code, stdout, stderr := runCLI(t, args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, stdout, stderr)
			}
			if stdout != tt.want {
				t.Errorf("got\n%swant\n%s", stdout, tt.want)
			}
			if tt.expect != nil {
				tt.expect(t, fake.requests())
			}
		})
	}
}

func TestSimulateRefusesWhatTwilioWouldRefuse(t *testing.T) {
	tests := []struct {
		name string
		page page
		want string // in stderr
	}{
		{"ServerErrorStatus", page{status: 500, body: `<Say>x</Say>`}, "status 500"},
		{"HTTPRedirectStatus", page{status: 302, body: `<Say>x</Say>`}, "status 302"},
		{"PlainTextContentType", page{contentType: "text/plain", body: `<Say>x</Say>`}, `Content-Type "text/plain"`},
		{"HTMLContentType", page{contentType: "text/html; charset=utf-8", body: `<Say>x</Say>`}, `Content-Type "text/html; charset=utf-8"`},
		{"MalformedXML", page{raw: true, body: `<Response><Say>x</Response>`}, "malformed TwiML"},
		{"EmptyBody", page{raw: true, body: ``}, "the document is empty"},
		{"RootIsNotResponse", page{raw: true, body: `<Reply><Say>x</Say></Reply>`}, "not <Response>"},
		{"TextOutsideVerbs", page{body: `Hello<Hangup/>`}, `text "Hello" directly inside <Response>`},
		{"UnknownVerb", page{body: `<Say>hi</Say><Dance/>`}, "unknown verb <Dance>"},
		{"EmptySay", page{body: `<Say> </Say>`}, "<Say>: nothing to say"},
		{"PlayWithoutURL", page{body: `<Play/>`}, "<Play>: no URL to play"},
		{"DialWithNothingToDial", page{body: `<Dial action="x"/>`}, "<Dial>: nothing to dial"},
		{"DialWithAnUnknownNoun", page{body: `<Dial><Phone>+15555550100</Phone></Dial>`}, "<Dial> cannot contain <Phone>"},
		{"GatherNestingADial", page{body: `<Gather><Dial>+15555550100</Dial></Gather>`}, "<Gather> cannot contain <Dial>"},
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
			code, stdout, stderr := runCLI(t, "simulate", "--url", base+"/a/start", "--token", testToken)
			if code != 1 {
				t.Errorf("exit %d, want 1\n%s%s", code, stdout, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr does not say %q:\n%s", tt.want, stderr)
			}
		})
	}
}

func TestSimulateInteractiveReadsAnswersFromTheKeyboard(t *testing.T) {
	cfg, code, ok := parseSimulate([]string{"--interactive", "--press", "2"}, func(string) string { return "" }, io.Discard, io.Discard)
	if !ok {
		t.Fatalf("parse: exit %d", code)
	}
	var out, prompts bytes.Buffer
	if code := simulate(context.Background(), cfg, strings.NewReader("billing\n"), &out, &prompts); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out.String(), prompts.String())
	}
	if got := out.String(); !strings.Contains(got, "GATHER pressed 2\n") || !strings.Contains(got, "GATHER said billing\nSAY Connecting you to billing.\nDIAL +15555550112\n") {
		t.Errorf("transcript:\n%s", got)
	}
	if n := strings.Count(prompts.String(), "? press digits"); n != 1 {
		t.Errorf("prompted %d times, want 1:\n%s", n, prompts.String())
	}
}

func TestSimulateInteractiveEmptyLineIsSilence(t *testing.T) {
	cfg, _, _ := parseSimulate([]string{"--interactive"}, func(string) string { return "" }, io.Discard, io.Discard)
	var out bytes.Buffer
	if code := simulate(context.Background(), cfg, strings.NewReader("\n7\n"), &out, io.Discard); code != 0 {
		t.Fatalf("exit %d", code)
	}
	want := "GATHER no input\n"
	if got := out.String(); !strings.Contains(got, want) || !strings.Contains(got, "GATHER pressed 7\n") || lastLine(got) != "DIAL +15555550100" {
		t.Errorf("transcript:\n%s", got)
	}
}

func TestSimulateUsage(t *testing.T) {
	tests := []struct {
		name  string
		given []string
		want  string // in stderr
	}{
		{"URLAndFlowTogether", []string{"--url", "http://127.0.0.1:1/ivr/welcome", "--token", "t", "--flow", "demo.yaml"}, "leave out --url"},
		{"URLWithoutAnyToken", []string{"--url", "http://127.0.0.1:1/ivr/welcome"}, "--token is required"},
		{"RelativeURL", []string{"--url", "/ivr/welcome", "--token", "t"}, "absolute"},
		{"BadClock", []string{"--at", "monday"}, "RFC 3339"},
		{"UnknownDialStatus", []string{"--dial-status", "ringing"}, "--dial-status must be one of"},
		{"ZeroRequestLimit", []string{"--max-requests", "0"}, "at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(envToken, "")
			code, _, stderr := runCLI(t, append([]string{"simulate"}, tt.given...)...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr:\n%s", code, stderr)
			}
		})
	}
}

func TestSimulateBrokenFlowExitsOne(t *testing.T) {
	code, _, stderr := runCLI(t, "simulate", "--flow", "testdata/validate/broken.yaml")
	if code != 1 || !strings.Contains(stderr, "broken.yaml:9:14") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestKeypadCollectsDigitsAsAGatherDoes(t *testing.T) {
	tests := []struct {
		pressed, finish string
		numDigits       int
		digits, key     string
	}{
		{"0101#", "#", 0, "0101", "#"},
		{"0101", "#", 4, "0101", ""},
		{"12", "#", 1, "1", ""},
		{"1#", "#", 1, "1", ""},
		{"#", "#", 0, "", "#"},
		{"12*9", "*#", 0, "12", "*"},
		{"12#", "", 0, "12#", ""},
	}
	for _, tt := range tests {
		if digits, key := keypad(tt.pressed, tt.finish, tt.numDigits); digits != tt.digits || key != tt.key {
			t.Errorf("keypad(%q, %q, %d) = %q, %q; want %q, %q", tt.pressed, tt.finish, tt.numDigits, digits, key, tt.digits, tt.key)
		}
	}
}
