package principals

import (
	"net/http"
	"net/netip"
	"strings"
)

// A target is where a request went, as the policy rebuilds it: prefix (scheme://host[/path]) and
// the raw path and query.
type target struct {
	scheme, host, prefix string // prefix is set instead of scheme and host for PublicURL
	uri                  string
}

// target rebuilds the URL Twilio signed. With forwarded, X-Forwarded-* headers are believed from
// any peer (only for hints).
func (p *TwilioPolicy) target(r *http.Request, forwarded bool) target {
	t := target{uri: requestURI(r)}
	if p.public != "" && !forwarded {
		t.prefix = p.public
		return t
	}
	t.scheme, t.host = "http", r.Host
	if r.TLS != nil {
		t.scheme = "https"
	}
	if t.host == "" && r.URL != nil {
		t.host = r.URL.Host
	}
	if forwarded || p.trustedPeer(r) {
		if proto := lastHeader(r, "X-Forwarded-Proto"); strings.EqualFold(proto, "https") || strings.EqualFold(proto, "http") {
			t.scheme = strings.ToLower(proto)
		}
		if host := lastHeader(r, "X-Forwarded-Host"); host != "" && validHost(host) {
			t.host = host
		}
	}
	return t
}

func (p *TwilioPolicy) trustedPeer(r *http.Request) bool {
	if len(p.trusted) == 0 {
		return false
	}
	addr, ok := peerAddr(r.RemoteAddr)
	if !ok {
		return false
	}
	for _, pr := range p.trusted {
		if pr.Contains(addr) {
			return true
		}
	}
	return false
}

// peerAddr parses r.RemoteAddr ("192.0.2.1:1234", "[::1]:80" or a bare address).
func peerAddr(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	return netip.Addr{}, false
}

// lastHeader returns the last comma-separated element of the last line of a header, trimmed: the
// one the nearest proxy added.
func lastHeader(r *http.Request, name string) string {
	vs := r.Header.Values(name)
	if len(vs) == 0 {
		return ""
	}
	v := vs[len(vs)-1]
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	return strings.TrimSpace(v)
}

// validHost reports whether h can be a URL host: no characters that would change the URL's shape.
func validHost(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("/?#@\\", c) >= 0 {
			return false
		}
	}
	return true
}

// requestURI returns the raw path and query the client sent, byte for byte.
func requestURI(r *http.Request) string {
	u := r.RequestURI
	if strings.HasPrefix(u, "/") {
		return u
	}
	if _, rest, ok := strings.Cut(u, "://"); ok { // absolute form, as httptest.NewRequest sets it
		if i := strings.IndexAny(rest, "/?"); i >= 0 {
			return rest[i:]
		}
		return ""
	}
	if r.URL == nil {
		return ""
	}
	s := r.URL.EscapedPath()
	if r.URL.RawQuery != "" || r.URL.ForceQuery {
		s += "?" + r.URL.RawQuery
	}
	return s
}

// rawQuery returns the query of a request URI, without the '?'.
func rawQuery(uri string) string {
	_, q, _ := strings.Cut(uri, "?")
	return q
}

// appendURL appends the URL to dst; with toggle, the default port is added or removed.
func (t target) appendURL(dst []byte, toggle bool) []byte {
	if t.prefix != "" {
		scheme, rest, _ := strings.Cut(t.prefix, "://")
		host, path := rest, ""
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			host, path = rest[:i], rest[i:]
		}
		dst = appendSchemeHost(dst, scheme, host, toggle)
		dst = append(dst, path...)
	} else {
		dst = appendSchemeHost(dst, t.scheme, t.host, toggle)
	}
	return append(dst, t.uri...)
}

func appendSchemeHost(dst []byte, scheme, host string, toggle bool) []byte {
	dst = append(dst, scheme...)
	dst = append(dst, "://"...)
	if !toggle {
		return append(dst, host...)
	}
	name, port, hasPort := splitPort(host)
	def := defaultPort(scheme)
	switch {
	case !hasPort:
		dst = append(dst, name...)
		dst = append(dst, ':')
		return append(dst, def...)
	case port == def:
		return append(dst, name...)
	}
	return append(dst, host...)
}

// schemeName returns the target's scheme, as written.
func (t target) schemeName() string {
	if t.prefix != "" {
		scheme, _, _ := strings.Cut(t.prefix, "://")
		return scheme
	}
	return t.scheme
}

// swapScheme returns the target's scheme and the target with http and https swapped.
func (t target) swapScheme() (string, target) {
	seen := t.schemeName()
	to := "https"
	if strings.EqualFold(seen, "https") {
		to = "http"
	}
	if t.prefix != "" {
		_, rest, _ := strings.Cut(t.prefix, "://")
		t.prefix = to + "://" + rest
	} else {
		t.scheme = to
	}
	return seen, t
}

// hasPortVariant reports whether toggling the default port changes the URL.
func (t target) hasPortVariant() bool {
	scheme, host := t.scheme, t.host
	if t.prefix != "" {
		var rest string
		scheme, rest, _ = strings.Cut(t.prefix, "://")
		host, _, _ = strings.Cut(rest, "/")
	}
	_, port, hasPort := splitPort(host)
	return defaultPort(scheme) != "" && (!hasPort || port == defaultPort(scheme))
}

// splitPort splits "host:port" and "[v6]:port"; hasPort is false when there is no ':' after the
// host (a bare IPv6 address in brackets has none).
func splitPort(host string) (name, port string, hasPort bool) {
	i := strings.LastIndexByte(host, ':')
	if i < 0 || strings.LastIndexByte(host, ']') > i {
		return host, "", false
	}
	return host[:i], host[i+1:], true
}

func defaultPort(scheme string) string {
	switch {
	case strings.EqualFold(scheme, "https"):
		return "443"
	case strings.EqualFold(scheme, "http"):
		return "80"
	}
	return ""
}
