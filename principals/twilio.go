package principals

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/switchboard-ivr/switchboard/internal/budget"
)

// TwilioPolicyName is the name the Twilio signature policy gives in [Identity.Policy] and
// [Failure.Policy].
const TwilioPolicyName = "twilio"

// DefaultMaxBody is the largest request body the Twilio policy reads when
// [TwilioOptions.MaxBody] is zero. Twilio sends a few kB.
const DefaultMaxBody = 64 << 10

// TwilioOptions configures [NewTwilio].
type TwilioOptions struct {
	// Tokens are the auth tokens of the account, primary first, then secondary: both verify
	// while tokens rotate. Required unless AccountTokens is set or Disabled is true.
	Tokens []Secret

	// AccountTokens are the tokens of subaccounts, keyed by AccountSid ("AC" and 32 hex
	// digits). A request whose AccountSid is listed here is checked against these tokens only;
	// any other against Tokens. Optional.
	AccountTokens map[string][]Secret

	// PublicURL is the scheme and host, and optionally a path prefix, that Twilio was configured
	// with, such as "https://ivr.example.com" or "https://example.com/acme". The raw path and
	// query of each request are appended to it, byte for byte. Optional but recommended: without
	// it, the URL is rebuilt from the request (see TrustedProxies).
	PublicURL string

	// TrustedProxies are the peers whose X-Forwarded-Proto and X-Forwarded-Host headers are
	// believed when PublicURL is empty. From any other peer those headers are ignored. Optional;
	// by default no peer is trusted. There is no safe default.
	TrustedProxies []netip.Prefix

	// MaxBody is the largest body read, in bytes. A larger body is not vouched for. Optional;
	// zero means DefaultMaxBody.
	MaxBody int64

	// AllowedHosts are the hosts (a name or address, with a port or without one to allow any)
	// that a request's URL may be rebuilt with when PublicURL is empty. A request whose Host
	// (or trusted X-Forwarded-Host) is not listed is not vouched for, with [ErrHostNotAllowed]:
	// without the list, a request that Twilio signed for another app of the same account (a
	// staging server) would verify here. Optional; by default any host is. Ignored with
	// PublicURL, which fixes the host.
	AllowedHosts []string

	// SharedKeys are the secrets of webhook shared keys, by the key's name as
	// X-Twilio-Webhooks-Signature-Settings gives it ("key=<name>,algorithm=HMAC_SHA256"). A
	// request with that header is checked against the named key only, with the header's
	// algorithm; a request without it against the auth tokens with HMAC-SHA1. Optional.
	SharedKeys map[string]Secret

	// Credentials are the Basic credentials that webhook URLs may carry
	// (https://user:pass@ivr.example.com/…). When set, a verified request whose signed URL did
	// not carry credentials that Credentials accepts also yields [BasicAnonymous], so that one
	// deny line refuses every Twilio request made without them — including one signed, with a
	// leaked auth token, over a URL with made-up credentials. Optional; without it the policy
	// never yields BasicAnonymous.
	Credentials *BasicPolicy

	// Disabled turns checking off, for local tunnels (TWILIO_VALIDATE_SIGNATURE=false; see
	// [SignatureCheckDisabled]). The policy then vouches for [Twilio] on every request and
	// marks the Identity Unverified, so that every request can be logged loudly. It never
	// yields account or caller principals. Optional; never the default.
	Disabled bool
}

