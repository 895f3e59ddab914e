package flow

import (
	"strings"
	"testing"
)

// A forbidden or unauthenticated flow may send the caller anywhere but back into a refusal:
// by goto or by a redirect to a route of the flow, through menus that follow on with no input,
// unless the policy opens the menu to every caller.
func TestRefusalsMayNotLeadBackIntoARefusal(t *testing.T) {
	const menus = `menus:
  welcome:
    gather: {options: {"1": staff, "2": bye}}
  staff:
    permission: staff
    gather: {options: {"1": bye}}
    errors: {forbidden: {say: Staff only., goto: welcome}}
  bye: {say: Goodbye., hangup: true}
  hop: {say: One moment., goto: welcome}
  balance: {redirect: /ivr/welcome/gather}
`
	open := func(route, permission string) bool { return route == "/ivr/welcome" && permission == "view" }
	tests := []struct {
		name   string
		errors string // the flow's top-level errors
		open   func(route, permission string) bool
		want   string // the problem, or "" for none
	}{
		{
			name:   "a menu's forbidden flow may go to a menu whose own flow hangs up",
			errors: "errors: {forbidden: {say: No., hangup: true}}\n",
		},
		{
			name:   "a redirect to a menu's route is a goto",
			errors: "errors: {forbidden: {say: No., redirect: /ivr/welcome}}\n",
			want:   `refusal.yaml:4:42: errors.forbidden.redirect: a caller refused at "welcome" hears this flow, which leads back into a refusal ("welcome" → "welcome"), forever: dial or hang up instead, or go to a menu every caller may use`,
		},
		{
			name:   "a redirect to a menu's gather route is a goto too",
			errors: "errors: {forbidden: {say: No., redirect: /ivr/welcome/gather}}\n",
			want:   `errors.forbidden.redirect: a caller refused at "welcome" hears this flow, which leads back into a refusal ("welcome" → "welcome")`,
		},
		{
			name:   "menus followed with no input lead on",
			errors: "errors: {forbidden: {say: No., goto: hop}}\n",
			want:   `errors.forbidden.goto: a caller refused at "hop" hears this flow, which leads back into a refusal ("hop" → "hop")`,
		},
		{
			name:   "a menu that may refuse",
			errors: "errors: {forbidden: {say: No., goto: welcome}}\n",
			want:   `errors.forbidden.goto: a caller refused at "welcome" hears this flow, which leads back into a refusal ("welcome" → "welcome")`,
		},
		{
			name:   "a menu the policy opens to every caller cannot refuse",
			errors: "errors: {forbidden: {say: No., goto: welcome}}\n",
			open:   open,
		},
		{
			name:   "a menu's own flow closes the loop",
			errors: "errors: {forbidden: {say: No., goto: staff}}\n",
			want:   `menus.staff.errors.forbidden.goto: a caller refused at "staff" hears this flow, which leads back into a refusal ("staff" → "welcome" → "staff")`,
		},
		{
			name:   "the unauthenticated flow",
			errors: "errors: {forbidden: {hangup: true}, unauthenticated: {say: Who are you, redirect: /ivr/hop}}\n",
			want:   `errors.unauthenticated.redirect: an unauthenticated caller at "hop" hears this flow, which leads back into a refusal ("hop" → "hop")`,
		},
		{
			name:   "a redirect to a path the program serves is not a menu",
			errors: "errors: {forbidden: {say: No., redirect: /ivr/balance/extra}}\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "version: 1\nstart: welcome\nentries: [hop, balance]\n" + tt.errors + menus
			_, probs := Parse("refusal.yaml", []byte(src), &Options{Open: tt.open})
			err := probs.Err()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v\nwant a problem holding %s", err, tt.want)
			}
		})
	}
}

// A redirect to a route of the flow counts as going to its menu: it can make a loop with no
// gather, and it reaches the menu.
func TestARedirectToAMenusRouteIsAnEdgeToTheMenu(t *testing.T) {
	_, probs := Parse("r.yaml", []byte("version: 1\nstart: a\nmenus:\n  a: {say: Hi., redirect: /ivr/b}\n  b: {redirect: \"/ivr/a?x=1\"}\n"), nil)
	want := `r.yaml:5:17: menus.b.redirect: menus "a" → "b" → "a" loop forever with no gather between them: Twilio would redirect without end`
	if probs.String() != want {
		t.Errorf("problems:\n%s\nwant:\n%s", probs, want)
	}
	_, probs = Parse("r.yaml", []byte("version: 1\nstart: a\nmenus:\n  a: {redirect: /ivr/b/gather}\n  b: {gather: {options: {\"1\": a}}}\n"), nil)
	if len(probs) > 0 {
		t.Errorf("a menu reached by a redirect to its gather route: %s", probs)
	}
}

// A denied flow, which never falls back to forbidden, may not redirect a blocked caller back to
// the menu that refused them either.
func TestADeniedFlowMayNotRedirectBackIntoARefusal(t *testing.T) {
	src := "version: 1\nstart: a\nerrors: {denied: {say: No., redirect: /ivr/a}}\nmenus:\n  a: {say: Hi., hangup: true}\n"
	_, probs := Parse("d.yaml", []byte(src), nil)
	want := `d.yaml:3:39: errors.denied.redirect: a caller a deny line refused at "a" hears this flow, which leads back into a refusal ("a" → "a"), forever: say something and hang up instead`
	if !strings.Contains(probs.String(), want) {
		t.Errorf("problems:\n%s\nwant one holding:\n%s", probs, want)
	}
}
