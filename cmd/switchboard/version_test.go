package main

import (
	"regexp"
	"testing"
)

func TestVersionAndDashDashVersionPrintTheBuild(t *testing.T) {
	line := regexp.MustCompile(`^switchboard \S+( \(.*go1\.[0-9]+.*\))?\n$`)
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		code, stdout, stderr := runCLI(t, args...)
		if code != 0 || !line.MatchString(stdout) || stderr != "" {
			t.Errorf("%v: exit status %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
	if code, _, _ := runCLI(t, "version", "extra"); code != 2 {
		t.Errorf("version extra: exit status %d, want 2", code)
	}
}