// TwilioPolicy vouches for requests that carry a valid X-Twilio-Signature. Create one with
// [NewTwilio]; it is safe for concurrent use.
//
// From a verified request it yields [Twilio], "account:<AccountSid>" and "caller:<number>",
// where the number is From when Direction is "inbound" and To when it is "outbound-api" or
// "outbound-dial", and only when it looks like E.164 (a '+' and 8 to 15 digits); when it does
// not, [AnonymousCaller] (and "caller:sip:…" or "caller:client:…" for a SIP URI or a client
// identity). A request with no Direction, or another value (a status or recording callback, or a
// signed request re-targeted without the field), names no caller: it holds [AnonymousCaller] and
// nothing more, so that a deny on caller:anonymous still refuses it and no caller:+E164 grant
// applies. On an inbound
// call that carries StirVerstat it also yields the [Attestation] ("attest:A" …) and, with full
// attestation of an E.164 From, [AttestedCaller]. It fills Identity.CallSID.
//
// On a form POST the policy parses the body itself and, when the signature verifies, shares the
// decoded fields in [Identity.Form], so the form is parsed once and shared without building a
// map; it does not set r.PostForm or r.Form. r.Body is replaced by a reader over the same bytes,
// so handlers can still read it, and r.ParseForm still parses it (unverified) on demand. A body
// with a malformed % escape (Twilio never sends one) is not vouched for, with the reason
// [ErrMalformedForm]. If r.PostForm is already set, the policy signs it instead of reading the
// body. With Disabled, Identity.Form holds the body parsed as ParseForm would, unchecked.
//
// The URL is rebuilt (PublicURL, or the request's scheme and host) and tried as rebuilt first;
// only when that fails are the other URLs the official SDKs accept tried: the port removed or
// the default one added, the credentials of an Authorization: Basic header in the URL, and a
// repeated key's identical values counted once (see the package doc). A GET with "Upgrade:
// websocket" is checked over the ws:// or wss:// URL, as Twilio signs the handshake of Media
// Streams and ConversationRelay. A form key with a byte other than an ASCII letter, a digit, '_',
// '.' or '-' is refused ([ErrMalformedFormKey]): the signed text has no separators, and such a
// key could carry the tail of a re-targeted URL. A request with
// X-Twilio-Webhooks-Signature-Settings is checked against the shared key and algorithm it names.
//
// A failed signature costs no more than a valid one: the hints that guess why a signature failed
// (a few more HMACs each) are remembered for the last requests that failed, so a repeated request
// gets the same hint cheaply, and computed afresh for at most [HintsPerSecond] requests a second
// per policy; past that, [Failure.Hint] is [HintsSkipped].
type TwilioPolicy struct {
	tokens    []*macKey
	accounts  map[string][]*macKey
	all       []*macKey // every token, for hints
	shared    map[string]sharedKey
	public    string // PublicURL without a trailing slash
	publicWS  string // public with the ws or wss scheme, for WebSocket handshakes
	allowed   []string
	creds     *BasicPolicy
	trusted   []netip.Prefix
	maxBody   int64
	disabled  bool
	statePool sync.Pool
	hints     hintCache
}

