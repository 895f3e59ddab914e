package main

import (
	"strings"
	"testing"
)

func TestEveryCommandIsRegisteredAndHasHelp(t *testing.T) {
	for _, name := range []string{"serve", "validate", "routes", "explain", "graph", "simulate", "signature"} {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, name, "-h")
			if code != 0 {
				t.Errorf("%s -h: exit %d\n%s", name, code, stderr)
			}
			if name != "serve" && !strings.Contains(stdout, "usage:") {
				t.Errorf("%s -h printed no usage on stdout:\n%s", name, stdout)
			}
		})
	}
}

func TestUnexpectedArgumentIsAUsageError(t *testing.T) {
	for _, name := range []string{"validate", "routes", "explain", "graph", "simulate"} {
		code, _, stderr := runCLI(t, name, "stray")
		if code != 2 || !strings.Contains(stderr, `unexpected argument "stray"`) {
			t.Errorf("%s stray: exit %d\n%s", name, code, stderr)
		}
	}
}
