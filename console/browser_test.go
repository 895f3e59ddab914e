package console_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-ivr/switchboard"
	"github.com/switchboard-ivr/switchboard/console"
	"github.com/switchboard-ivr/switchboard/diagram"
	"github.com/switchboard-ivr/switchboard/framework/flow"
)

var screenshots = flag.String("screenshots", "testdata/output", "folder the browser test saves its screenshots in")

// laidOut is what the page's Graphviz drew: every node and edge group of the SVG.
const laidOut = `JSON.stringify({
	nodes: [...document.querySelectorAll('#diagram svg g.node')].map(g => {
		const b = g.getBBox();
		return {id: g.id, class: g.getAttribute('class'), texts: [...g.querySelectorAll('text')].map(t => t.textContent), box: [b.x, b.y, b.width, b.height]};
	}),
	edges: [...document.querySelectorAll('#diagram svg g.edge')].map(g => ({
		id: g.id, class: g.getAttribute('class'), title: g.querySelector('title').textContent,
		label: [...g.querySelectorAll('text')].map(t => t.textContent.trim()).join(' '),
		length: g.querySelector('path') ? g.querySelector('path').getTotalLength() : 0,
	})),
})`

// checkLayout reads the diagram Graphviz laid out in the browser and checks it against the
// demo's [diagram.Diagram]: a box per node, with its name first and its marks, no two boxes
// overlapping; an arrow per edge, between the right nodes, in its kind's class, with its label.
func checkLayout(t *testing.T, ctx context.Context) {
	t.Helper()
	f, problems := flow.Parse("demo.yaml", []byte(switchboard.DemoFlow), nil)
	if err := problems.Err(); err != nil {
		t.Fatal(err)
	}
	c, err := flow.Compile(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := diagram.New(f, c)
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](laidOut))
	if err != nil {
		t.Fatalf("read the diagram: %v", err)
	}
	type box struct {
		ID, Class string
		Texts     []string
		Box       [4]float64 // x, y, width, height
	}
	var page struct {
		Nodes []box
		Edges []struct {
			ID, Class, Title, Label string
			Length                  float64
		}
	}
	if err := json.Unmarshal([]byte(text), &page); err != nil {
		t.Fatalf("%v: %s", err, text)
	}
	nodes := map[string]box{}
	for _, n := range page.Nodes {
		nodes[n.ID] = n
	}
	if len(page.Nodes) != len(d.Nodes)+1 { // and the "call" dot
		t.Errorf("the page drew %d nodes, want %d and the call", len(page.Nodes), len(d.Nodes))
	}
	for _, n := range d.Nodes {
		got, ok := nodes[n.ID]
		if !ok {
			t.Errorf("node %s (%s) is not drawn", n.ID, n.Name)
			continue
		}
		if !strings.HasPrefix(got.Class, "node "+n.Kind.String()) || len(got.Texts) == 0 || got.Texts[0] != n.Name {
			t.Errorf("node %s: class %q, text %q; want class node %s, first text %q", n.ID, got.Class, got.Texts, n.Kind, n.Name)
		}
		if all := strings.Join(got.Texts, " "); n.Kind == diagram.Menu && !strings.Contains(all, n.Marks()) {
			t.Errorf("node %s (%s) lacks its marks %q: %q", n.ID, n.Name, n.Marks(), all)
		}
		if got.Box[2] < 10 || got.Box[3] < 10 {
			t.Errorf("node %s (%s) is drawn %gx%g", n.ID, n.Name, got.Box[2], got.Box[3])
		}
	}
	for i, a := range page.Nodes {
		for _, b := range page.Nodes[i+1:] {
			if a.Box[0] < b.Box[0]+b.Box[2] && b.Box[0] < a.Box[0]+a.Box[2] && a.Box[1] < b.Box[1]+b.Box[3] && b.Box[1] < a.Box[1]+a.Box[3] {
				t.Errorf("nodes %s %q and %s %q overlap: %v, %v", a.ID, a.Texts[0], b.ID, b.Texts[0], a.Box, b.Box)
			}
		}
	}
	if len(page.Edges) != len(d.Edges)+1 { // and call -> start
		t.Errorf("the page drew %d edges, want %d and the call's", len(page.Edges), len(d.Edges))
	}
	edges := map[string]int{}
	for i, e := range page.Edges {
		edges[e.ID] = i
	}
	for i, e := range d.Edges {
		j, ok := edges["e"+strconv.Itoa(i)]
		if !ok {
			t.Errorf("edge e%d (%s -> %s) is not drawn", i, e.From, e.To)
			continue
		}
		got := page.Edges[j]
		if got.Class != "edge edge-"+e.Kind.String() || got.Title != e.From+"->"+e.To || got.Label != e.Label || got.Length <= 0 {
			t.Errorf("edge e%d: class %q, %q, label %q, %g long; want edge edge-%s, %s->%s, label %q", i, got.Class, got.Title, got.Label, got.Length, e.Kind, e.From, e.To, e.Label)
		}
	}
}