// NewTwilio returns a Twilio signature policy. It reports every problem with opts at once.
func NewTwilio(opts TwilioOptions) (*TwilioPolicy, error) {
	p := &TwilioPolicy{
		trusted:  slices.Clone(opts.TrustedProxies),
		creds:    opts.Credentials,
		maxBody:  opts.MaxBody,
		disabled: opts.Disabled,
	}
	p.hints.budget = budget.Budget{PerSecond: HintsPerSecond, Burst: HintsPerSecond}
	var errs []error
	if p.maxBody == 0 {
		p.maxBody = DefaultMaxBody
	}
	if p.maxBody < 0 {
		errs = append(errs, fmt.Errorf("twilio: MaxBody %d is negative", opts.MaxBody))
	}
	for i, t := range opts.Tokens {
		if t.IsZero() {
			errs = append(errs, fmt.Errorf("twilio: Tokens[%d] is empty", i))
			continue
		}
		p.tokens = append(p.tokens, newMacKey(t, HMACSHA1))
	}
	if len(opts.AccountTokens) > 0 {
		p.accounts = make(map[string][]*macKey, len(opts.AccountTokens))
	}
	sids := make([]string, 0, len(opts.AccountTokens))
	for sid := range opts.AccountTokens {
		sids = append(sids, sid)
	}
	slices.Sort(sids)
	for _, sid := range sids {
		if !isSID(sid, "AC") {
			errs = append(errs, fmt.Errorf("twilio: AccountTokens key %q is not an AccountSid (AC and 32 hex digits)", sid))
		}
		toks := opts.AccountTokens[sid]
		if len(toks) == 0 {
			errs = append(errs, fmt.Errorf("twilio: AccountTokens[%q] has no token", sid))
		}
		for i, t := range toks {
			if t.IsZero() {
				errs = append(errs, fmt.Errorf("twilio: AccountTokens[%q][%d] is empty", sid, i))
				continue
			}
			p.accounts[sid] = append(p.accounts[sid], newMacKey(t, HMACSHA1))
		}
	}
	if len(opts.Tokens) == 0 && len(opts.AccountTokens) == 0 && len(opts.SharedKeys) == 0 && !opts.Disabled {
		errs = append(errs, errors.New("twilio: no auth token: set Tokens, AccountTokens or SharedKeys"))
	}
	names := make([]string, 0, len(opts.SharedKeys))
	for name := range opts.SharedKeys {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		sec := opts.SharedKeys[name]
		switch {
		case !validKeyName(name):
			errs = append(errs, fmt.Errorf("twilio: SharedKeys name %q must be printable ASCII without spaces, ',' or '='", name))
		case sec.IsZero():
			errs = append(errs, fmt.Errorf("twilio: SharedKeys[%q] is empty", name))
		default:
			if p.shared == nil {
				p.shared = make(map[string]sharedKey, len(opts.SharedKeys))
			}
			p.shared[name] = sharedKey{
				sha1:   []*macKey{newMacKey(sec, HMACSHA1)},
				sha256: []*macKey{newMacKey(sec, HMACSHA256)},
			}
		}
	}
	for i, h := range opts.AllowedHosts {
		if h == "" || !validHost(h) || strings.Contains(h, "://") {
			errs = append(errs, fmt.Errorf("twilio: AllowedHosts[%d] %q is not a host (name or address, and an optional :port)", i, h))
			continue
		}
		p.allowed = append(p.allowed, h)
	}
	p.all = slices.Clone(p.tokens)
	for _, sid := range sids {
		p.all = append(p.all, p.accounts[sid]...)
	}
	if opts.PublicURL != "" {
		pub, err := checkPublicURL(opts.PublicURL)
		if err != nil {
			errs = append(errs, err)
		}
		p.public = pub
		if scheme, rest, ok := strings.Cut(pub, "://"); ok {
			p.publicWS = webSocketScheme(scheme) + "://" + rest
		}
	}
	for _, pr := range p.trusted {
		if !pr.IsValid() {
			errs = append(errs, errors.New("twilio: TrustedProxies holds an invalid prefix"))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	p.statePool.New = func() any { return &verifyState{owner: p} }
	p.hints.seed = maphash.MakeSeed()
	return p, nil
}

// checkPublicURL validates a PublicURL and returns it without a trailing slash. It keeps the
// text as written (an upper-case scheme stays upper-case), since Twilio signs what it was given.
func checkPublicURL(s string) (string, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "", fmt.Errorf("twilio: PublicURL: %w", err)
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("twilio: PublicURL %q: scheme must be http or https", s)
	case u.Host == "":
		return "", fmt.Errorf("twilio: PublicURL %q has no host", s)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", fmt.Errorf("twilio: PublicURL %q must be only a scheme, a host and a path prefix", s)
	case u.User != nil:
		return "", fmt.Errorf("twilio: PublicURL %q holds credentials: leave them out; the policy takes them from each request's Authorization: Basic header", s)
	}
	return strings.TrimSuffix(s, "/"), nil
}

// validKeyName reports whether a shared key's name can appear in
// X-Twilio-Webhooks-Signature-Settings.
func validKeyName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == ',' || c == '=' {
			return false
		}
	}
	return true
}

// A sharedKey is one webhook shared key, keyed for each algorithm.
type sharedKey struct {
	sha1, sha256 []*macKey
}

// The headers the policy reads on every request, in canonical form, so that the hot path
// indexes r.Header directly (as Header.Values would after canonicalizing the name, which costs
// more than the rest of the lookup).
const (
	signatureHeader         = "X-Twilio-Signature"
	signatureSettingsHeader = "X-Twilio-Webhooks-Signature-Settings" // the shared key and algorithm Twilio signed with
	authorizationHeader     = "Authorization"
	contentTypeHeader       = "Content-Type"
	forwardedProtoHeader    = "X-Forwarded-Proto" // believed from trusted proxies; hashed into a failure's hint key
	forwardedHostHeader     = "X-Forwarded-Host"
)

