package main

import (
	"strings"
	"testing"
)

func TestRoutes(t *testing.T) {
	tests := []struct {
		name   string
		given  []string
		golden string
	}{
		{"DemoUnderTheDefaultPolicy", nil, "demo"},
		{"DemoFileUnderAnotherPolicy", []string{"--flow", "../../demo.yaml", "--policy", "testdata/routes/staff-only.csv"}, "staff-only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"routes"}, tt.given...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			golden(t, "testdata/routes/"+tt.golden+".golden", stdout)
		})
	}
}

func TestRoutesShowsWhoIsDeniedAndWhoIsAllowed(t *testing.T) {
	_, stdout, _ := runCLI(t, "routes")
	for _, line := range strings.Split(stdout, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == "/ivr/staff" {
			if got := strings.Join(f[1:], " "); got != "GET,POST staff pin:staff group:blocked" {
				t.Errorf("/ivr/staff: %q", got)
			}
			return
		}
	}
	t.Errorf("no /ivr/staff line in:\n%s", stdout)
}

func TestRoutesOnBrokenFilesExitsOne(t *testing.T) {
	code, _, stderr := runCLI(t, "routes", "--flow", "testdata/validate/broken.yaml")
	if code != 1 || !strings.Contains(stderr, "broken.yaml:9:14") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// routes, explain and graph call no backend, so a flow whose backend URL names an unset
// environment variable (examples/balance without SWITCHBOARD_BACKEND_URL) still shows; validate
// and serve refuse it.
func TestLookingAtAFlowNeedsNoBackendURL(t *testing.T) {
	t.Setenv("SWITCHBOARD_BACKEND_URL", "")
	const f, p = "../../examples/balance/flow.yaml", "../../examples/balance/policy.csv"
	for _, args := range [][]string{
		{"routes", "--flow", f, "--policy", p},
		{"explain", "--flow", f, "--policy", p, "--principal", "pin:account", "--route", "/ivr/balance", "--permission", "account"},
		{"graph", "--flow", f},
	} {
		if code, stdout, stderr := runCLI(t, args...); code != 0 || !strings.Contains(stdout, "balance") {
			t.Errorf("%s: exit %d\n%s%s", args[0], code, stdout, stderr)
		}
	}
	if code, stdout, stderr := runCLI(t, "validate", "--flow", f, "--policy", p); code != 1 || !strings.Contains(stdout+stderr, "SWITCHBOARD_BACKEND_URL is not set") {
		t.Errorf("validate: exit %d, want 1 naming the variable\n%s%s", code, stdout, stderr)
	}
}
