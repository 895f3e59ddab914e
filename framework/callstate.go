package framework

import (
	"bytes"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-ivr/switchboard/callstate"
	"github.com/switchboard-ivr/switchboard/framework/flow"
	"github.com/switchboard-ivr/switchboard/pin"
	"github.com/switchboard-ivr/switchboard/principals"
)

// StateParam is the query parameter that carries a call's sealed state (package callstate) in
// the callback URLs of a call that holds any: the PIN scopes it entered.
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
	st, err := a.opts.State.Open(tok, id.CallSID, r.URL.Path, time.Now())
	if err != nil {
		ex.stateErr = err
		return
	}
	ex.scopes, ex.stateOK = st.Scopes, true
	names := slices.Clone(ex.auth.Principals.Names())
	for _, sc := range st.Scopes {
		names = append(names, pin.Principal(sc))
	}
	ex.auth.Principals = principals.NewSet(names...)
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

// writeVoice writes a TwiML answer. When the call holds state, or the answer hands it to an
// agent, every callback URL in it that is a path under the flow's base path carries a token
// sealed for that path; URLs to other hosts never do, so that the state is never handed to
// anyone else. An agent's switchboard_state parameter gets the token of the Connect action (the
// agent server is a host the flow declares), or nothing when the call has no token.
func (a *App) writeVoice(ex *exchange, b []byte) {
	agentTok := ""
	if (len(ex.scopes) > 0 || ex.handsOff) && a.opts.State != nil {
		if id, ok := ex.twilioIdentity(); ok && id.CallSID != "" {
			sealed, err := sealURLs(b, a.opts.URLPrefix, ex.st.flow.BasePath(), func(path string) (string, error) {
				tok, err := a.opts.State.Seal(id.CallSID, path, callstate.State{Scopes: ex.scopes}, time.Now())
				if err == nil && ex.handsOff && strings.HasSuffix(path, "/agent") {
					agentTok = tok
				}
				return tok, err
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
	writeTwiML(ex.Response(), b)
}

// statePlaceholder is how a compiled agent document holds the place of the state token.
var statePlaceholder = []byte(` value="` + flow.StatePlaceholder + `"`)

// sealURLs returns doc with a state token appended to each callback URL under prefix+base: the
// value of every action="…" attribute and the text of every <Redirect>. seal returns the token
// for a path as this server will see it, without the prefix (Options.URLPrefix) that a proxy
// strips.
func sealURLs(doc []byte, prefix, base string, seal func(path string) (string, error)) ([]byte, error) {
	var out []byte
	rest := doc
	for {
		start, end := nextURL(rest)
		if start < 0 {
			break
		}
		u := rest[start:end]
		path := u
		if i := bytes.IndexByte(u, '?'); i >= 0 {
			path = u[:i]
		}
		out = append(out, rest[:end]...)
		if p, ok := strings.CutPrefix(string(path), prefix); ok && (p == base || strings.HasPrefix(p, base+"/")) {
			tok, err := seal(p)
			if err != nil {
				return nil, err
			}
			if len(path) < len(u) {
				out = append(out, "&amp;"...)
			} else {
				out = append(out, '?')
			}
			out = append(out, StateParam...)
			out = append(out, '=')
			out = append(out, tok...) // base64url: nothing to escape
		}
		rest = rest[end:]
	}
	return append(out, rest...), nil
}

var (
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
