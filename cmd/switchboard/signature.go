package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/switchboard-ivr/switchboard/principals"
)

const signatureUsage = `usage:
  switchboard signature sign   --token T --url URL [--method POST|GET] [--param KEY=VALUE]... [--body-file PATH] [--algorithm sha1|sha256]
  switchboard signature verify --token T --url URL --signature S [--method POST|GET] [--param KEY=VALUE]... [--body-file PATH] [--algorithm sha1|sha256]

sign prints the X-Twilio-Signature Twilio sends for the request; verify checks one, through the
same code as the server (so it tries what the server tries: the port removed or added, the
credentials, repeated values counted once), and prints "valid" (exit 0) or "invalid: <reason>"
(exit 1). --signature "" is a request without the header: invalid.

  --url        the URL exactly as configured in Twilio, query and any user:password@ included;
               wss:// or ws:// for a WebSocket handshake (a GET with Upgrade: websocket)
  --token      auth token; repeat it for the primary, then the secondary token. With
               --algorithm sha256, the webhook shared key's secret (once)
  --algorithm  sha1 (default: the auth token's HMAC-SHA1) or sha256 (a webhook shared key's
               HMAC-SHA256, as Twilio signs when X-Twilio-Webhooks-Signature-Settings says
               algorithm=HMAC_SHA256)
  --param      a form field, taken literally (no decoding); repeat it, in order. With GET, the
               fields are added to the URL's query.
  --body-file  a raw JSON body; the URL must carry bodySHA256=<hex SHA-256 of the body>
`

// listFlag is a flag that may repeat; it keeps every value in order.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// runSignature implements `switchboard signature sign|verify`.
func runSignature(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "sign" && args[0] != "verify") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, signatureUsage)
			return 0
		}
		fmt.Fprint(stderr, signatureUsage)
		return 2
	}
	verify := args[0] == "verify"
	fs := flag.NewFlagSet("signature "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var tokens, params listFlag
	fs.Var(&tokens, "token", "auth token (repeatable)")
	fs.Var(&params, "param", "KEY=VALUE form field (repeatable)")
	rawURL := fs.String("url", "", "the URL Twilio was configured with")
	method := fs.String("method", "POST", "POST or GET")
	bodyFile := fs.String("body-file", "", "raw JSON body")
	signature := fs.String("signature", "", "the X-Twilio-Signature to verify")
	algorithm := fs.String("algorithm", "sha1", "sha1 or sha256")
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "switchboard signature: "+format+"\n\n%s", append(a, signatureUsage)...)
		return 2
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, signatureUsage)
			return 0
		}
		return usageErr("%v", err)
	}
	m := strings.ToUpper(*method)
	sigGiven, methodGiven := false, false
	fs.Visit(func(f *flag.Flag) {
		sigGiven = sigGiven || f.Name == "signature"
		methodGiven = methodGiven || f.Name == "method"
	})
	if scheme, _, _ := strings.Cut(strings.ToLower(*rawURL), "://"); !methodGiven && (scheme == "wss" || scheme == "ws") {
		m = http.MethodGet // a WebSocket handshake is a GET
	}
	alg := principals.HMACSHA1
	switch strings.ToLower(*algorithm) {
	case "sha1":
	case "sha256":
		alg = principals.HMACSHA256
	default:
		return usageErr("--algorithm must be sha1 or sha256, not %q", *algorithm)
	}
	switch {
	case fs.NArg() > 0:
		return usageErr("unexpected argument %q", fs.Arg(0))
	case len(tokens) == 0:
		return usageErr("--token is required")
	case *rawURL == "":
		return usageErr("--url is required")
	case m != http.MethodPost && m != http.MethodGet:
		return usageErr("--method must be POST or GET, not %q", *method)
	case verify && !sigGiven:
		return usageErr("--signature is required (\"\" for a request without the header)")
	case !verify && sigGiven:
		return usageErr("--signature is for verify")
	case alg == principals.HMACSHA256 && len(tokens) > 1:
		return usageErr("--algorithm sha256 takes one --token, the shared key's secret")
	case *bodyFile != "" && (len(params) > 0 || m == http.MethodGet):
		return usageErr("--body-file goes with POST and no --param")
	}
	fields := make([][2]string, len(params))
	for i, p := range params {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return usageErr("--param %q is not KEY=VALUE", p)
		}
		fields[i] = [2]string{k, v}
	}
	var body []byte
	if *bodyFile != "" {
		var err error
		if body, err = os.ReadFile(*bodyFile); err != nil {
			return usageErr("%v", err)
		}
	}

	secrets := make([]principals.Secret, len(tokens))
	for i, t := range tokens {
		secrets[i] = principals.NewSecret(t)
	}
	r, public, signed, err := signatureRequest(m, *rawURL, fields, body)
	if err != nil {
		return usageErr("%v", err)
	}

	if !verify {
		if body != nil {
			if msg := checkBodySHA256(*rawURL, body); msg != "" {
				return usageErr("%s", msg)
			}
		}
		signer, err := principals.NewSigner(secrets[0], alg)
		if err != nil {
			return usageErr("%v", err)
		}
		var form url.Values
		if m == http.MethodPost && body == nil {
			form = url.Values{}
			for _, f := range fields {
				form[f[0]] = append(form[f[0]], f[1])
			}
		}
		fmt.Fprintln(stdout, signer.Sign(signed, form))
		return 0
	}
	opts := principals.TwilioOptions{Tokens: secrets, PublicURL: public, MaxBody: 1 << 30}
	if alg == principals.HMACSHA256 {
		opts.Tokens, opts.SharedKeys = nil, map[string]principals.Secret{"cli": secrets[0]}
		r.Header.Set("X-Twilio-Webhooks-Signature-Settings", "key=cli,algorithm=HMAC_SHA256")
	}
	p, err := principals.NewTwilio(opts)
	if err != nil {
		return usageErr("%v", err)
	}
	if *signature != "" {
		r.Header.Set("X-Twilio-Signature", *signature)
	}
	if _, ok, err := p.Authenticate(r); !ok {
		fmt.Fprintf(stdout, "invalid: %s\n", explain(err))
		return 1
	}
	fmt.Fprintln(stdout, "valid")
	return 0
}

