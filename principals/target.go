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
		if isWebSocket(r) {
			t.prefix = p.publicWS
		}
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
		if proto := lastHeader(r, forwardedProtoHeader); strings.EqualFold(proto, "https") || strings.EqualFold(proto, "http") {
			t.scheme = strings.ToLower(proto)
		}
		if host := lastHeader(r, forwardedHostHeader); host != "" && validHost(host) {
			t.host = host
		}
	}
	if isWebSocket(r) {
		t.scheme = webSocketScheme(t.scheme)
	}
	return t
}

func (p *TwilioPolicy) trustedPeer(r *http.Request) bool {
	if len(p.trusted) == 0 {
		return false // the usual case: no need to parse the peer's address
	}
	addr, ok := peerAddr(r.RemoteAddr)
	return ok && contains(p.trusted, addr)
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

// ClientAddr returns the address of the client that sent r: the TCP peer (r.RemoteAddr), or,
// when the peer is in trusted, the nearest address in X-Forwarded-For that is not (the last hop
// a trusted proxy appended). Forwarded headers from any other peer change nothing: there is no
// safe default, so with trusted empty the peer is always the client. The zero Addr means
// r.RemoteAddr could not be read.
func ClientAddr(r *http.Request, trusted []netip.Prefix) netip.Addr {
	peer, _ := peerAddr(r.RemoteAddr)
	if !contains(trusted, peer) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		a = a.Unmap()
		if !contains(trusted, a) {
			return a
		}
	}
	return peer
}

func contains(prefixes []netip.Prefix, a netip.Addr) bool {
	for _, p := range prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// lastHeader returns the last comma-separated element of the last line of a header, trimmed: the
// one the nearest proxy added. name must be canonical ("X-Forwarded-Proto"): it indexes r.Header
// directly, since the hint of every failed signature reads two of them.
func lastHeader(r *http.Request, name string) string {
	vs := r.Header[name]
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

// appendURL appends the URL in variant v to dst.
func (t target) appendURL(dst []byte, v variant) []byte {
	if t.prefix != "" {
		scheme, rest, _ := strings.Cut(t.prefix, "://")
		host, path := rest, ""
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			host, path = rest[:i], rest[i:]
		}
		dst = appendSchemeHost(dst, scheme, host, v)
		dst = append(dst, path...)
	} else {
		dst = appendSchemeHost(dst, t.scheme, t.host, v)
	}
	return append(dst, t.uri...)
}

func appendSchemeHost(dst []byte, scheme, host string, v variant) []byte {
	dst = append(dst, scheme...)
	dst = append(dst, "://"...)
	if v.userinfo != nil {
		dst = append(dst, v.userinfo...)
		dst = append(dst, '@')
	}
	if !v.togglePort {
		return append(dst, host...)
	}
	name, _, hasPort := splitPort(host)
	if hasPort { // every SDK tries the URL with its port removed, whatever the port
		return append(dst, name...)
	}
	dst = append(dst, name...)
	dst = append(dst, ':')
	return append(dst, defaultPort(scheme)...)
}

// schemeName returns the target's scheme, as written.
func (t target) schemeName() string {
	if t.prefix != "" {
		scheme, _, _ := strings.Cut(t.prefix, "://")
		return scheme
	}
	return t.scheme
}

// swapScheme returns the target's scheme and the target with http and https (or ws and wss)
// swapped.
func (t target) swapScheme() (string, target) {
	seen := t.schemeName()
	var to string
	switch {
	case strings.EqualFold(seen, "https"):
		to = "http"
	case strings.EqualFold(seen, "wss"):
		to = "ws"
	case strings.EqualFold(seen, "ws"):
		to = "wss"
	default:
		to = "https"
	}
	if t.prefix != "" {
		_, rest, _ := strings.Cut(t.prefix, "://")
		t.prefix = to + "://" + rest
	} else {
		t.scheme = to
	}
	return seen, t
}

// hasPortVariant reports whether the URL has a port to remove, or none and a default port to add.
func (t target) hasPortVariant() bool {
	scheme, host := t.scheme, t.host
	if t.prefix != "" {
		var rest string
		scheme, rest, _ = strings.Cut(t.prefix, "://")
		host, _, _ = strings.Cut(rest, "/")
	}
	_, _, hasPort := splitPort(host)
	return hasPort || defaultPort(scheme) != ""
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
	case strings.EqualFold(scheme, "https"), strings.EqualFold(scheme, "wss"):
		return "443"
	case strings.EqualFold(scheme, "http"), strings.EqualFold(scheme, "ws"):
		return "80"
	}
	return ""
}

// isWebSocket reports whether r asks to upgrade to a WebSocket: a GET with "Upgrade: websocket".
// Twilio signs the handshake of Media Streams and ConversationRelay over the wss:// URL.
func isWebSocket(r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	for _, v := range r.Header.Values("Upgrade") {
		for tok := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(tok), "websocket") {
				return true
			}
		}
	}
	return false
}

// webSocketScheme returns the WebSocket scheme that goes with an http or https scheme.
func webSocketScheme(scheme string) string {
	if strings.EqualFold(scheme, "https") {
		return "wss"
	}
	return "ws"
}

// hostAllowed reports whether the host a URL was rebuilt with is one of p.allowed: an entry
// with a port must match host and port, one without matches the host on any port. Case does not
// matter. With no allowed hosts, or a PublicURL (whose host is fixed), every host is.
func (p *TwilioPolicy) hostAllowed(t target) bool {
	if len(p.allowed) == 0 || t.prefix != "" {
		return true
	}
	name, _, _ := splitPort(t.host)
	for _, a := range p.allowed {
		if _, _, hasPort := splitPort(a); hasPort {
			if strings.EqualFold(a, t.host) {
				return true
			}
		} else if strings.EqualFold(a, name) {
			return true
		}
	}
	return false
}
