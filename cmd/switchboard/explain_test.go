package main

import (
	"testing"
)

func TestExplain(t *testing.T) {
	tests := []struct {
		name   string
		given  []string
		code   int
		golden string
	}{
		{"TwilioMayViewTheWelcomeMenu",
			[]string{"--principal", "twilio", "--route", "/ivr/welcome", "--permission", "view"}, 0, "twilio-welcome"},
		{"BlockedCallerIsDeniedWhateverAllowsTwilio",
			[]string{"--principal", "twilio", "--principal", "caller:+15555550199", "--route", "/ivr/welcome", "--permission", "view"}, 1, "blocked"},
		{"ACallThatEnteredTheStaffPINIsAllowedTheStaffMenu",
			[]string{"--principal", "twilio", "--principal", "pin:staff", "--route", "/ivr/staff", "--permission", "staff"}, 0, "staff"},
		{"AnAttestedStaffNumberMayLogIn",
			[]string{"--principal", "twilio", "--principal", "caller-attested:+15555550123", "--route", "/ivr/staff_login", "--permission", "staff_login"}, 0, "staff-login"},
		{"TheSpoofableStaffNumberMayNotLogIn",
			[]string{"--principal", "twilio", "--principal", "caller:+15555550123", "--route", "/ivr/staff_login", "--permission", "staff_login"}, 1, "staff-login-spoofed"},
		{"StrangerIsDeniedTheStaffMenuByDefault",
			[]string{"--principal", "twilio", "--principal", "caller:+15555550142", "--route", "/ivr/staff"}, 1, "stranger-staff"},
		{"PermissionDefaultsToTheRoutes",
			[]string{"--principal", "twilio", "--route", "/ivr/welcome/gather?i=1&n=0"}, 0, "default-permission"},
		{"KeyOutsideTheOperatorsMayNotStartCalls",
			[]string{"--principal", "key:intern", "--route", "/calls", "--permission", "call"}, 1, "intern-calls"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"explain"}, tt.given...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, stdout, stderr)
			}
			golden(t, "testdata/explain/"+tt.golden+".golden", stdout)
		})
	}
}

func TestExplainUsage(t *testing.T) {
	tests := []struct {
		name  string
		given []string
		code  int
	}{
		{"NoPrincipalIsAUsageError", []string{"--route", "/ivr/welcome", "--permission", "view"}, 2},
		{"NoRouteIsAUsageError", []string{"--principal", "twilio", "--permission", "view"}, 2},
		{"UnknownRouteWithoutPermissionIsAUsageError", []string{"--principal", "twilio", "--route", "/nowhere"}, 2},
		{"UnknownRouteWithPermissionIsDecided", []string{"--principal", "twilio", "--route", "/nowhere", "--permission", "view"}, 1},
		{"ACallerThatIsNotE164IsRefused", []string{"--principal", "caller:5555550199", "--route", "/ivr/welcome", "--permission", "view"}, 2},
		{"APrincipalWithoutItsNamespaceIsRefused", []string{"--principal", "+15555550199", "--route", "/ivr/welcome", "--permission", "view"}, 2},
		{"BrokenPolicyIsAnError", []string{"--principal", "twilio", "--route", "/ivr/welcome", "--permission", "view", "--policy", "testdata/validate/bad-policy.csv"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, stdout, stderr := runCLI(t, append([]string{"explain"}, tt.given...)...); code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, stdout, stderr)
			}
		})
	}
}
