package flowtest

import (
	"context"
	"strings"
	"testing"
)

// Check loads the test files at paths, places their calls, and reports each call as a subtest
// of t, named after it, failing with the unmet expectation and the events around it. A file
// that does not load, or whose flow does not, fails t. It is for a program's own Go tests:
//
//	func TestFlow(t *testing.T) { flowtest.Check(t, nil, "flow_test.yaml") }
func Check(t *testing.T, opts *Options, paths ...string) *Report {
	t.Helper()
	var files []*File
	for _, p := range paths {
		f, err := Load(p)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		files = append(files, f)
	}
	rep := Run(context.Background(), files, opts)
	for _, e := range rep.Errors {
		t.Errorf("%v", e)
	}
	for i := range rep.Results {
		res := &rep.Results[i]
		t.Run(res.Call.Name, func(t *testing.T) {
			if res.Failure != nil {
				t.Errorf("%s\n    %s", res.Line(), strings.Join(res.Transcript(), "\n    "))
			}
		})
	}
	return rep
}
