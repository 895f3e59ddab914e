package flowtest_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/flowtest"
)

// The test file the README shows loads, and passes against the demo it describes.
func TestTheREADMEsTestFilePassesAgainstTheDemo(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Testing a flow\n")
	if !ok {
		t.Fatal(`README.md has no "## Testing a flow" section`)
	}
	_, block, ok := strings.Cut(section, "```yaml\n")
	block, _, ok2 := strings.Cut(block, "```")
	if !ok || !ok2 {
		t.Fatal("the section shows no YAML test file")
	}
	f, err := flowtest.Parse("README.md", []byte(block))
	if err != nil {
		t.Fatal(err)
	}
	f.Flow, f.Policy = "../demo.yaml", "../policy.csv" // menu.yaml and policy.csv, in the README
	rep := flowtest.Run(context.Background(), []*flowtest.File{f}, nil)
	if rep.Failed() > 0 || len(rep.Results) != 4 {
		var out strings.Builder
		_ = rep.WriteText(&out)
		t.Errorf("the README's test file against the demo:\n%s", out.String())
	}
}
