package framework

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-ivr/switchboard/callstate"
	"github.com/switchboard-ivr/switchboard/framework/flow"
	"github.com/switchboard-ivr/switchboard/pin"
	"github.com/switchboard-ivr/switchboard/principals"
)

// AgentStateTTL is how long the token sealed into an agent's Connect action (and its
// switchboard_state parameter) stays valid: four hours, the longest Twilio lets a call last by
// default, so that no session the call can hold outlives it, where the state token's usual TTL
// (callstate.DefaultTTL, 15 minutes) would send a caller back from a longer conversation to the
// forbidden flow. It is safe because the token opens only on that call's requests (Twilio signs
// them; the token is bound to the call SID) and only at that node's /agent path, and the state it
// carries is what this server sealed: a leaked token lets nobody else's call in, and once the
// call ends no signed request names it again.
const AgentStateTTL = 4 * time.Hour

// StateParam is the query parameter that carries a call's sealed state (package callstate) in
// its callback URLs: the PIN scopes it entered and the URL's own call state (retry counts, a
// dial or record site, PIN attempts) beyond the route's first state ([App.checkCallState]).
const StateParam = "st"

// openState reads the state token of a voice request, when it carries one, and adds a pin:
// principal for each scope sealed in it. A token counts only on a request that Twilio's policy
// vouched for, only for the call SID that request names, only on the path it was issued for,
// and only until it expires (package callstate); otherwise it grants nothing and the log says
// why.
func (a *App) openState(ex *exchange, r *http.Request) {
	tok := rawQueryValue(r.URL.RawQuery, StateParam)
	if tok == "" {
		return
	}
	id, ok := ex.twilioIdentity()
	if !ok || !ex.auth.Principals.Has(principals.Twilio) {
		ex.stateErr = errors.New("state token on a request Twilio's signature does not vouch for")
		return
	}
	st, err := a.opts.State.Open(tok, id.CallSID, r.URL.Path, ex.start)
	if err != nil {
		if est, eerr := a.openEntry(id, tok, r.URL.Path, ex.start); eerr == nil {
			st, err = est, nil
		}
	}
	if err != nil {
		ex.stateErr = err
		return
	}
	ex.scopes, ex.stateOK, ex.stateData = st.Scopes, true, st.Data
	if len(st.Vars)+len(st.Secret) > 0 {
		ex.vars = make(map[string]string, len(st.Vars)+len(st.Secret))
		for k, v := range st.Vars {
			ex.vars[k] = v
		}
		for k, v := range st.Secret {
			ex.vars[k] = v
		}
	}
	names := slices.Clone(ex.auth.Principals.Names())
	for _, sc := range st.Scopes {
		names = append(names, pin.Principal(sc))
	}
	ex.auth.Principals = principals.NewSet(names...)
}

// entryBinding is what a token from [App.SealEntry] is bound to in place of a call SID: the
// number the call goes to. A call SID starts with "CA", so the two never name the same thing.
func entryBinding(to string) string { return "outbound " + to }

// SealEntry returns the raw query of the first URL of a call this server starts (POST /calls) to
// the number to, at path (as this server sees it, under the flow's base path), when that URL
// holds the call state query (such as "l=es-MX", the language the call starts in). Twilio
// creates the call SID only when it accepts the call, so the token cannot be bound to it as
// every other token is: it is bound to the number instead, and opens only on a Twilio-signed
// request of an outbound-api call to that number (Direction and To), at that path, with that
// query, within the state TTL; the responses to that request seal their URLs for the call SID
// as usual. It returns query followed by &st=<token>, or "" for an empty query.
func (a *App) SealEntry(to, path, query string, now time.Time) (string, error) {
	if query == "" || a.opts.State == nil {
		return query, nil
	}
	if !principals.IsE164(to) {
		return "", fmt.Errorf("framework: SealEntry: %q is not an E.164 number", to)
	}
	tok, err := a.opts.State.Seal(entryBinding(to), path, callstate.State{Data: query}, now)
	if err != nil {
		return "", err
	}
	return query + "&" + StateParam + "=" + tok, nil
}

