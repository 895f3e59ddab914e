package flow

import (
	"encoding/json"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
	"github.com/switchboard-ivr/switchboard/twiml"
)

// The Parameters every agent step sends besides its own: the node's name, and the call's state
// token (sealed by the server for the node's /agent route, so that an agent server sharing the
// key can open it with the call SID of its setup message).
const (
	ParamMenu  = "switchboard_menu"
	ParamState = "switchboard_state"
)

// StatePlaceholder is the value the compiled document holds for the [ParamState] parameter;
// the server that serves it writes the call's token in its place (or nothing, when the call
// has none). It needs no escaping in an attribute.
const StatePlaceholder = "switchboard-state-token"

// agentRetries is how many times a node without on_error connects the caller to its agent again
// after a failed session before its internal error flow: once. The count rides in the /agent
// URL (r=), which the server seals into the call's state token, so no request can reset it.
const agentRetries = 1

// MaxHandoffData bounds the HandoffData a route reads: longer data goes to "default" unread.
const MaxHandoffData = 8 << 10

// Session statuses of Twilio's Connect action request that Respond tells apart.
const (
	SessionFailed = "failed" // the session could not run or broke (a provider error, an unreachable agent)
)

// validWSS accepts a wss:// URL with a host, no user info and no fragment. A query string is
// refused too: Twilio signs the handshake over the URL, and SDKs disagree about how a query
// takes part; context goes in parameters, which arrive in the setup message.
func validWSS(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "wss" && u.Host != "" && u.User == nil && u.RawQuery == "" &&
		u.Fragment == "" && !u.ForceQuery && validAgentHost(u.Host)
}

// validAgentHost accepts host or host:port, lower-case letters, digits, "-" and ".", or an IP.
func validAgentHost(s string) bool {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		host, port = s, ""
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return false
		}
	}
	if host == "" || len(host) > 253 {
		return false
	}
	if net.ParseIP(strings.Trim(host, "[]")) != nil {
		return true
	}
	for _, r := range host {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// agentHost returns the host of an agent URL as agents.hosts names it: lower case, without
// :443.
func agentHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return normalHost(u.Host)
}

func normalHost(h string) string {
	h = strings.ToLower(h)
	return strings.TrimSuffix(h, ":443")
}

// agentRules: exactly one of relay and stream; the relay's settings only with relay; on_end has
// a default.
func agentRules(sl validator.StructLevel) {
	a := sl.Current().Interface().(Agent)
	switch {
	case a.Relay == "" && a.Stream == "":
		broken(sl, "", "an agent needs relay (a ConversationRelay wss:// URL) or stream (a Media Streams wss:// URL)")
	case a.Relay != "" && a.Stream != "":
		broken(sl, "stream", "an agent takes relay or stream, not both")
	case a.Stream != "":
		for field, v := range map[string]string{"welcome": a.Welcome, "language": a.Language, "voice": a.Voice, "tts_provider": a.Provider} {
			tr := map[string]map[string]string{"welcome": a.WelcomeTranslations, "voice": a.VoiceTranslations, "tts_provider": a.ProviderTranslations}[field]
			if v != "" || len(tr) > 0 {
				broken(sl, field, "%s applies to relay only: a stream carries raw audio", field)
			}
		}
	}
	if a.OnEnd != nil {
		if _, ok := a.OnEnd[AgentDefault]; !ok {
			broken(sl, "on_end", "on_end needs a %q destination, for a handoff value it does not list (or none)", AgentDefault)
		}
	}
	for k := range a.Parameters {
		if k == ParamMenu || k == ParamState {
			brokenKey(sl, "parameters["+k+"]", "%s is the parameter the server sends itself; choose another name", k)
		}
	}
}

// agent checks what an agent step relates to elsewhere in the flow: its host among
// agents.hosts, and its destinations.
func (c *checker) agent(sp string, a *Agent, nested actionCtx) {
	for _, field := range []string{"relay", "stream"} {
		raw := a.Relay
		if field == "stream" {
			raw = a.Stream
		}
		if raw == "" || !validWSS(raw) {
			continue
		}
		h := agentHost(raw)
		declared := false
		for _, d := range c.f.Agents.Hosts {
			declared = declared || normalHost(d) == h
		}
		if !declared {
			c.errorf(joinKey(sp, field), "host %q is not among agents.hosts: declare the agents this flow may hand callers to (agents: {hosts: [%s]})", h, h)
		}
	}
	for _, key := range sortedKeys(a.OnEnd) {
		d := a.OnEnd[key]
		c.action(joinKey(joinKey(sp, "on_end"), key), &d, nested)
	}
	c.action(joinKey(sp, "on_error"), a.OnError, nested)
}

