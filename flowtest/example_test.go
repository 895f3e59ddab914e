package flowtest_test

import (
	"context"
	"os"

	"github.com/switchboard-ivr/switchboard/flowtest"
)

func ExampleRun() {
	f, err := flowtest.Parse("testdata/example_test.yaml", []byte(`
flow: shop.yaml
policy: shop.csv
at: "2026-11-23T10:00:00-05:00"
calls:
  - name: orders by voice
    say: [I have a question about my order]
    expect: [{say: Please hold.}, {enqueue: orders}]
  - name: the VIP line is for VIPs
    press: ["3"]
    expect: [{say: Hello}]
`))
	if err != nil {
		panic(err)
	}
	rep := flowtest.Run(context.Background(), []*flowtest.File{f}, nil)
	_ = rep.WriteText(os.Stdout)
	_ = rep.WriteCoverage(os.Stdout)
	// Output:
	// ok   testdata/example_test.yaml:6: orders by voice
	// FAIL testdata/example_test.yaml:11:15: the VIP line is for VIPs: say: "Hello": no SAY containing "Hello" in the call; the nearest is event 1
	//     > 1  SAY Welcome to the shop.
	//       2  SAY For orders, press 1 or say orders. For the shop floor, press 2.
	//       3  GATHER pressed 3
	//       4  REDIRECT /ivr/vip
	//       5  SAY Not for you.
	//       6  HANGUP
	//       (the call ended: hung up)
	// FAIL: 1 of 2 calls in 1 file failed
	// coverage of testdata/shop.yaml: 2 of 3 menus, 2 of 3 options, 1 of 1 error flows
	//     menus never reached: vip
	//     options never chosen: welcome 2
}
