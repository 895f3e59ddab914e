package principals

import (
	"net/http"
	"slices"
	"strings"
	"sync"
)

// Identity is what one policy vouches for: the principals it derived from the request's
// credentials, and facts from the verified request that logs may use.
type Identity struct {
	Policy     string   // the name of the policy that vouched, for example "twilio" or "apikey"
	Principals []string // the principals it vouches for; never system.*
	CallSID    string   // Optional; the verified CallSid, for logs
	// Form is the decoded form body the policy read and vouches for, when it read one: the
	// Twilio policy parses a form POST's body once, to check its signature, and shares the
	// fields here, so that nothing parses them again. Empty for GET and JSON requests. In a
	// Result from [Authenticate], Form, CallSID and Principals live in memory the Result lends:
	// copy what must outlive [Result.Release].
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
//
// A Result from [Authenticate] may live in memory lent for the request: the strings and slices of
// its Identities (Form, CallSID, Principals), its Principals and Failures, and the body a policy
// left readable in r.Body. [Result.Release] takes that memory back for a later request. A caller
// that never calls Release owes nothing: the garbage collector then owns the memory, as it owns
// everything else.
type Result struct {
	Principals Set        // the effective principals
	Identities []Identity // what each vouching policy said
	Failures   []error    // why policies that examined credentials did not vouch

	mem *resultMem // the memory lent to this Result, nil when none was
}

// Release gives the memory behind r back, to be reused by a later request, and empties r. After
// Release, nothing obtained from r may be used: not a string or slice of its Identities,
// Principals or Failures (even one copied out of r: copying a string does not copy its bytes),
// nor the body the request's r.Body replays. Call it once the request is answered, and only when
// nothing kept any of them — no handler that may still run, no log record held for later, no map
// keyed by them; copy what must outlive the request first ([strings.Clone]). When in doubt, do
// not call it. Release is idempotent; the zero Result's does nothing.
func (r *Result) Release() {
	m := r.mem
	*r = Result{}
	if m == nil {
		return
	}
	for i := range m.nlent {
		st := m.lent[i]
		m.lent[i] = nil
		st.owner.putState(st)
	}
	*m = resultMem{}
	resultPool.Put(m)
}

// A lender is a policy of this package that can hand out a request's memory in pooled buffers
// lent to the Result, instead of fresh memory, when [Authenticate] runs it.
type lender interface {
	authenticateLent(r *http.Request, m *resultMem) (Identity, bool, error)
}

// Authenticate runs each policy on r and returns the effective principals: always [Everyone];
// [Authenticated] and the vouched principals when at least one policy vouched. A reserved name
// that a policy returns is dropped, except [Twilio] from a policy named "twilio". The Result
// may hold memory lent for the request; see [Result.Release].
func Authenticate(r *http.Request, policies ...Policy) Result {
	// One pooled resultMem holds the names, the first identity and the failures, and keeps what
	// this package's policies lend: a verified Twilio request has about seven names, and one
	// policy vouches for most requests.
	m := resultPool.Get().(*resultMem)
	res := Result{mem: m}
	var names []string
	vouched := false
	for _, p := range policies {
		var id Identity
		var ok bool
		var err error
		if l, lends := p.(lender); lends {
			id, ok, err = l.authenticateLent(r, m)
		} else {
			id, ok, err = p.Authenticate(r)
		}
		if err != nil {
			if res.Failures == nil {
				res.Failures = m.failures[:0]
			}
			res.Failures = append(res.Failures, err)
		}
		if !ok {
			continue
		}
		if !vouched {
			vouched = true
			names, res.Identities = append(m.names[:0], Everyone, Authenticated), m.ids[:0]
		}
		res.Identities = append(res.Identities, id)
		for _, n := range id.Principals {
			if n == Twilio && id.Policy == "twilio" || !IsReserved(n) {
				names = append(names, n)
			}
		}
	}
	if !vouched {
		res.Principals = Set{names: everyoneOnly} // shared: a Set is never modified
		return res
	}
	sortNames(names)
	res.Principals = Set{names: slices.Compact(names)}
	return res
}

// sortNames sorts the few names of a Result by insertion, comparing bytes in a loop (see
// keyLess): what slices.Sort does for so few, without runtime.cmpstring's set-up per comparison.
func sortNames(names []string) {
	for i := 1; i < len(names); i++ {
		n, j := names[i], i
		for ; j > 0 && keyLess(n, names[j-1]); j-- {
			names[j] = names[j-1]
		}
		names[j] = n
	}
}

// everyoneOnly is the principal set of every request no policy vouched for.
var everyoneOnly = []string{Everyone}

// resultMem is the memory of one [Result], pooled in resultPool. Bound: a sync.Pool keeps a few
// per processor and drops them over two garbage collections.
type resultMem struct {
	ids      [1]Identity
	names    [10]string
	failures [2]error
	lent     [2]*verifyState // what policies lent, put back to their pools on Release
	nlent    int
}

var resultPool = sync.Pool{New: func() any { return new(resultMem) }}

// lend records that st is lent to m's Result until Release, and reports whether m had room.
func (m *resultMem) lend(st *verifyState) bool {
	if m.nlent == len(m.lent) {
		return false
	}
	m.lent[m.nlent] = st
	m.nlent++
	return true
}