// agent compiles a node's agent step: the documents of its /agent route, which it adds, and the
// <Connect> that hands the call over on entry.
func (nc *nodeCompiler) agent(path string, a *Agent) []twiml.Verb {
	cn := nc.cn
	cn.agent = true
	keys := sortedKeys(a.OnEnd)
	for _, key := range keys {
		d := a.OnEnd[key]
		out := nc.c.render(joinKey(joinKey(path, "on_end"), key), nc.action(&d))
		if key == AgentDefault {
			cn.agentDefault = out
			continue
		}
		cn.agentEnd = append(cn.agentEnd, option{key: key, out: out})
	}
	if a.OnError != nil {
		cn.agentError = nc.c.render(joinKey(path, "on_error"), nc.action(a.OnError))
	} else {
		cn.agentError = cn.errs[Internal]
		cn.agentRetry = make([][]byte, agentRetries+1)
		for r := 1; r <= agentRetries; r++ {
			cn.agentRetry[r] = nc.c.render(path, []twiml.Verb{nc.connect(a, r)})
		}
	}
	nc.addRoute("/agent", routeAgent)
	return []twiml.Verb{nc.connect(a, 0)}
}

// connect returns the <Connect> that hands the call to a's agent, the retry-th time (0: the
// first), with the node's /agent route as its action.
func (nc *nodeCompiler) connect(a *Agent, retry int) twiml.Connect {
	action := nc.route + "/agent"
	if retry > 0 {
		action += "?r=" + strconv.Itoa(retry)
	}
	params := make([]twiml.Parameter, 0, len(a.Parameters)+2)
	names := make([]string, 0, len(a.Parameters))
	for k := range a.Parameters {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		params = append(params, twiml.Parameter{Name: k, Value: a.Parameters[k]})
	}
	params = append(params, twiml.Parameter{Name: ParamMenu, Value: nc.name},
		twiml.Parameter{Name: ParamState, Value: StatePlaceholder})
	connect := twiml.Connect{Action: nc.link(action)}
	if a.Stream != "" {
		connect.Target = twiml.Stream{URL: a.Stream, Parameters: params}
	} else {
		lang := a.Language
		welcome := a.Welcome
		if lang == "" {
			var v voice
			welcome, v = nc.say(a.Welcome, a.WelcomeTranslations)
			lang = v.language
		}
		// The voice and provider of the language the relay speaks, else the agent's own.
		voice, provider := a.Voice, a.Provider
		if t := a.VoiceTranslations[lang]; t != "" {
			voice = t
		}
		if t := a.ProviderTranslations[lang]; t != "" {
			provider = t
		}
		connect.Target = twiml.ConversationRelay{
			URL: a.Relay, WelcomeGreeting: welcome, Language: lang, TTSProvider: provider,
			Voice: voice, Parameters: params,
		}
	}
	return connect
}

// respondAgent picks the document for the end of an agent session.
func (n *node) respondAgent(in Input) []byte {
	if in.SessionStatus == SessionFailed {
		if r := max(queryInt(in.Query, "r"), 0) + 1; r < len(n.agentRetry) {
			return n.agentRetry[r]
		}
		return n.agentError
	}
	v := HandoffValue(in.HandoffData)
	if v == "" {
		return n.agentDefault
	}
	for k := range n.agentEnd {
		if n.agentEnd[k].key == v {
			return n.agentEnd[k].out
		}
	}
	return n.agentDefault
}

// HandoffValue returns the value an agent's handoff data names its destination with: the
// "reason" field of a JSON object, or its "next" field when it has no reason; a bare word that
// is not JSON counts as itself. Anything else (no data, a value that is not a string, data
// longer than [MaxHandoffData] or not UTF-8) is "", which goes to on_end's default. The value is
// never longer than data.
func HandoffValue(data string) string {
	data = strings.TrimSpace(data)
	if data == "" || len(data) > MaxHandoffData || !utf8.ValidString(data) {
		return ""
	}
	if data[0] != '{' {
		if len(data) <= 64 && !strings.ContainsAny(data, " \t\r\n\"[]{}") {
			return data
		}
		return ""
	}
	var h struct {
		Reason *string `json:"reason"`
		Next   *string `json:"next"`
	}
	if json.Unmarshal([]byte(data), &h) != nil {
		return ""
	}
	switch {
	case h.Reason != nil:
		return *h.Reason
	case h.Next != nil:
		return *h.Next
	}
	return ""
}
