package diagram_test

import (
	"fmt"
	"os"

	"github.com/switchboard-ivr/switchboard/diagram"
	"github.com/switchboard-ivr/switchboard/framework/flow"
)

func ExampleDiagram_Mermaid() {
	f, problems := flow.Parse("pin.yaml", []byte(`
version: 1
start: pin
menus:
  pin:
    sensitive: true
    gather:
      prompt: Enter your PIN.
      num_digits: 4
      options:
        "4711": {dial: "+15555550100"}
`), nil)
	if err := problems.Err(); err != nil {
		fmt.Println(err)
		return
	}
	c, _ := flow.Compile(f, nil)
	_ = diagram.New(f, c).Mermaid(os.Stdout)
	// Output:
	// flowchart TD
	//     call(("call")) --> n0
	//     n0["pin<br/>“Enter your PIN.”<br/>permission: view · sensitive"]
	//     n1(["dial +15555550100"])
	//     n2(["hangup"])
	//     n0 -->|"••••"| n1
	//     n0 -->|"invalid, no input"| n0
	//     n0 -->|"exhausted"| n2
}