// signatureRequest builds the request Twilio sends to rawURL, keeping rawURL byte for byte: its
// scheme and host become the policy's PublicURL and the rest is the raw request target, so the
// policy rebuilds exactly rawURL (GET fields appended). Credentials in rawURL
// (https://user:pass@host/…) travel, as Twilio sends them, in an Authorization: Basic header.
// signed is the URL Twilio signs: rawURL with the GET fields appended.
func signatureRequest(method, rawURL string, fields [][2]string, body []byte) (r *http.Request, public, signed string, err error) {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	// A WebSocket handshake (Media Streams, ConversationRelay) is a GET signed over the ws:// or
	// wss:// URL; the policy checks it so when the request says Upgrade: websocket and its public
	// URL is the http:// or https:// one.
	ws := ok && (strings.EqualFold(scheme, "ws") || strings.EqualFold(scheme, "wss"))
	if !ok || !ws && !strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") {
		return nil, "", "", fmt.Errorf("--url %q must start with http:// or https:// (or wss:// or ws:// for a WebSocket handshake)", rawURL)
	}
	if ws && (method != http.MethodGet || body != nil) {
		return nil, "", "", fmt.Errorf("--url %q is a WebSocket handshake: a GET, with no --body-file", rawURL)
	}
	host, target := rest, ""
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		host, target = rest[:i], rest[i:]
	}
	userinfo, hasUser := "", false
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		userinfo, host, hasUser = host[:i], host[i+1:], true
	}
	if host == "" {
		return nil, "", "", fmt.Errorf("--url %q has no host", rawURL)
	}
	var encoded strings.Builder
	for i, f := range fields {
		if i > 0 {
			encoded.WriteByte('&')
		}
		encoded.WriteString(url.QueryEscape(f[0]) + "=" + url.QueryEscape(f[1]))
	}
	r = &http.Request{
		Method:     method,
		Header:     http.Header{},
		Host:       host,
		URL:        &url.URL{},
		Body:       http.NoBody,
		RemoteAddr: "127.0.0.1:0",
	}
	switch {
	case body != nil:
		r.Header.Set("Content-Type", "application/json")
		r.Body, r.ContentLength = io.NopCloser(strings.NewReader(string(body))), int64(len(body))
	case method == http.MethodGet && len(fields) > 0:
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + encoded.String()
		rawURL += sep + encoded.String()
	case method == http.MethodPost:
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Body, r.ContentLength = io.NopCloser(strings.NewReader(encoded.String())), int64(encoded.Len())
	}
	if strings.HasPrefix(target, "/") {
		r.RequestURI = target
	} else { // "https://example.com" or "https://example.com?x=1": no path at all
		r.URL.RawQuery, r.URL.ForceQuery = strings.CutPrefix(target, "?")
	}
	public = scheme + "://" + host
	if ws {
		r.Header.Set("Upgrade", "websocket")
		r.Header.Set("Connection", "Upgrade")
		public = "http" + strings.TrimPrefix(strings.ToLower(scheme), "ws") + "://" + host
	}
	if hasUser {
		if !strings.Contains(userinfo, ":") {
			userinfo += ":" // a user without a password sends "user:"
		}
		r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(userinfo)))
	}
	return r, public, rawURL, nil
}

// checkBodySHA256 says what is wrong with rawURL's bodySHA256 for body, or "".
func checkBodySHA256(rawURL string, body []byte) string {
	sum := sha256.Sum256(body)
	want := hex.EncodeToString(sum[:])
	_, query, _ := strings.Cut(rawURL, "?")
	for kv := range strings.SplitSeq(query, "&") {
		if got, ok := strings.CutPrefix(kv, "bodySHA256="); ok {
			if got != want {
				return fmt.Sprintf("the URL's bodySHA256=%s, but the body's SHA-256 is %s", got, want)
			}
			return ""
		}
	}
	return "with --body-file the URL must carry bodySHA256=" + want
}

// explain turns a policy failure into "reason; hint".
func explain(err error) string {
	var f *principals.Failure
	if !errors.As(err, &f) {
		return fmt.Sprint(err)
	}
	if f.Hint != "" {
		return f.Reason.Error() + "; " + f.Hint
	}
	return f.Reason.Error()
}