// firstHeader is r.Header.Get(name) for a canonical name.
func firstHeader(r *http.Request, name string) string {
	if vs := r.Header[name]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// sharedKeys returns the keys and algorithm that X-Twilio-Webhooks-Signature-Settings names, or
// nil keys and HMACSHA1 when the request has no such header.
func (p *TwilioPolicy) sharedKeys(r *http.Request) ([]*macKey, Algorithm, *Failure) {
	vs := r.Header[signatureSettingsHeader]
	switch {
	case len(vs) == 0:
		return nil, HMACSHA1, nil
	case len(vs) > 1:
		return nil, 0, p.fail(ErrMalformedSignatureSettings, "the header repeats")
	}
	var name, alg string
	var seenName, seenAlg bool
	for part := range strings.SplitSeq(vs[0], ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case !ok:
			return nil, 0, p.fail(ErrMalformedSignatureSettings, "want key=<name>,algorithm=<name>")
		case strings.EqualFold(k, "key") && !seenName:
			name, seenName = v, true
		case strings.EqualFold(k, "algorithm") && !seenAlg:
			alg, seenAlg = v, true
		case strings.EqualFold(k, "key") || strings.EqualFold(k, "algorithm"):
			return nil, 0, p.fail(ErrMalformedSignatureSettings, "a parameter repeats")
		}
	}
	if !seenName || name == "" || !seenAlg {
		return nil, 0, p.fail(ErrMalformedSignatureSettings, "want key=<name>,algorithm=<name>")
	}
	a, ok := ParseAlgorithm(alg)
	if !ok {
		return nil, 0, p.fail(ErrUnknownAlgorithm, "")
	}
	k, ok := p.shared[name]
	if !ok {
		hint := "no shared key of that name is configured"
		if len(p.shared) == 0 {
			hint = "no webhook shared keys are configured (TWILIO_WEBHOOK_SHARED_KEYS)"
		}
		return nil, 0, p.fail(ErrUnknownSharedKey, hint)
	}
	if a == HMACSHA256 {
		return k.sha256, a, nil
	}
	return k.sha1, a, nil
}

// SignatureCheckDisabled reports whether TWILIO_VALIDATE_SIGNATURE, read with getenv (usually
// [os.Getenv]), turns the signature check off: only a value that [ParseSignatureCheck] reads as
// off does. Unset, empty or unreadable values keep the check on; a program should refuse an
// unreadable one at start with ParseSignatureCheck's error.
func SignatureCheckDisabled(getenv func(string) string) bool {
	check, err := ParseSignatureCheck(getenv("TWILIO_VALIDATE_SIGNATURE"))
	return err == nil && !check
}

// ParseSignatureCheck reads a value of TWILIO_VALIDATE_SIGNATURE: whether signatures are
// checked. Empty means yes; the usual spellings of a boolean are read without regard to case and
// surrounding space (true, false, 1, 0, t, f, yes, no, y, n, on, off); anything else is an error
// that says so, and keeps the check on.
func ParseSignatureCheck(v string) (check bool, err error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "true", "1", "t", "yes", "y", "on":
		return true, nil
	case "false", "0", "f", "no", "n", "off":
		return false, nil
	}
	return true, fmt.Errorf("principals: TWILIO_VALIDATE_SIGNATURE=%q: want true or false (or yes/no, on/off, 1/0)", v)
}

// TrustedProxies returns the peers whose forwarded headers the policy believes
// (TwilioOptions.TrustedProxies), for a program that must agree with it on who the client is.
// The caller must not modify the slice.
func (p *TwilioPolicy) TrustedProxies() []netip.Prefix { return p.trusted }

// MaxBody returns the largest body the policy reads, in bytes (TwilioOptions.MaxBody, or
// DefaultMaxBody).
func (p *TwilioPolicy) MaxBody() int64 { return p.maxBody }

// Disabled reports whether the policy was built with checking turned off.
func (p *TwilioPolicy) Disabled() bool { return p.disabled }

// Authenticate implements [Policy]. It returns ok == false and a *[Failure] for a request with no
// signature or one that does not verify. See [TwilioPolicy] for what it yields.
//
// What it returns, and the body r.Body replays, are the caller's to keep. Through
// [Authenticate], they live in memory the Result lends and [Result.Release] takes back.
func (p *TwilioPolicy) Authenticate(r *http.Request) (Identity, bool, error) {
	return p.authenticate(r, nil)
}

