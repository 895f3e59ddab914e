package principals_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/principals"
)

func TestBasicUpdateReplacesTheUsersEveryHolderSees(t *testing.T) {
	load := func(text string) *principals.BasicPolicy {
		t.Helper()
		p, err := principals.NewBasic("basic", strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	accepted := func(p *principals.BasicPolicy, user, pass string) bool {
		r := httptest.NewRequest("GET", "/", nil)
		r.SetBasicAuth(user, pass)
		_, ok, _ := p.Authenticate(r)
		return ok
	}
	held := &principals.BasicPolicy{} // zero: nobody
	if accepted(held, "ops", "old-password-0123456789") {
		t.Fatal("a zero BasicPolicy accepted a user")
	}
	held.Update(load("ops " + principals.HashAPIKey("old-password-0123456789") + "\n"))
	if !accepted(held, "ops", "old-password-0123456789") {
		t.Error("the updated users are not in force")
	}
	held.Update(load("ops " + principals.HashAPIKey("new-password-9876543210") + "\n"))
	if accepted(held, "ops", "old-password-0123456789") || !accepted(held, "ops", "new-password-9876543210") {
		t.Error("the old password still works, or the new one does not")
	}
	held.Update(nil)
	if accepted(held, "ops", "new-password-9876543210") || held.Len() != 0 {
		t.Error("Update(nil) left a user in force")
	}
}