// openEntry opens a token from [App.SealEntry] on a Twilio-signed request of an outbound-api
// call to the number the token was sealed for.
func (a *App) openEntry(id *principals.Identity, tok, path string, now time.Time) (callstate.State, error) {
	dir, _ := id.Form.Lookup("Direction")
	to, _ := id.Form.Lookup("To")
	if dir != "outbound-api" || !principals.IsE164(to) {
		return callstate.State{}, callstate.ErrInvalid
	}
	return a.opts.State.Open(tok, entryBinding(to), path, now)
}

// grantScope adds scope to the scopes the call holds from this response on, and the pin:
// principal to the request's principals.
func (ex *exchange) grantScope(scope string) {
	if slices.Contains(ex.scopes, scope) {
		return
	}
	ex.scopes = append(slices.Clone(ex.scopes), scope)
	ex.auth.Principals = principals.NewSet(append(slices.Clone(ex.auth.Principals.Names()), pin.Principal(scope))...)
}

// writeVoice writes a TwiML answer. On a request that names its call, every callback URL in it
// that is a path under the flow's base path carries a token sealed for that path, holding the
// call's PIN scopes and, as its Data, the URL's own query (the retry counts, site or attempts
// that [App.checkCallState] then requires); URLs to other hosts never do, so that the state is
// never handed to anyone else. An agent's switchboard_state parameter gets the token of the
// Connect action (the agent server is a host the flow declares), or nothing when the call has no
// token.
func (a *App) writeVoice(ex *exchange, b []byte) {
	agentTok := ""
	if a.opts.State != nil {
		if id, ok := ex.twilioIdentity(); ok && id.CallSID != "" {
			sealed, err := sealURLs(b, a.opts.URLPrefix, ex.st.flow.BasePath(), func(p, q []byte) (string, error) {
				agentURL := ex.handsOff && bytes.HasSuffix(p, agentSuffix) // a Connect action: always sealed
				if len(ex.scopes) == 0 && len(ex.vars) == 0 && !agentURL && zeroQuery(q) {
					return "", nil // state zero needs no token: a request without one is read as it
				}
				path := string(p)
				st := callstate.State{Scopes: ex.scopes, Data: string(q)}
				if len(ex.vars) > 0 {
					st.Vars, st.Secret = splitVars(ex.st.flow, ex.vars)
				}
				if agentURL {
					// The agent's session may outlast the token's TTL: its return, and the
					// agent server, get a token that lives as long as a call may.
					tok, err := a.opts.State.SealFor(id.CallSID, path, st, ex.start, AgentStateTTL)
					agentTok = tok
					return tok, err
				}
				return a.opts.State.Seal(id.CallSID, path, st, ex.start)
			})
			if err == nil {
				b = sealed
			} else {
				ex.stateErr = err // the call goes on without its state: it grants nothing
			}
		}
	}
	if ex.handsOff {
		b = bytes.Replace(b, statePlaceholder, []byte(` value="`+agentTok+`"`), 1)
	}
	writeTwiML(ex, b)
}

// checkCallState refuses a request to a route that reads call state (retry counts, a dial or
// record site, PIN attempts) unless that state is what this server sealed for this call on this
// path: the query without st= must equal the token's Data. A request without a token must be at
// the route's first state (state zero); a token that does not open (another call, another path,
// expired, forged) refuses the request. Every refusal is the not-found flow: this server never
// sent the call to that URL.
func (a *App) checkCallState(ex *exchange, rt *flow.Route, rawQuery string) error {
	if a.opts.State == nil || !rt.ReadsState() {
		return nil
	}
	switch {
	case ex.stateOK:
		if withoutParam(rawQuery, StateParam) != ex.stateData {
			return &Error{Op: "call state", Kind: KindNotFound, Err: errors.New("the URL's state is not the state sealed for this call")}
		}
	case rawQueryValue(rawQuery, StateParam) != "":
		return &Error{Op: "call state", Kind: KindNotFound, Err: fmt.Errorf("state token refused: %w", ex.stateErr)}
	case !rt.ZeroState(rawQuery):
		return &Error{Op: "call state", Kind: KindNotFound, Err: errors.New("state beyond the first without a state token")}
	}
	return nil
}

// zeroQuery reports whether a callback URL's query holds no count or site above zero: the
// first state of its route, which a request may reach without a token.
func zeroQuery(q []byte) bool {
	for len(q) > 0 {
		var kv []byte
		kv, q, _ = bytes.Cut(q, []byte("&"))
		if _, v, _ := bytes.Cut(kv, []byte("=")); len(bytes.Trim(v, "0")) != 0 {
			return false
		}
	}
	return true
}

