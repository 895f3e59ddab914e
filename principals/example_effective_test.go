package principals_test

import (
	"fmt"

	"github.com/switchboard-ivr/switchboard/principals"
)

func ExampleEffective() {
	fmt.Println(principals.Effective().Names())
	fmt.Println(principals.Effective("group:staff").Names())
	fmt.Println(principals.Effective("system.Everyone").Names()) // a system name vouches for nobody
	// Output:
	// [system.Everyone]
	// [group:staff system.Authenticated system.Everyone]
	// [system.Everyone]
}
