package principals

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
)

// BasicPolicyName is the name the Basic credentials policy gives in [Identity.Policy] and
// [Failure.Policy].
const BasicPolicyName = "basic"

// BasicPrefix is the namespace of the principal of a user whose Basic credentials verified,
// "basic:<name>".
const BasicPrefix = "basic:"

// Basic returns the principal of a Basic credentials user, "basic:<name>".
func Basic(name string) string { return BasicPrefix + name }

// BasicAnonymous is the principal a Twilio policy with [TwilioOptions.Credentials] adds to a
// verified request whose signed URL carried no credentials that the Basic policy accepts. No
// user of a credentials file may be named "anonymous".
const BasicAnonymous = BasicPrefix + "anonymous"

// BasicPolicy vouches for requests that carry "Authorization: Basic" credentials listed in a
// credentials file. It yields "basic:<name>" and "group:<g>" for each of the user's groups.
// Create one with [NewBasic] or [LoadBasic]; it is safe for concurrent use.
//
// It is how a webhook URL with credentials (https://user:pass@ivr.example.com/ivr/welcome) is
// checked: Twilio sends them as Basic credentials, and signs the URL with them in it, which
// [TwilioPolicy] verifies. A request with both holds [Twilio] and "basic:<name>", so that a
// policy can ask for both (for example, deny view on voice routes to every request that holds
// twilio but no basic: principal).
//
// The two checks are independent, and the default Casbin model can only add grants, so a
// request that holds either is allowed by a line that grants either. To require both, give the
// BasicPolicy to the Twilio policy as [TwilioOptions.Credentials] and deny [BasicAnonymous]:
//
//	p, twilio, /ivr/*, view, allow
//	p, basic:anonymous, /ivr/*, *, deny
//
// A request without an Authorization header, or with another scheme (Bearer …), carries no
// credentials of this kind: ok == false and no error.
type BasicPolicy struct {
	users atomic.Pointer[[]apiKey] // replaced whole by Update; never nil after NewBasic
}

// LoadBasic reads a credentials file; see [NewBasic]. It does not check the file's mode; a
// server should refuse one that other users can read.
func LoadBasic(path string) (*BasicPolicy, error) {
	return parseFile(path, NewBasic)
}

// NewBasic reads a credentials file from r; name is the file name used in errors. It has the
// format of a keys file (see [ParseAPIKeys]), a user a line:
//
//	name  sha256:<hex>  [group,group…]
//
// where name is the user name and the hash is [HashAPIKey] of the password, both exactly as
// they appear in the webhook URL (percent-encoding included: Twilio sends them as written).
// Two users may share a password. Use long random passwords: the file holds unsalted SHA-256
// hashes, which resist a guess only as well as the password does.
func NewBasic(name string, r io.Reader) (*BasicPolicy, error) {
	users, err := parseCredentials(name, r, credentialFormat{kind: "user", principal: Basic})
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if u.name == "anonymous" {
			return nil, fmt.Errorf("%s: the user name \"anonymous\" is reserved (%s stands for no credentials)", name, BasicAnonymous)
		}
	}
	p := &BasicPolicy{}
	p.users.Store(&users)
	return p, nil
}

// accepts reports whether userinfo, "user:password", names a user of the file with that
// password. Every user is compared, in constant time.
func (p *BasicPolicy) accepts(userinfo []byte) bool {
	user, pass, ok := bytes.Cut(userinfo, []byte(":"))
	if !ok {
		return false
	}
	return find(p.load(), user, pass) >= 0
}

// find returns the index of the user with that name and password in users, or -1, comparing
// every user.
func find(users []apiKey, user, pass []byte) int {
	sum := sha256.Sum256(pass)
	found := -1
	for i := range users {
		name := subtle.ConstantTimeCompare(user, []byte(users[i].name))
		hash := subtle.ConstantTimeCompare(sum[:], users[i].hash[:])
		if name&hash == 1 {
			found = i
		}
	}
	return found
}

// load returns the users in force; none for a zero BasicPolicy.
func (p *BasicPolicy) load() []apiKey {
	if u := p.users.Load(); u != nil {
		return *u
	}
	return nil
}

// Update puts the users of q in force in place of p's, atomically: a request sees either set,
// never a mix. A nil q leaves no user in force, so that a server whose credentials file can no
// longer be read accepts nobody (see framework.BasicFile). Every policy p was given to, such
// as a Twilio policy's [TwilioOptions.Credentials], sees the change.
func (p *BasicPolicy) Update(q *BasicPolicy) {
	var users []apiKey
	if q != nil {
		users = q.load()
	}
	p.users.Store(&users)
}

// Len returns the number of users.
func (p *BasicPolicy) Len() int { return len(p.load()) }

// Authenticate implements [Policy]. Every user's name and password hash are compared, in
// constant time, whatever matches.
func (p *BasicPolicy) Authenticate(r *http.Request) (Identity, bool, error) {
	hs := r.Header.Values("Authorization")
	if len(hs) == 0 {
		return Identity{}, false, nil
	}
	scheme, cred, _ := strings.Cut(hs[0], " ")
	if !strings.EqualFold(scheme, "Basic") {
		return Identity{}, false, nil
	}
	if len(hs) > 1 {
		return Identity{}, false, &Failure{Policy: BasicPolicyName, Reason: ErrDuplicateAuth}
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimLeft(cred, " "))
	user, pass, ok := strings.Cut(string(raw), ":")
	if err != nil || !ok || user == "" {
		return Identity{}, false, &Failure{Policy: BasicPolicyName, Reason: ErrMalformedBasic}
	}
	users := p.load()
	found := find(users, []byte(user), []byte(pass))
	if found < 0 {
		return Identity{}, false, &Failure{Policy: BasicPolicyName, Reason: ErrUnknownCredentials}
	}
	return Identity{Policy: BasicPolicyName, Principals: slices.Clone(users[found].principals)}, true, nil
}