// authenticateLent implements lender: Authenticate with the request's memory lent to m.
func (p *TwilioPolicy) authenticateLent(r *http.Request, m *resultMem) (Identity, bool, error) {
	return p.authenticate(r, m)
}

// authenticate is Authenticate. With m nil, everything it hands out (the body r.Body replays,
// Identity.Form and the names) is fresh memory that the garbage collector owns. With m set, it is
// the pooled verifyState's memory, lent to m: m's Result gives it back on Release, and an
// unreleased Result leaves it to the collector, as with m nil.
func (p *TwilioPolicy) authenticate(r *http.Request, m *resultMem) (Identity, bool, error) {
	if p.disabled {
		return Identity{Policy: TwilioPolicyName, Principals: []string{Twilio}, Unverified: true, Form: p.unverifiedForm(r)}, true, nil
	}
	sigs := r.Header[signatureHeader]
	switch {
	case len(sigs) == 0:
		return Identity{}, false, p.fail(ErrMissingSignature, "")
	case len(sigs) > 1:
		return Identity{}, false, p.fail(ErrDuplicateSignature, "")
	}
	keys, alg, f := p.sharedKeys(r)
	if f != nil {
		return Identity{}, false, f
	}
	var want digest
	if !decodeSignature(&want, sigs[0], alg.size()) {
		return Identity{}, false, p.fail(ErrMalformedSignature, "")
	}
	t := p.target(r, false)
	if !p.hostAllowed(t) {
		return Identity{}, false, p.fail(ErrHostNotAllowed, "Host "+truncate(t.host, 100))
	}

	st := p.statePool.Get().(*verifyState)
	st.lent = m != nil
	defer p.doneWith(st, m)
	req, f := p.read(st, r)
	if f != nil {
		return Identity{}, false, f
	}
	if keys == nil {
		keys = p.tokens
		if sid := req.get("AccountSid"); p.accounts != nil {
			if k, ok := p.accounts[sid]; ok {
				keys = k
			}
		}
		if len(keys) == 0 {
			return Identity{}, false, p.fail(ErrUnknownAccount, p.budgetedHint(st, r, &req, want.bytes(), nil, false))
		}
	}
	if !st.match(want.bytes(), keys, t, req.params, firstHeader(r, authorizationHeader)) {
		return Identity{}, false, st.fail(ErrSignatureMismatch, p.budgetedHint(st, r, &req, want.bytes(), keys, true))
	}
	if req.json && !req.bodyMatches() {
		return Identity{}, false, p.fail(ErrBodySHA256Mismatch, "")
	}
	id := req.identity(st)
	if p.creds != nil && (st.signedUser == nil || !p.creds.accepts(st.signedUser)) {
		id.Principals = append(id.Principals, BasicAnonymous)
	}
	return id, true, nil
}

// truncate cuts s to at most n bytes, for hints that quote the request.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// unverifiedForm parses a form POST's body leniently, as [http.Request.ParseForm] would, for the
// Identity of a policy that does not check (Disabled). It leaves the body readable.
func (p *TwilioPolicy) unverifiedForm(r *http.Request) Form {
	if isJSON(r) || !isFormMethod(r.Method) {
		return Form{}
	}
	st := p.statePool.Get().(*verifyState)
	defer p.doneWith(st, nil)
	if r.PostForm != nil {
		return newForm(st.fromPostForm(r.PostForm))
	}
	body, f := p.readBody(st, r, 2)
	if f != nil {
		return Form{}
	}
	ps, _ := parseFormInto(st.params[:0], body, false, &st.text)
	st.params = ps
	sortByKey(ps)
	return newForm(ps)
}

// Sign returns the X-Twilio-Signature that Twilio would send with r: it rebuilds r's URL as
// Authenticate does (PublicURL, or the request's own scheme and host, believing forwarded headers
// from trusted proxies) and signs it with the first token that applies to r's AccountSid. The
// body is left readable. It is for tools and tests, such as `switchboard signature sign`.
func (p *TwilioPolicy) Sign(r *http.Request) (string, error) {
	st := p.statePool.Get().(*verifyState)
	defer p.doneWith(st, nil)
	req, f := p.read(st, r)
	if f != nil {
		return "", f
	}
	keys := p.tokens
	if k, ok := p.accounts[req.get("AccountSid")]; ok {
		keys = k
	}
	if len(keys) == 0 {
		return "", p.fail(ErrUnknownAccount, "")
	}
	st.canonical(p.target(r, false), req.params)
	return keys[0].sign(st.buf), nil
}

