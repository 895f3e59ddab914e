package switchboard_test

import (
	"os"
	"testing"

	"github.com/switchboard-ivr/switchboard"
	"github.com/switchboard-ivr/switchboard/flowtest"
)

// The demo's test file passes, and every menu of the demo is reached by one of its calls.
func TestTheDemoPassesItsOwnTests(t *testing.T) {
	rep := flowtest.Check(t, nil, "demo_test.yaml")
	for _, c := range rep.Coverage {
		if never := flowtest.Never(c.Menus); len(never) > 0 {
			t.Errorf("no call of demo_test.yaml reaches %v", never)
		}
	}
}

func TestDemoTestsIsDemoTestYAML(t *testing.T) {
	b, err := os.ReadFile("demo_test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != switchboard.DemoTests {
		t.Error("switchboard.DemoTests differs from demo_test.yaml")
	}
}
