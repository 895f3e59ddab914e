package main

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		given  []string // flags after "validate"
		code   int
		golden string // testdata/validate/<golden>.golden holds stdout
	}{
		{"TheDemoIsClean", []string{"--flow", "../../demo.yaml"}, 0, "demo"},
		{"BrokenFlowPrintsEveryProblemWithItsPosition", []string{"--flow", "testdata/validate/broken.yaml"}, 1, "broken"},
		{"UnknownKeyIsPositioned", []string{"--flow", "testdata/validate/unknown-key.yaml"}, 1, "unknown-key"},
		{"YAMLSyntaxErrorIsPositioned", []string{"--flow", "testdata/validate/syntax.yaml"}, 1, "syntax"},
		{"WarningsAloneExitZero", []string{"--flow", "testdata/validate/warnings.yaml"}, 0, "warnings"},
		{"MissingTranslationsAreWarnings", []string{"--flow", "testdata/validate/translations.yaml"}, 0, "translations"},
		{"BrokenPolicyLinesArePositioned", []string{"--flow", "../../demo.yaml", "--policy", "testdata/validate/bad-policy.csv"}, 1, "bad-policy"},
		{"PolicyThatShutsTwilioOutFails", []string{"--flow", "../../demo.yaml", "--policy", "testdata/validate/no-twilio.csv"}, 1, "no-twilio"},
		{"PolicyLinesThatDoNothingAreWarnings", []string{"--flow", "../../demo.yaml", "--policy", "testdata/validate/policy-mistakes.csv"}, 0, "policy-mistakes"},
		{"MissingFlowFileIsAnError", []string{"--flow", "testdata/validate/missing.yaml"}, 1, "missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"validate"}, tt.given...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%sstderr:\n%s", code, tt.code, stdout, stderr)
			}
			golden(t, "testdata/validate/"+tt.golden+".golden", stdout)
		})
	}
}

func TestValidateErrorsCarryFileLineAndColumn(t *testing.T) {
	_, stdout, _ := runCLI(t, "validate", "--flow", "testdata/validate/broken.yaml")
	for _, want := range []string{
		`testdata/validate/broken.yaml:2:14: call_center: must be an E.164 phone number`,
		`testdata/validate/broken.yaml:9:14: menus.welcome.gather.options["1"].goto: no menu is named "nowhere"`,
		`testdata/validate/broken.yaml:14:17: menus.staff.permission: warning: no line of the policy grants permission "secret"`,
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("missing %q in:\n%s", want, stdout)
		}
	}
}

func TestValidateUsage(t *testing.T) {
	tests := []struct {
		name  string
		given []string
		code  int
	}{
		{"NoFlowIsAUsageError", nil, 2},
		{"StrayArgumentIsAUsageError", []string{"--flow", "x.yaml", "extra"}, 2},
		{"HelpExitsZero", []string{"-h"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, _, _ := runCLI(t, append([]string{"validate"}, tt.given...)...); code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
		})
	}
}

// The built-in policy's lines for the routes serve mounts when asked (POST /calls, the console,
// the callbacks) are not lines that do nothing: validating the demo with it warns of nothing.
func TestTheBuiltInPolicyValidatesWithoutWarnings(t *testing.T) {
	code, stdout, stderr := runCLI(t, "validate", "--flow", "../../demo.yaml", "--policy", "../../policy.csv")
	if code != 0 || stdout != "ok: 14 routes, 0 warnings\n" {
		t.Errorf("exit %d:\n%s%s", code, stdout, stderr)
	}
}
