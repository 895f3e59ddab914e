package framework

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-ivr/switchboard/framework/authz"
	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

// tablePolicy is a policy kept as rows with keys, the way a database keeps it: a PolicySource that
// announces its own changes and can lose its backend. It is what a database source looks like to
// the App, without the database.
type tablePolicy struct {
	mu      sync.Mutex
	rows    map[string]string // rule ID → "p, …" or "g, …"
	order   []string
	down    error // the backend is unreachable
	last    authz.Policy
	changed chan struct{}
}

func newTablePolicy(rows ...string) *tablePolicy {
	tp := &tablePolicy{rows: map[string]string{}, changed: make(chan struct{}, 1)}
	for i, r := range rows {
		tp.put(string(rune('a'+i)), r)
	}
	return tp
}

func (tp *tablePolicy) put(id, rule string) {
	tp.mu.Lock()
	if _, ok := tp.rows[id]; !ok {
		tp.order = append(tp.order, id)
	}
	tp.rows[id] = rule
	tp.mu.Unlock()
	select {
	case tp.changed <- struct{}{}:
	default:
	}
}

func (tp *tablePolicy) setDown(err error) { tp.mu.Lock(); tp.down = err; tp.mu.Unlock() }

func (tp *tablePolicy) String() string { return "policy-db" }

func (tp *tablePolicy) LoadPolicy(context.Context) (authz.Policy, error) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if tp.down != nil {
		if tp.last.Lines == nil {
			return authz.Policy{}, tp.down
		}
		return tp.last, nil // the last good policy; Health says why
	}
	p := authz.Policy{Name: "policy-db"}
	for _, id := range tp.order {
		p.Lines = append(p.Lines, authz.Line{Text: tp.rows[id], Origin: authz.Origin{Source: "policy-db", ID: id}})
	}
	tp.last = p
	return p, nil
}

func (tp *tablePolicy) Watch(ctx context.Context, _ time.Duration, changed func()) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-tp.changed:
			changed()
		}
	}
}

func (tp *tablePolicy) Health() error {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if tp.down != nil {
		return errors.New("unreachable: " + tp.down.Error())
	}
	return nil
}

func readyz(t *testing.T, app *App) (int, readiness) {
	t.Helper()
	w := send(app, httptest.NewRequest(http.MethodGet, testHost+"/readyz", nil))
	var r readiness
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
		t.Fatalf("/readyz answered %q: %v", w.Body, err)
	}
	return w.Code, r
}

func TestPolicyFromADatabaseLikeSourceNamesTheRuleThatDecided(t *testing.T) {
	tp := newTablePolicy("p, twilio, /ivr/*, view, allow", "p, group:blocked, /ivr/*, *, deny")
	app, logs := hardenedApp(t, principals.TwilioOptions{}, &Options{Policy: tp})
	x := app.Authorizer().Explain([]string{"caller:" + blockedNumber, "twilio"}, "/ivr/welcome", "view")
	if got := x.Decision.Reason(); got != `allowed by policy-db rule a "p, twilio, /ivr/*, view, allow"` {
		t.Errorf("decision: %s", got)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { app.Watch(ctx, time.Hour); close(done) }() // the hour never passes: only the source's notice reloads
	defer func() { cancel(); <-done }()
	before := app.Authorizer()
	tp.put("42", "g, caller:"+blockedNumber+", group:blocked")
	// Watch may reload once on its own before the rule is added; wait for a generation that holds it.
	waitFor(t, "the source's notice to reload the policy", func() bool {
		return app.Authorizer() != before && app.Authorizer().Groupings() == 1
	})

	w := call(t, app, "/ivr/welcome", principalstest.CallParams(blockedNumber))
	if says := twimlOf(t, w).says(); len(says) == 0 || says[0] != "Sorry, this line cannot take your call." {
		t.Errorf("the caller the new rule blocks heard %q", says)
	}
	if !strings.Contains(logs.String(), `denied by policy-db rule b \"p, group:blocked, /ivr/*, *, deny\"`) {
		t.Errorf("the log does not name the rule that denied:\n%s", logs)
	}
	if x := app.Authorizer().Explain([]string{"caller:" + blockedNumber}, "/ivr/welcome", "view"); len(x.Matches) != 1 || x.Matches[0].Origin.String() != "policy-db rule b" {
		t.Errorf("explain: %s", x)
	}
}

func TestADegradedSourceKeepsItsLastPolicyAndReadyzSaysWhy(t *testing.T) {
	tp := newTablePolicy("p, twilio, /ivr/*, view, allow")
	app, _ := hardenedApp(t, principals.TwilioOptions{}, &Options{Policy: tp})
	tp.setDown(errors.New("connection refused"))
	if err := app.Reload(); err != nil {
		t.Fatalf("a reload while the database is away failed: %v", err)
	}
	if code, r := readyz(t, app); code != http.StatusOK || r.Status != "degraded" || r.Degraded["policy-db"] != "unreachable: connection refused" {
		t.Errorf("/readyz with the database away: %d %+v", code, r)
	}
	if heard := heardRecorder(t, call(t, app, "/ivr/welcome", principalstest.CallParams(otherNumber))); heard != "menu" {
		t.Errorf("with the database away a call heard %s", heard)
	}
	tp.setDown(nil)
	if code, r := readyz(t, app); code != http.StatusOK || r.Status != "ready" {
		t.Errorf("/readyz with the database back: %d %+v", code, r)
	}
}

func TestASourceWithNoPolicyToGiveRefusesToStart(t *testing.T) {
	tp := newTablePolicy("p, twilio, /ivr/*, view, allow")
	tp.setDown(errors.New("connection refused"))
	if _, err := New(&Options{Policy: tp}); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("New with the database away: %v", err)
	}
}

func TestABadRuleInADatabaseIsNamedByItsID(t *testing.T) {
	tp := newTablePolicy("p, twilio, /ivr/*, view, allow")
	tp.put("17", "p, twilio, /ivr/*, view, Allow")
	_, err := New(&Options{Policy: tp})
	if err == nil || !strings.Contains(err.Error(), `policy-db rule 17: effect "Allow" must be allow or deny`) {
		t.Errorf("New with a bad rule: %v", err)
	}
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 5 s for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
