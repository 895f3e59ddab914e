package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Completion reads each command's flags from its -h, so every -h must print help and do nothing
// else, exiting 0.
func TestEveryCommandsHelpExitsZeroAndNamesItsFlags(t *testing.T) {
	for _, name := range commandNames() {
		code, stdout, stderr := runCLI(t, name, "-h")
		if code != 0 || !strings.Contains(stdout+stderr, name) {
			t.Errorf("%s -h: exit status %d\n%s%s", name, code, stdout, stderr)
		}
	}
	specs := map[string]completionSpec{}
	for _, s := range completionSpecs() {
		specs[s.name] = s
	}
	for _, tt := range []struct{ cmd, flag string }{
		{"serve", "--addr"}, {"serve", "--trusted-proxy"}, {"simulate", "--press"}, {"test", "--junit"},
		{"validate", "--flow"}, {"signature", "--body-file"}, {"graph", "--format"},
	} {
		if !strings.Contains(" "+strings.Join(specs[tt.cmd].flags, " ")+" ", " "+tt.flag+" ") {
			t.Errorf("the completion of %s lacks %s: %v", tt.cmd, tt.flag, specs[tt.cmd].flags)
		}
	}
	if got := strings.Join(specs["signature"].subs, " "); got != "sign verify" {
		t.Errorf("signature's subcommands: %q", got)
	}
}

func TestBashCompletionCompletes(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	code, script, stderr := runCLI(t, "completion", "bash")
	if code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr)
	}
	path := filepath.Join(t.TempDir(), "switchboard.bash")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		words string // the command line, the last word being completed
		want  string // a word COMPREPLY must hold
		not   string // a word it must not hold
	}{
		{"switchboard si", "simulate", "serve"},
		{"switchboard serve --fl", "--flow", "--format"},
		{"switchboard test --ju", "--junit", ""},
		{"switchboard signature ve", "verify", "sign"},
		{"switchboard completion ", "fish", ""},
		{"switchboard --ver", "--version", ""},
	}
	for _, tt := range tests {
		words := strings.Split(tt.words, " ")
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = "'" + w + "'"
		}
		prog := "source " + path + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" +
			strconv.Itoa(len(words)-1) + "\n_switchboard\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
		out, err := exec.Command(bash, "--norc", "--noprofile", "-c", prog).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", tt.words, err, out)
		}
		got := "\n" + string(out)
		if !strings.Contains(got, "\n"+tt.want+"\n") || tt.not != "" && strings.Contains(got, "\n"+tt.not+"\n") {
			t.Errorf("%q completes to %q, want %q and not %q", tt.words, out, tt.want, tt.not)
		}
	}
}

func TestZshAndFishScriptsNameEveryCommand(t *testing.T) {
	for _, shell := range []string{"zsh", "fish"} {
		code, script, stderr := runCLI(t, "completion", shell)
		if code != 0 {
			t.Fatalf("%s: exit status %d: %s", shell, code, stderr)
		}
		for _, name := range commandNames() {
			if !strings.Contains(script, name) {
				t.Errorf("the %s script does not name %s", shell, name)
			}
		}
		if !strings.Contains(script, "--junit") && !strings.Contains(script, "-l junit") {
			t.Errorf("the %s script lacks test's --junit", shell)
		}
	}
	if code, _, stderr := runCLI(t, "completion", "powershell"); code != 2 || !strings.Contains(stderr, `no completion for shell "powershell"`) {
		t.Errorf("an unknown shell: exit status %d\n%s", code, stderr)
	}
}
