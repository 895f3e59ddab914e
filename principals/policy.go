package principals

import (
	"net/http"
	"slices"
	"strings"
)

// Identity is what one policy vouches for: the principals it derived from the request's
// credentials, and facts from the verified request that logs may use.
type Identity struct {
	Policy     string   // the name of the policy that vouched, for example "twilio" or "apikey"
	Principals []string // the principals it vouches for; never system.*
	CallSID    string   // Optional; the verified CallSid, for logs
	// Form is the decoded form body the policy read and vouches for, when it read one: the
	// Twilio policy parses a form POST's body once, to check its signature, and shares the
	// fields here, so that nothing parses them again. Empty for GET and JSON requests.
	Form Form
	// Unverified is set when the policy vouched without checking, because checking was turned
	// off (TWILIO_VALIDATE_SIGNATURE=false). Every log line of such a request says so.
	Unverified bool
}

// Policy is an authentication policy. Authenticate returns ok == false when the request carries
// no credentials of this policy's kind, or carries ones that do not verify (the error then says
// why, for the log: a *[Failure]). An error with ok == false never refuses the request by itself;
// authorization decides what an unauthenticated request may do.
type Policy interface {
	Authenticate(r *http.Request) (id Identity, ok bool, err error)
}

// Failure explains why a policy did not vouch for a request whose credentials it examined.
// errors.Is matches it with its Reason (and with Err, when set).
type Failure struct {
	Policy string  // the policy's name, "twilio", "apikey" or "basic"
	Reason *Reason // what failed: one of the Err… reasons of this package
	Hint   string  // Optional; a guess at the cause, for logs. A hint never grants anything.
	Err    error   // Optional; the error behind the reason, such as a body read error, for logs
}

func (f *Failure) Error() string {
	var b strings.Builder
	b.WriteString(f.Policy)
	b.WriteString(": ")
	b.WriteString(f.Reason.Error())
	if f.Err != nil {
		b.WriteString(": ")
		b.WriteString(f.Err.Error())
	}
	if f.Hint != "" {
		b.WriteString(" (")
		b.WriteString(f.Hint)
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the Reason and Err, so that errors.Is(err, principals.ErrSignatureMismatch)
// holds for a *Failure with that reason.
func (f *Failure) Unwrap() []error {
	if f.Err != nil {
		return []error{f.Reason, f.Err}
	}
	return []error{f.Reason}
}

// Result is the outcome of running every configured policy on one request.
type Result struct {
	Principals Set        // the effective principals
	Identities []Identity // what each vouching policy said
	Failures   []error    // why policies that examined credentials did not vouch
}

// Authenticate runs each policy on r and returns the effective principals: always [Everyone];
// [Authenticated] and the vouched principals when at least one policy vouched. A reserved name
// that a policy returns is dropped, except [Twilio] from a policy named "twilio".
func Authenticate(r *http.Request, policies ...Policy) Result {
	var res Result
	var mem *resultMem
	var names []string
	for _, p := range policies {
		id, ok, err := p.Authenticate(r)
		if err != nil {
			res.Failures = append(res.Failures, err)
		}
		if !ok {
			continue
		}
		if mem == nil {
			// One allocation holds the names and the first identity: a verified Twilio request
			// has about seven names, and one policy vouches for most requests.
			mem = new(resultMem)
			names, res.Identities = append(mem.names[:0], Everyone, Authenticated), mem.ids[:0]
		}
		res.Identities = append(res.Identities, id)
		for _, n := range id.Principals {
			if n == Twilio && id.Policy == "twilio" || !IsReserved(n) {
				names = append(names, n)
			}
		}
	}
	if mem == nil {
		res.Principals = Set{names: everyoneOnly} // shared: a Set is never modified
		return res
	}
	slices.Sort(names)
	res.Principals = Set{names: slices.Compact(names)}
	return res
}

// everyoneOnly is the principal set of every request no policy vouched for.
var everyoneOnly = []string{Everyone}

// resultMem is the memory of one [Result].
type resultMem struct {
	ids   [1]Identity
	names [10]string
}
