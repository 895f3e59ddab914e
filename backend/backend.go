package backend

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-ivr/switchboard/internal/varname"
	"github.com/switchboard-ivr/switchboard/principals"
)

// Bounds on what a backend may answer, so that a misbehaving one cannot grow memory or the
// signed call state: at most MaxAnswer bytes, MaxVars fields, names of at most 64 characters
// matching [A-Za-z_][A-Za-z0-9_]*, and strings of at most MaxValue bytes.
const (
	MaxAnswer = 16 << 10
	MaxVars   = 64
	MaxValue  = 512
)

// DefaultTimeout bounds a fetch when Options.Timeout is 0; MaxTimeout is the most any may wait,
// well inside the 15 s Twilio waits for a webhook's answer.
const (
	DefaultTimeout = 3 * time.Second
	MaxTimeout     = 10 * time.Second
)

// Options configure a [Backend].
type Options struct {
	URL     string            // Required: absolute http(s) URL; the only one this Backend calls.
	Key     principals.Secret // Required: the key requests are signed with (see the package documentation).
	Timeout time.Duration     // Optional; default DefaultTimeout, at most MaxTimeout.
	Client  *http.Client      // Optional; http.DefaultClient's transport, with redirects refused.
}

// Backend is one backend a flow names. It is safe for concurrent use.
type Backend struct {
	url     string
	key     principals.Secret
	timeout time.Duration
	client  *http.Client
}

// New checks opts and returns the Backend.
func New(opts Options) (*Backend, error) {
	var errs []error
	u, err := url.Parse(opts.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("backend: url must be an absolute http:// or https:// URL, not %q", opts.URL))
	}
	if opts.Key.IsZero() {
		errs = append(errs, errors.New("backend: a signing key is required"))
	}
	if opts.Timeout < 0 || opts.Timeout > MaxTimeout {
		errs = append(errs, fmt.Errorf("backend: timeout must be between 0 (default %v) and %v, not %v", DefaultTimeout, MaxTimeout, opts.Timeout))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	t := opts.Timeout
	if t == 0 {
		t = DefaultTimeout
	}
	c := opts.Client
	if c == nil {
		c = &http.Client{}
	}
	// Only the configured URL is ever called: a redirect elsewhere is an error.
	c = &http.Client{Transport: c.Transport, Jar: c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return errors.New("backend: the backend answered with a redirect; only its configured URL is called")
	}}
	return &Backend{url: opts.URL, key: opts.Key, timeout: t, client: c}, nil
}

// Call is the context POSTed to the backend, as JSON.
type Call struct {
	CallSID string            `json:"call_sid"`
	From    string            `json:"from"`
	To      string            `json:"to"`
	Digits  string            `json:"digits,omitempty"`
	Speech  string            `json:"speech,omitempty"`
	Vars    map[string]string `json:"vars,omitempty"` // the variables so far
}

// Vars are a backend's answer: field name → value, a number or boolean written as JSON wrote it
// ("42.10", "true"), a string as is.
type Vars map[string]string

// Why a fetch failed; every error Fetch returns wraps one of them.
var (
	ErrUnreachable = errors.New("the backend could not be reached")
	ErrTimeout     = errors.New("the backend did not answer in time")
	ErrStatus      = errors.New("the backend answered with an error status")
	ErrMalformed   = errors.New("the backend's answer is not a flat JSON object within bounds")
)

// Fetch POSTs call to the backend, signed, and returns the fields of its JSON answer. Anything
// but a 2xx JSON object of scalar fields within the bounds above, in time, is an error.
func (b *Backend) Fetch(ctx context.Context, call Call) (Vars, error) {
	body, err := json.Marshal(call)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	target := SignedURL(b.url, body)
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Twilio-Signature", Signature(b.key, target))
	resp, err := b.client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			return nil, fmt.Errorf("%w (%v)", ErrTimeout, b.timeout)
		}
		return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("%w: %s", ErrStatus, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxAnswer+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w (%v)", ErrTimeout, b.timeout)
		}
		return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	if len(data) > MaxAnswer {
		return nil, fmt.Errorf("%w: over %d bytes", ErrMalformed, MaxAnswer)
	}
	return ParseVars(data)
}

// Deliver POSTs v as JSON to the backend, signed as Fetch signs, and reports whether it answered
// 2xx in time; the answer's body is ignored. Errors wrap ErrUnreachable, ErrTimeout or ErrStatus.
func (b *Backend) Deliver(ctx context.Context, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	target := SignedURL(b.url, body)
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Twilio-Signature", Signature(b.key, target))
	resp, err := b.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w (%v)", ErrTimeout, b.timeout)
		}
		return fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, MaxAnswer))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%w: %s", ErrStatus, resp.Status)
	}
	return nil
}

// ParseVars decodes a backend's answer: a JSON object of at most MaxVars fields whose names are
// identifiers and whose values are strings (at most MaxValue bytes), numbers, booleans or null
// (which sets nothing).
func ParseVars(data []byte) (Vars, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: more than one JSON value", ErrMalformed)
	}
	if raw == nil {
		return nil, fmt.Errorf("%w: null is not an object", ErrMalformed)
	}
	if len(raw) > MaxVars {
		return nil, fmt.Errorf("%w: %d fields, at most %d", ErrMalformed, len(raw), MaxVars)
	}
	out := make(Vars, len(raw))
	for k, v := range raw {
		if !varname.Valid(k) {
			return nil, fmt.Errorf("%w: field name %q is not an identifier of at most 64 characters", ErrMalformed, k)
		}
		switch v := v.(type) {
		case nil:
		case string:
			if len(v) > MaxValue {
				return nil, fmt.Errorf("%w: field %q is over %d bytes", ErrMalformed, k, MaxValue)
			}
			out[k] = v
		case json.Number:
			if len(v) > 64 {
				return nil, fmt.Errorf("%w: field %q is a number of over 64 characters", ErrMalformed, k)
			}
			out[k] = v.String()
		case bool:
			out[k] = strconv.FormatBool(v)
		default:
			return nil, fmt.Errorf("%w: field %q is an object or a list, not a string, number or boolean", ErrMalformed, k)
		}
	}
	return out, nil
}

// SignedURL returns rawURL with the bodySHA256 query parameter Twilio adds for a JSON body.
func SignedURL(rawURL string, body []byte) string {
	sum := sha256.Sum256(body)
	sep := "?"
	if strings.Contains(rawURL, "?") {
		sep = "&"
	}
	return rawURL + sep + "bodySHA256=" + hex.EncodeToString(sum[:])
}

// Signature returns X-Twilio-Signature for a JSON request to signedURL (from [SignedURL]):
// base64 of the HMAC-SHA1 of the URL under key.
func Signature(key principals.Secret, signedURL string) string {
	m := hmac.New(sha1.New, []byte(key.Reveal()))
	m.Write([]byte(signedURL))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