func (p *TwilioPolicy) fail(reason *Reason, hint string) *Failure {
	return &Failure{Policy: TwilioPolicyName, Reason: reason, Hint: hint}
}

// fail returns a Failure in st's memory when st is lent (see doneWith), else a fresh one.
func (st *verifyState) fail(reason *Reason, hint string) *Failure {
	if !st.lent {
		return &Failure{Policy: TwilioPolicyName, Reason: reason, Hint: hint}
	}
	st.failure = Failure{Policy: TwilioPolicyName, Reason: reason, Hint: hint}
	return &st.failure
}

// doneWith ends a use of st. With m set (st.lent), what the request was handed (the body
// r.Body replays, Identity.Form, the names, a Failure) is st's memory: st goes to m, whose Result
// puts it back on Release. With m nil it was all fresh memory, except the buffer the body was
// read into, which st gives up.
func (p *TwilioPolicy) doneWith(st *verifyState, m *resultMem) {
	if m != nil && m.lend(st) {
		return
	}
	if st.lent { // m is full: the collector takes st with what it lent
		return
	}
	st.text = nil
	p.putState(st)
}

// putState returns st to the pool, dropping its references to the request.
func (p *TwilioPolicy) putState(st *verifyState) {
	clear(st.params[:cap(st.params)])
	clear(st.sent[:cap(st.sent)])
	clear(st.dedup[:cap(st.dedup)])
	clear(st.names[:])
	st.params, st.sent, st.dedup = st.params[:0], st.sent[:0], st.dedup[:0]
	st.replay, st.failure, st.lent = replayBody{}, Failure{}, false
	if cap(st.buf) > 64<<10 {
		st.buf = nil
	}
	if cap(st.alt) > 64<<10 {
		st.alt = nil
	}
	if cap(st.text) > 64<<10 {
		st.text = nil
	}
	st.text = st.text[:0]
	p.statePool.Put(st)
}

// A signedRequest is what the signature covers besides the URL.
type signedRequest struct {
	params  []param // sorted for signing: the form fields, or nothing for GET and JSON
	query   []param // the URL's query pairs, for GET and JSON requests
	json    bool
	body    string
	bodySHA string

	// A form body, to be shared in Identity.Form once it verifies.
	form bool
	sent []param // the form sorted by key only, when a key repeats; else params is in that order

	account, caller, attested string // the principals the request vouches for, "" for none
	// What deriveNames looked up, so that identity does not look it up again.
	remote, verstat string
	inbound         bool
}

// get returns the first value of key in the verified parameters: the form, else the query.
func (s *signedRequest) get(key string) string {
	if ps := keyValues(s.params, key); len(ps) > 0 { // params is sorted by key
		return ps[0].value
	}
	for _, p := range s.query {
		if p.key == key {
			return p.value
		}
	}
	return ""
}

// fields returns the form body for Identity.Form. It takes the slice from st, whose pooled
// slices s's come from, rather than copy it: when st is lent, the slice goes with it; otherwise
// the next request that uses st allocates its own.
func (s *signedRequest) fields(st *verifyState) Form {
	switch {
	case !s.form:
		return Form{}
	case s.sent != nil:
		if !st.lent {
			st.sent = nil
		}
		return Form{ps: slices.Clip(s.sent)}
	}
	if !st.lent {
		st.params = nil
	}
	return Form{ps: slices.Clip(s.params)}
}

