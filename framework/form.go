package framework

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-ivr/switchboard/principals"
)

// twilioIdentity returns what the Twilio policy vouched for, verified or (with the check turned
// off) not, when it vouched.
func (ex *exchange) twilioIdentity() (*principals.Identity, bool) {
	for i := range ex.auth.Identities {
		if id := &ex.auth.Identities[i]; id.Policy == principals.TwilioPolicyName {
			return id, true
		}
	}
	return nil, false
}

// formValue returns what r.FormValue(key) would: the first value of key in the form body, else
// in the URL's query. When the Twilio policy vouched, the body is read from the form it already
// parsed (Identity.Form), without building a map; otherwise r.FormValue parses it.
func (ex *exchange) formValue(r *http.Request, key string) string {
	id, ok := ex.twilioIdentity()
	if !ok {
		return r.FormValue(key)
	}
	if v, ok := id.Form.Lookup(key); ok {
		return v
	}
	return queryValue(r.URL.RawQuery, key)
}

// flowInput is formValue for a flow's Input, copied: the form's memory is reused once the
// request is answered (see pipeline), and what the flow package does with its Input is not
// bound to the request.
func (ex *exchange) flowInput(r *http.Request, key string) string {
	return detach(ex.formValue(r, key))
}

// detach returns a copy of s that shares no memory with it; a one-byte string (a key pressed)
// comes from the runtime's static table, without allocating.
func detach(s string) string {
	if len(s) == 1 {
		return string([]byte{s[0]})
	}
	return strings.Clone(s)
}

// detachAll returns copies of names, in one allocation for their bytes.
func detachAll(names []string) []string {
	all := strings.Join(names, "")
	out := make([]string, len(names))
	for i, n := range names {
		out[i], all = all[:len(n)], all[len(n):]
	}
	return out
}

// queryValue returns url.ParseQuery(q).Get(key) without building the map.
func queryValue(q, key string) string {
	if !hasEscape(q) && !strings.Contains(q, key) {
		return "" // the key would be written as is
	}
	for q != "" {
		var kv string
		kv, q, _ = strings.Cut(q, "&")
		if strings.Contains(kv, ";") { // url.ParseQuery refuses the pair
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		if hasEscape(k) {
			var err error
			if k, err = url.QueryUnescape(k); err != nil {
				continue
			}
		}
		if k != key {
			continue
		}
		if hasEscape(v) {
			var err error
			if v, err = url.QueryUnescape(v); err != nil {
				continue
			}
		}
		return v
	}
	return ""
}

// hasEscape reports whether s holds a '%' or a '+'.
func hasEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' || s[i] == '+' {
			return true
		}
	}
	return false
}

// shareForm leaves the form the Twilio policy parsed in r.PostForm and r.Form, with the query,
// as r.ParseForm would, so that handlers get parsed forms without parsing the body again.
func (ex *exchange) shareForm(r *http.Request) {
	id, ok := ex.twilioIdentity()
	if !ok || r.PostForm != nil {
		return
	}
	r.PostForm, r.Form = id.Form.URLValues(), nil
	_ = r.ParseForm() // only adds the query to r.Form: r.PostForm is set
}
