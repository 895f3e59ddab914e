package exepages

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// rssFile returns the process's resident file-backed pages, in KiB (/proc/self/status RssFile).
func rssFile(t *testing.T) int {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "RssFile:"); ok {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Skip("no RssFile in /proc/self/status")
	return 0
}

// counter and table live in the executable's writable mappings (initialised data): Release must
// leave what the program wrote there.
var (
	counter = 1
	table   = map[string]int{"a": 1}
)

func TestReleaseDropsTheExecutablesPagesAndKeepsItsVariables(t *testing.T) {
	counter = 42
	table["b"] = 2
	before := rssFile(t)
	n, err := Release()
	if err != nil {
		t.Fatal(err)
	}
	after := rssFile(t)
	if n == 0 {
		t.Fatal("released no mapping of the test binary")
	}
	if after >= before {
		t.Errorf("resident file pages %d KiB before, %d KiB after: nothing was given back", before, after)
	}
	t.Logf("released %d MiB of mappings; resident file pages %d → %d KiB", n>>20, before, after)
	if counter != 42 || table["b"] != 2 || table["a"] != 1 {
		t.Errorf("variables changed: counter %d, table %v", counter, table)
	}
	// The code runs on: what it touches is mapped again.
	if got := strconv.Itoa(12345) + strings.Repeat("x", 2); got != "12345xx" {
		t.Errorf("got %q", got)
	}
}
