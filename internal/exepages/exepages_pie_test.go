//go:build linux

package exepages

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A position-independent executable has a mapping that its loader wrote (relocations) and then
// made read-only. Release must leave it: dropping it would send the program's next indirect call
// through an unrelocated pointer.
func TestReleaseLeavesWhatTheLoaderRelocatedInAPIE(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the program with")
	}
	bin := filepath.Join(t.TempDir(), "release")
	build := exec.Command(gobin, "build", "-buildmode=pie", "-o", bin, "./testdata/release")
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		t.Skipf("cannot build a PIE here: %v\n%s", err, out)
	}
	out, err := exec.Command(bin).CombinedOutput()
	if err != nil {
		t.Fatalf("the PIE failed after Release: %v\n%s", err, out)
	}
	if got, want := strings.TrimSpace(string(out)), "released=true area=13 OK [title upper]"; got != want {
		t.Errorf("the PIE printed %q, want %q", got, want)
	}
}
