package flowtest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/flowtest"
)

// A test file stubs the flow's backends: each file's calls hear its stub's answer, and two files
// of one flow with different stubs do not share a server.
func TestATestFileStubsTheFlowsBackends(t *testing.T) {
	var files []*flowtest.File
	for _, src := range []string{
		"flow: bank.yaml\nbackends: {bank: bank-overdrawn.json}\ncalls:\n  - {name: overdrawn, expect: [{say: minus $12.50}, {say: overdrawn}]}\n",
		"flow: bank.yaml\nbackends: {bank: bank-in-credit.json}\ncalls:\n  - {name: in credit, expect: [{say: $42.10}, {no_say: overdrawn}]}\n",
		"flow: bank.yaml\nbackends: {bank: fail}\ncalls:\n  - {name: down, expect: [{say: cannot reach your account}]}\n",
	} {
		f, err := flowtest.Parse("testdata/bank_test.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	rep := flowtest.Run(context.Background(), files, nil)
	if len(rep.Errors) > 0 {
		t.Fatal(rep.Errors)
	}
	for _, r := range rep.Results {
		if line := r.Line(); !strings.HasPrefix(line, "ok") {
			t.Errorf("%s", line)
		}
	}
	if len(rep.Results) != 3 {
		t.Errorf("%d results, want 3", len(rep.Results))
	}
}

// A stub that names no file, a stub file that is missing, and one that is no backend's answer
// are mistakes of the test file, reported at their line before any call runs, like every other.
func TestBadBackendStubsAreRefusedWithPositions(t *testing.T) {
	for _, tt := range []struct {
		file, backends string
		want           []string
	}{
		{"t_test.yaml", `{bank: "", crm: [x]}`,
			[]string{"t_test.yaml:2:18: backends.bank: must name a stub file", "t_test.yaml:2:27: backends.crm: must be a string"}},
		{"testdata/t_test.yaml", `{bank: missing.json, crm: shop.csv}`,
			[]string{"testdata/t_test.yaml:2:18: backends.bank: open testdata/missing.json: no such file",
				"testdata/t_test.yaml:2:37: backends.crm: testdata/shop.csv: the backend's answer is not a flat JSON object"}},
	} {
		_, err := flowtest.Parse(tt.file, []byte("flow: bank.yaml\nbackends: "+tt.backends+"\ncalls:\n  - {name: c, expect: [{hangup: true}]}\n"))
		if err == nil {
			t.Fatalf("%s parsed", tt.backends)
		}
		for _, want := range tt.want {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%v\nwant %s", err, want)
			}
		}
	}
}
