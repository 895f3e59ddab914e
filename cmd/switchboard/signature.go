package main

import (
	"crypto/sha256"
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
  switchboard signature sign   --token T --url URL [--method POST|GET] [--param KEY=VALUE]... [--body-file PATH]
  switchboard signature verify --token T --url URL --signature S [--method POST|GET] [--param KEY=VALUE]... [--body-file PATH]

sign prints the X-Twilio-Signature Twilio sends for the request; verify checks one, through the
same code as the server, and prints "valid" (exit 0) or "invalid: <reason>" (exit 1).

  --url        the URL exactly as configured in Twilio, query included
  --token      auth token; repeat it for the primary, then the secondary token
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
	switch {
	case fs.NArg() > 0:
		return usageErr("unexpected argument %q", fs.Arg(0))
	case len(tokens) == 0:
		return usageErr("--token is required")
	case *rawURL == "":
		return usageErr("--url is required")
	case m != http.MethodPost && m != http.MethodGet:
		return usageErr("--method must be POST or GET, not %q", *method)
	case verify && *signature == "":
		return usageErr("--signature is required")
	case !verify && *signature != "":
		return usageErr("--signature is for verify")
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
	r, public, err := signatureRequest(m, *rawURL, fields, body)
	if err != nil {
		return usageErr("%v", err)
	}
	p, err := principals.NewTwilio(principals.TwilioOptions{Tokens: secrets, PublicURL: public, MaxBody: 1 << 30})
	if err != nil {
		return usageErr("%v", err)
	}

	if !verify {
		if body != nil {
			if msg := checkBodySHA256(*rawURL, body); msg != "" {
				return usageErr("%s", msg)
			}
		}
		sig, err := p.Sign(r)
		if err != nil {
			fmt.Fprintf(stderr, "switchboard signature: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, sig)
		return 0
	}
	r.Header.Set("X-Twilio-Signature", *signature)
	if _, ok, err := p.Authenticate(r); !ok {
		fmt.Fprintf(stdout, "invalid: %s\n", explain(err))
		return 1
	}
	fmt.Fprintln(stdout, "valid")
	return 0
}

// signatureRequest builds the request Twilio sends to rawURL, keeping rawURL byte for byte: its
// scheme and host become the policy's PublicURL and the rest is the raw request target, so the
// policy rebuilds exactly rawURL (GET fields appended).
func signatureRequest(method, rawURL string, fields [][2]string, body []byte) (*http.Request, string, error) {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok || !strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") {
		return nil, "", fmt.Errorf("--url %q must start with http:// or https://", rawURL)
	}
	host, target := rest, ""
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		host, target = rest[:i], rest[i:]
	}
	if host == "" {
		return nil, "", fmt.Errorf("--url %q has no host", rawURL)
	}
	var encoded strings.Builder
	for i, f := range fields {
		if i > 0 {
			encoded.WriteByte('&')
		}
		encoded.WriteString(url.QueryEscape(f[0]) + "=" + url.QueryEscape(f[1]))
	}
	r := &http.Request{
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
		if strings.Contains(target, "?") {
			target += "&" + encoded.String()
		} else {
			target += "?" + encoded.String()
		}
	case method == http.MethodPost:
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Body, r.ContentLength = io.NopCloser(strings.NewReader(encoded.String())), int64(encoded.Len())
	}
	if strings.HasPrefix(target, "/") {
		r.RequestURI = target
	} else { // "https://example.com" or "https://example.com?x=1": no path at all
		r.URL.RawQuery, r.URL.ForceQuery = strings.CutPrefix(target, "?")
	}
	return r, scheme + "://" + host, nil
}

// checkBodySHA256 says what is wrong with rawURL's bodySHA256 for body, or "".
func checkBodySHA256(rawURL string, body []byte) string {
	sum := sha256.Sum256(body)
	want := hex.EncodeToString(sum[:])
	_, query, _ := strings.Cut(rawURL, "?")
	for kv := range strings.SplitSeq(query, "&") {
		if got, ok := strings.CutPrefix(kv, "bodySHA256="); ok {
			if !strings.EqualFold(got, want) {
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
