package framework

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/switchboard-ivr/switchboard/framework/flow"
)

// Kind classifies an [Error]; it decides the error call flow (voice routes) or the status code
// (other routes).
type Kind uint8

// The kinds of error a request can end in.
const (
	KindInternal        Kind = iota // a failure or a panic: 500, the internal flow
	KindUnauthenticated             // no policy vouched for the request: 401, the unauthenticated flow
	KindForbidden                   // authenticated but not permitted: 403, the forbidden flow
	KindNotFound                    // no such route: 404, the not-found flow
	KindTooLarge                    // the body is over the limit: 413, the forbidden flow
	KindBadRequest                  // malformed input: 400, the forbidden flow
	KindTimeout                     // the handler missed its deadline: 503, the internal flow
	KindRateLimited                 // too many failed credentials from one address: 429, the forbidden flow
	KindUpstream                    // a service the handler called failed (Twilio's API): 502, the internal flow
	KindDenied                      // a deny line refused one of the principals (a blocklist): 403, the denied flow
)

var kindNames = [...]string{"internal", "unauthenticated", "forbidden", "not_found", "too_large", "bad_request", "timeout", "rate_limited", "upstream", "denied"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// Status returns the HTTP status a non-voice route answers for k.
func (k Kind) Status() int {
	switch k {
	case KindUnauthenticated:
		return http.StatusUnauthorized
	case KindForbidden, KindDenied:
		return http.StatusForbidden
	case KindNotFound:
		return http.StatusNotFound
	case KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case KindBadRequest:
		return http.StatusBadRequest
	case KindTimeout:
		return http.StatusServiceUnavailable
	case KindRateLimited:
		return http.StatusTooManyRequests
	case KindUpstream:
		return http.StatusBadGateway
	}
	return http.StatusInternalServerError
}

// flowKind returns the error call flow that answers k on a voice route.
func (k Kind) flowKind() flow.ErrorKind {
	switch k {
	case KindUnauthenticated:
		return flow.Unauthenticated
	case KindForbidden, KindTooLarge, KindBadRequest, KindRateLimited:
		return flow.Forbidden
	case KindNotFound:
		return flow.NotFound
	case KindDenied:
		return flow.Denied
	}
	return flow.Internal
}

// Error is the one error type handlers return to end a request in an error flow or status.
type Error struct {
	Op   string // what was being done, for the log: "authorize", "handler /calls"
	Kind Kind
	Err  error // Optional; the cause, for the log only — never shown to a caller
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.Op + ": " + e.Kind.String()
	}
	return e.Op + ": " + e.Kind.String() + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// kindOf classifies any error a handler or Echo's router returned.
func kindOf(err error) Kind {
	if fe, ok := err.(*Error); ok { // the pipeline's own refusals, without errors.As's allocations
		return fe.Kind
	}
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Kind
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusNotFound, http.StatusMethodNotAllowed:
			return KindNotFound
		case http.StatusRequestEntityTooLarge:
			return KindTooLarge
		case http.StatusUnauthorized:
			return KindUnauthenticated
		case http.StatusForbidden:
			return KindForbidden
		case http.StatusBadRequest:
			return KindBadRequest
		}
	}
	return KindInternal
}