// chromium returns the path of a Chromium or Chrome binary: $SWITCHBOARD_CHROMIUM, else the
// first of the usual names on $PATH, else "".
func chromium() string {
	if p := os.Getenv("SWITCHBOARD_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestTheConsoleInARealBrowser drives headless Chromium against the console on loopback: a
// call placed with the keypad, a menu's details, and a flow file that breaks and is fixed.
func TestTheConsoleInARealBrowser(t *testing.T) {
	bin := chromium()
	if bin == "" && os.Getenv("SWITCHBOARD_REQUIRE_BROWSER") != "" {
		t.Fatal("SWITCHBOARD_REQUIRE_BROWSER is set but no Chromium was found (apt-get install -y chromium, or set SWITCHBOARD_CHROMIUM)")
	}
	if bin == "" {
		t.Skip("no Chromium found: install Debian's chromium (apt-get install -y chromium) or set SWITCHBOARD_CHROMIUM to run the browser test")
	}
	if testing.Short() {
		t.Skip("the browser test is not short")
	}
	dir := t.TempDir()
	flowPath := filepath.Join(dir, "flow.yaml")
	replace(t, flowPath, switchboard.DemoFlow)
	c := newConsole(t, &console.Options{FlowFile: flowPath})
	wctx, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	go c.Watch(wctx, 50*time.Millisecond)
	srv := httptest.NewServer(console.Loopback(c)) // 127.0.0.1
	defer srv.Close()
	if err := os.MkdirAll(*screenshots, 0o755); err != nil {
		t.Fatal(err)
	}

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()

	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	eval := func(step, expr string) any {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[any](expr))
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		return v
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(*screenshots, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// until waits for a JavaScript expression to be true.
	until := func(step, expr string) {
		t.Helper()
		ok, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(15*time.Second)))
		if err != nil || !ok {
			dump, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#transcript').innerText + '\n---\n' + document.querySelector('#problems').innerText`))
			t.Fatalf("%s: %v (%s)\npage:\n%s", step, err, expr, dump)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}

	run("load the demo", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#diagram svg g.node")))
	checkLayout(t, ctx)

	// The keypad: 2 for support, then 1 for billing.
	run("press 2", chromedp.Click(chromedp.CSS(`button.key[data-key="2"]`)))
	until("the call waits at the support menu", `document.querySelector('#phone').dataset.state === 'waiting' && document.querySelector('#transcript').innerText.includes('GATHER pressed 2')`)
	run("press 1", chromedp.Click(chromedp.CSS(`button.key[data-key="1"]`)))
	until("the transcript ends with the billing dial", `(() => { const l = [...document.querySelectorAll('#transcript li:not(.end)')]; return l.length > 0 && l[l.length-1].textContent === 'DIAL +15555550112' })()`)
	current := eval("read the highlighted node", `[...document.querySelectorAll('#diagram g.node.current text')].map(t => t.textContent).join(' ')`)
	if current != "dial +15555550112" {
		t.Errorf("the highlighted node says %q, want the billing dial, dial +15555550112", current)
	}
	if visited := eval("count the path", `document.querySelectorAll('#diagram g.node.visited').length`); visited != 3.0 {
		t.Errorf("%v nodes lit as visited, want 3 (welcome, support, the billing dial)", visited)
	}

	// The staff menu's details: its permission and the policy lines.
	staff, _ := eval("find the staff node", `[...document.querySelectorAll('#diagram g.node')].find(g => g.querySelector('text').textContent === 'staff').id`).(string)
	run("click the staff node", chromedp.Click(chromedp.CSS("#"+staff)), chromedp.WaitVisible(chromedp.CSS(`#details .marks`)))
	details := text("#details")
	for _, want := range []string{"permission: staff", "sensitive: digits masked", "p, pin:staff, /ivr/*, staff, allow", "p, group:blocked, /ivr/*, *, deny", "/ivr/staff/gather"} {
		if !strings.Contains(details, want) {
			t.Errorf("the staff menu's details lack %q:\n%s", want, details)
		}
	}
	if strings.Contains(details, "0101") {
		t.Error("the staff menu's details show an extension")
	}
	shot("console.png")

	// Break the flow file: the problem with its position, and the last good diagram.
	replace(t, flowPath, strings.Replace(switchboard.DemoFlow, `"2": support`, `"2": nowhere`, 1))
	until("the problem shows", `document.querySelector('#problems').innerText.includes('flow.yaml:40:14')`)
	problems := text("#problems")
	if !strings.Contains(problems, `no menu is named "nowhere"`) {
		t.Errorf("the problems say:\n%s", problems)
	}
	if nodes := eval("count the nodes kept", `document.querySelectorAll('#diagram svg g.node').length`).(float64); nodes < 10 {
		t.Errorf("the broken file left %v nodes on the page; want the last good diagram", nodes)
	}
	shot("console-broken.png")

	// Fix it: the problems go, the diagram stays.
	replace(t, flowPath, switchboard.DemoFlow)
	until("the problems go", `document.querySelector('#status').classList.contains('ok') && !document.querySelector('#problems .errors') && document.querySelectorAll('#diagram svg g.node').length > 10`)
	checkLayout(t, ctx) // laid out afresh from the DOT that came with the fix

	// A phone-width window: the same page, one column.
	run("phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#diagram svg g.node")))
	columns, _ := eval("read the layout", `getComputedStyle(document.querySelector('.layout')).gridTemplateColumns`).(string)
	if strings.Count(strings.TrimSpace(columns), " ") != 0 {
		t.Errorf("at phone width the layout has columns %q, want one", columns)
	}
	if overflow := eval("check the width", `document.documentElement.scrollWidth > window.innerWidth + 1`); overflow == true {
		t.Error("at phone width the page scrolls sideways")
	}
	run("press 2 at phone width", chromedp.Click(chromedp.CSS(`button.key[data-key="2"]`)))
	until("the call waits at the support menu", `document.querySelector('#phone').dataset.state === 'waiting' && document.querySelectorAll('#diagram g.node.visited').length === 2`)
	shot("console-phone.png")
	if err := ctx.Err(); errors.Is(err, context.DeadlineExceeded) {
		t.Fatal(fmt.Errorf("the browser test ran out of time: %w", err))
	}
}