// bodyMatches reports whether the body's SHA-256 is bodySHA256, in lower-case hex as Twilio
// writes it and every SDK compares it.
func (s *signedRequest) bodyMatches() bool {
	var want [sha256.Size]byte
	if len(s.bodySHA) != hex.EncodedLen(sha256.Size) {
		return false
	}
	for i := 0; i < len(s.bodySHA); i++ {
		if c := s.bodySHA[i]; 'A' <= c && c <= 'F' {
			return false
		}
	}
	if _, err := hex.Decode(want[:], []byte(s.bodySHA)); err != nil {
		return false
	}
	got := sha256.Sum256([]byte(s.body))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// deriveNames sets s.account, s.caller and s.attested, the account:, caller: and
// caller-attested: principals of the request, appending them to b (see parseFormInto).
func (s *signedRequest) deriveNames(b *[]byte) {
	sid := s.get("AccountSid")
	if !isSID(sid, "AC") {
		sid = ""
	}
	remote, inbound, _ := remoteParty(s.get)
	s.remote, s.inbound, s.verstat = remote, inbound, s.get("StirVerstat")
	attested := ""
	if isAttestedCaller(remote, inbound, s.verstat) {
		attested = remote
	}
	if !IsE164(remote) {
		remote = ""
	}
	t := slices.Grow(*b, len(AccountPrefix)+len(sid)+len(CallerPrefix)+len(remote)+len(AttestedCallerPrefix)+len(attested))
	start := len(t)
	if sid != "" {
		t = append(t, AccountPrefix...)
		t = append(t, sid...)
	}
	account := len(t)
	if remote != "" {
		t = append(t, CallerPrefix...)
		t = append(t, remote...)
	}
	caller := len(t)
	if attested != "" {
		t = append(t, AttestedCallerPrefix...)
		t = append(t, attested...)
	}
	*b = t
	names := bytesString(t)
	s.account, s.caller, s.attested = names[start:account], names[account:caller], names[caller:]
}

// identity returns what a verified request vouches for.
func (s *signedRequest) identity(st *verifyState) Identity {
	// Into the spare room of the body's buffer, after the body and its decoded escapes: only
	// once the signature verified, so that a forged request pays for none of it.
	s.deriveNames(&st.text)
	names := st.names[:0]
	if !st.lent {
		names = make([]string, 0, len(st.names))
	}
	id := Identity{Policy: TwilioPolicyName, Principals: append(names, Twilio), CallSID: s.get("CallSid"), Form: s.fields(st)}
	if s.account != "" {
		id.Principals = append(id.Principals, s.account)
	}
	if s.caller != "" {
		id.Principals = append(id.Principals, s.caller)
	}
	id.Principals = appendCallerFacts(id.Principals, s.remote, s.inbound, s.verstat, s.attested)
	return id
}

// read gathers what the signature covers, reading the body when it is signed.
func (p *TwilioPolicy) read(st *verifyState, r *http.Request) (signedRequest, *Failure) {
	var req signedRequest
	uri := requestURI(r)
	q := rawQuery(uri)
	switch {
	case isJSON(r) || strings.Contains(q, "bodySHA256="):
		req.json = true
		req.query, _ = parseForm(st.params[:0], q, false)
		st.params = req.query
		for _, kv := range req.query {
			if kv.key == "bodySHA256" {
				req.bodySHA = kv.value
				break
			}
		}
		if req.bodySHA == "" {
			return req, p.fail(ErrMissingBodySHA256, "")
		}
		body, f := p.readBody(st, r, 1)
		if f != nil {
			return req, f
		}
		req.body = body
	case isFormMethod(r.Method):
		if r.PostForm != nil {
			ps := st.fromPostForm(r.PostForm)
			if !validKeys(ps) {
				return req, p.fail(ErrMalformedFormKey, "")
			}
			if repeatsKey(ps) {
				st.sent = append(st.sent[:0], ps...)
				req.sent = st.sent
				sortForSignature(ps)
			}
			req.params, req.form = ps, true
			break
		}
		// The body and its decoded escapes share one buffer: an escape never decodes longer.
		body, f := p.readBody(st, r, 2)
		if f != nil {
			return req, f
		}
		if st.params == nil { // a verified form took the last one: allocate one that fits
			st.params = make([]param, 0, strings.Count(body, "&")+1)
		}
		ps, ok := parseFormInto(st.params[:0], body, true, &st.text)
		st.params = ps
		if !ok {
			return req, p.fail(ErrMalformedForm, "")
		}
		if !validKeys(ps) {
			return req, p.fail(ErrMalformedFormKey, "")
		}
		sortByKey(ps) // a repeated key's values stay in the order sent
		if repeatsKey(ps) {
			st.sent = append(st.sent[:0], ps...)
			req.sent = st.sent
			sortForSignature(ps)
		}
		req.params, req.form = ps, true
	default: // GET and the rest sign the URL alone
		req.query, _ = parseForm(st.params[:0], q, false)
		st.params = req.query
	}
	return req, nil
}

func isFormMethod(m string) bool {
	return m == http.MethodPost || m == http.MethodPut || m == http.MethodPatch
}

// fromPostForm sets st.params to the pairs of a form parsed earlier, sorted by key, a repeated
// key's values in their order.
func (st *verifyState) fromPostForm(form map[string][]string) []param {
	ps := st.params[:0]
	for k, vs := range form {
		for _, v := range vs {
			ps = append(ps, param{k, v})
		}
	}
	sortByKey(ps)
	st.params = ps
	return ps
}

func isJSON(r *http.Request) bool {
	ct := firstHeader(r, contentTypeHeader)
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.EqualFold(strings.TrimSpace(ct), "application/json")
}

// readBody reads at most p.maxBody bytes of r.Body into st.text and leaves r.Body readable from
// the start. It sizes st.text for times the Content-Length, so that a caller can go on appending
// to it. A lent st reuses its buffer and replay reader (see doneWith); otherwise both are fresh.
func (p *TwilioPolicy) readBody(st *verifyState, r *http.Request, times int) (string, *Failure) {
	if r.Body == nil || r.Body == http.NoBody {
		return "", nil
	}
	if r.ContentLength > p.maxBody {
		return "", p.fail(ErrBodyTooLarge, fmt.Sprintf("Content-Length %d, limit %d", r.ContentLength, p.maxBody))
	}
	want := 4096 // a body of unknown length: one Read for the bodies Twilio sends, then grow
	if r.ContentLength > 0 {
		want = times*int(r.ContentLength) + 1
	}
	b := st.text[:0]
	if !st.lent || cap(b) < want {
		b = make([]byte, 0, want)
	}
	var err error
	for int64(len(b)) <= p.maxBody {
		if len(b) == cap(b) {
			b = slices.Grow(b, 4096)
		}
		var n int
		n, err = r.Body.Read(b[len(b):min(int64(cap(b)), p.maxBody+1)])
		b = b[:len(b)+n]
		if err != nil {
			break
		}
	}
	st.text = b
	s := bytesString(b)
	rb := &st.replay
	if !st.lent {
		rb = new(replayBody)
	}
	rb.rest, rb.err = r.Body, err
	rb.buf.Reset(s)
	r.Body = rb
	if int64(len(s)) > p.maxBody {
		return "", p.fail(ErrBodyTooLarge, fmt.Sprintf("limit %d bytes", p.maxBody))
	}
	if err != io.EOF {
		return "", &Failure{Policy: TwilioPolicyName, Reason: ErrBodyUnreadable, Err: err}
	}
	return s, nil
}

// replayBody serves the bytes the policy read, then the original read error if there was one,
// else the rest of the original body (non-empty only for a body over the limit).
type replayBody struct {
	buf  strings.Reader
	rest io.ReadCloser
	err  error
}

func (b *replayBody) Read(p []byte) (int, error) {
	if b.buf.Len() > 0 {
		return b.buf.Read(p)
	}
	if b.err != nil && b.err != io.EOF {
		return 0, b.err
	}
	return b.rest.Read(p)
}

func (b *replayBody) Close() error { return b.rest.Close() }

// validKeys reports whether every key of ps is made of the bytes of Twilio's parameter names:
// ASCII letters, digits, '_', '.' and '-' (see [TwilioPolicy] for why).
func validKeys(ps []param) bool {
	for _, p := range ps {
		k := p.key
		if k == "" {
			return false
		}
		for i := 0; i < len(k); i++ {
			if !keyByte[k[i]] {
				return false
			}
		}
	}
	return true
}

var keyByte = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-'
	}
	return t
}()

// isSID reports whether s is prefix followed by 32 hex digits.
func isSID(s, prefix string) bool {
	if len(s) != 34 || !strings.HasPrefix(s, prefix) {
		return false
	}
	for i := 2; i < len(s); i++ {
		if !ishex(s[i]) {
			return false
		}
	}
	return true
}
