package flow

import (
	"slices"
	"testing"
)

func TestCompiledTellsOutboundCallsWhereTheyMayEnterAndWhatTheyMayDial(t *testing.T) {
	c := compileText(t, "flow.yaml", `version: 1
start: welcome
entries: [reminder]
dial_allow: ["+1555"]
callbacks: {status: true}
menus:
  welcome: {say: Hello., goto: inner}
  inner: {say: Inside., hangup: true}
  reminder: {say: A reminder., hangup: true}
`)
	if got := c.Entries(); !slices.Equal(got, []string{"welcome", "reminder"}) {
		t.Errorf("Entries() = %q, want start then entries", got)
	}
	if err := c.DialAllow().Check("+15555550142"); err != nil {
		t.Errorf("a number under dial_allow: %v", err)
	}
	if err := c.DialAllow().Check("+447700900123"); err == nil {
		t.Error("a number outside dial_allow was allowed")
	}
	if cb := c.Callbacks(); !cb.Status || cb.Recording {
		t.Errorf("Callbacks() = %+v for callbacks: {status: true}", cb)
	}
}
