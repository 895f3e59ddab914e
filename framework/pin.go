package framework

import (
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-ivr/switchboard/callstate"
	"github.com/switchboard-ivr/switchboard/framework/flow"
	"github.com/switchboard-ivr/switchboard/principals"
)

// Defaults of the wrong-PIN lockout (Options.PINLockout and PINLockoutWindow).
const (
	DefaultPINLockout       = 5
	DefaultPINLockoutWindow = 15 * time.Minute
)

// checkPIN checks the digits sent to a pin route, counts a wrong PIN against the calling number,
// and grants the route's scope to the rest of the call when they are right. A number with
// PINLockout wrong PINs on one secret within PINLockoutWindow, across calls, is locked out: its
// attempts fail unchecked until the window ends. A store that cannot count fails closed: the
// caller hears the internal flow, never a menu.
//
// Calls whose number is not an E.164 one (withheld, SIP, client) share one count per secret,
// "caller:anonymous": a caller cannot escape the lockout by withholding their number, at the
// price that one such caller can lock the others out for a window.
func (a *App) checkPIN(ex *exchange, chk *flow.PINCheck, digits string) (flow.PINResult, error) {
	if digits == "" {
		ex.pinResult = "silence"
		a.met.pinAttempt(ex.pinResult)
		return flow.PINUnchecked, nil
	}
	key := "pin|" + chk.Secret + "|" + pinCaller(ex.auth.Principals)
	n, err := a.pinAttempts.Count(key)
	if err != nil {
		return 0, &Error{Op: "pin lockout", Kind: KindInternal, Err: err}
	}
	if n >= a.opts.PINLockout {
		ex.pinResult = "locked"
		a.met.pinAttempt(ex.pinResult)
		return flow.PINLocked, nil
	}
	if ex.st.pins.Check(chk.Secret, digits) {
		if err := a.pinAttempts.Reset(key); err != nil {
			a.log.Warn("pin lockout: a right PIN could not clear the count of wrong ones", "error", err)
		}
		ex.grantScope(chk.Grants)
		ex.pinResult = "right"
		a.met.pinAttempt(ex.pinResult)
		return flow.PINRight, nil
	}
	n, err = a.pinAttempts.Fail(key, a.opts.PINLockoutWindow)
	if err != nil {
		return 0, &Error{Op: "pin lockout", Kind: KindInternal, Err: err}
	}
	ex.pinResult = "wrong"
	if n >= a.opts.PINLockout {
		ex.pinResult = "wrong, now locked out"
		a.met.pinAttempt("locked_out")
		return flow.PINLocked, nil
	}
	a.met.pinAttempt(ex.pinResult)
	return flow.PINWrong, nil
}

// pinCaller is the principal wrong PINs are counted against: the caller's E.164 number, or
// caller:anonymous.
func pinCaller(s principals.Set) string {
	for _, n := range s.Names() {
		if num, ok := strings.CutPrefix(n, principals.CallerPrefix); ok && strings.HasPrefix(num, "+") {
			return n
		}
	}
	return principals.AnonymousCaller
}

// pinDefaults fills the PIN options an App was given no value for.
func (a *App) pinDefaults() error {
	if a.opts.PINLockout <= 0 {
		a.opts.PINLockout = DefaultPINLockout
	}
	if a.opts.PINLockoutWindow <= 0 {
		a.opts.PINLockoutWindow = DefaultPINLockoutWindow
	}
	a.pinAttempts = a.opts.PINAttempts
	if a.pinAttempts == nil {
		a.pinAttempts = NewMemoryAttemptStore(0)
	}
	if a.opts.PINs == nil && a.opts.Flow == nil {
		a.opts.PINs = DemoPINs()
	}
	if a.opts.State == nil {
		k, err := callstate.GenerateKey()
		if err != nil {
			return err
		}
		if a.opts.State, err = callstate.New(k, nil); err != nil {
			return err
		}
	}
	return nil
}

// pinWarning warns of a flow with pin nodes and no PIN secrets: no PIN could ever be right, so
// nobody passes them (a tool such as validate or routes may load a flow without its PINs).
func (a *App) pinWarning(c *flow.Compiled) string {
	if a.opts.PINs != nil {
		return ""
	}
	var nodes []string
	for _, r := range c.Routes() {
		if r.PIN() != nil {
			nodes = append(nodes, r.Node)
		}
	}
	if len(nodes) == 0 {
		return ""
	}
	return fmt.Sprintf("warning: the flow asks for PINs (menus %s) but no PIN secrets are loaded, so no PIN is right: give the server a PIN secrets file (serve --pins FILE; make its lines with switchboard key --pin)", strings.Join(nodes, ", "))
}
