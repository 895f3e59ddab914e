// Command release calls exepages.Release, then runs code that reads what a dynamic loader
// relocates in a position-independent executable (interface method tables, type data, function
// values, strings), and prints what it computed. The test builds it with -buildmode=pie.
package main

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/switchboard-ivr/switchboard/internal/exepages"
)

type shape interface{ area() float64 }

type square struct{ side float64 }

func (s square) area() float64 { return s.side * s.side }

var (
	shapes = []shape{square{2}, square{3}}
	funcs  = map[string]func(string) string{"upper": strings.ToUpper, "title": strings.ToTitle}
)

func main() {
	n, err := exepages.Release()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	total := 0.0
	for _, s := range shapes {
		total += s.area()
	}
	keys := make([]string, 0, len(funcs))
	for k := range funcs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Printf("released=%t area=%g %s %v\n", n > 0, total, funcs["upper"]("ok"), keys)
}