// withoutParam returns the raw query q without its key= parameters; it does not allocate when
// there is at most one and it is last (as sealURLs writes it).
func withoutParam(q, key string) string {
	if i := strings.LastIndex(q, "&"+key+"="); i >= 0 && !strings.Contains(q[i+1:], "&") {
		return q[:i]
	}
	var out []string
	for kv := range strings.SplitSeq(q, "&") {
		if k, _, _ := strings.Cut(kv, "="); k != key {
			out = append(out, kv)
		}
	}
	return strings.Join(out, "&")
}

// agentSuffix ends the path of an agent's Connect action (a node's /agent route).
var agentSuffix = []byte("/agent")

// statePlaceholder is how a compiled agent document holds the place of the state token.
var statePlaceholder = []byte(` value="` + flow.StatePlaceholder + `"`)

// sealURLs returns doc with a state token appended to each callback URL under prefix+base: the
// value of every action="…" attribute and the text of every <Redirect>. seal returns the token
// for a path as this server will see it, without the prefix (Options.URLPrefix) that a proxy
// strips, and the URL's query unescaped; an empty token leaves the URL as it is. seal must not
// keep path or query, which may be doc's own bytes: a URL that needs no token costs no copy.
func sealURLs(doc []byte, prefix, base string, seal func(path, query []byte) (string, error)) ([]byte, error) {
	var out []byte // nil until a token is written: a document without one is returned as it is
	done, at := 0, 0
	for {
		start, end := nextURL(doc[at:])
		if start < 0 {
			break
		}
		start, end = start+at, end+at
		at = end
		u := doc[start:end]
		path := u
		if i := bytes.IndexByte(u, '?'); i >= 0 {
			path = u[:i]
		}
		p, ok := bytes.CutPrefix(path, []byte(prefix))
		if !ok || !bytes.HasPrefix(p, []byte(base)) || len(p) > len(base) && p[len(base)] != '/' {
			continue
		}
		var query []byte
		if len(path) < len(u) {
			query = u[len(path)+1:]
			if bytes.Contains(query, ampEntity) {
				query = bytes.ReplaceAll(query, ampEntity, []byte("&"))
			}
		}
		tok, err := seal(p, query)
		if err != nil {
			return nil, err
		}
		if tok == "" {
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(doc)+2*(len(tok)+len("&amp;")+len(StateParam)+1)) // room for two tokens
		}
		out = append(out, doc[done:end]...)
		done = end
		if len(path) < len(u) {
			out = append(out, "&amp;"...)
		} else {
			out = append(out, '?')
		}
		out = append(out, StateParam...)
		out = append(out, '=')
		out = append(out, tok...) // base64url: nothing to escape
	}
	if out == nil {
		return doc, nil
	}
	return append(out, doc[done:]...), nil
}

var (
	ampEntity     = []byte("&amp;")
	actionAttr    = []byte(` action="`)
	redirectOpen  = []byte(`<Redirect`)
	redirectClose = []byte(`</Redirect>`)
)

// nextURL finds the first callback URL in doc: the value of an action attribute or the text of
// a Redirect element. It returns its bounds, or -1, -1.
func nextURL(doc []byte) (start, end int) {
	a := bytes.Index(doc, actionAttr)
	r := bytes.Index(doc, redirectOpen)
	switch {
	case a >= 0 && (r < 0 || a < r):
		start = a + len(actionAttr)
		n := bytes.IndexByte(doc[start:], '"')
		if n < 0 {
			return -1, -1
		}
		return start, start + n
	case r >= 0:
		gt := bytes.IndexByte(doc[r:], '>')
		if gt < 0 {
			return -1, -1
		}
		start = r + gt + 1
		n := bytes.Index(doc[start:], redirectClose)
		if n < 0 {
			return -1, -1
		}
		return start, start + n
	}
	return -1, -1
}

// rawQueryValue returns the value of key in a raw query, unescaped only when it needs to be, or
// "".
func rawQueryValue(q, key string) string {
	for q != "" {
		var kv string
		kv, q, _ = strings.Cut(q, "&")
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v // a token is base64url: it never needs unescaping
		}
	}
	return ""
}
