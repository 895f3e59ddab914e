// Command switchboard serves, checks and explores Switchboard phone menus.
package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	_ "time/tzdata" // business hours work on machines without a zoneinfo database
)

// A command is one subcommand. run returns the exit status: 0 success, 1 failure, 2 usage.
type command struct {
	name  string
	usage string
	run   func(args []string, stdout, stderr io.Writer) int
}

// commands lists every subcommand, in the order help shows them.
var commands = []command{
	{name: "signature", usage: "signature sign|verify --token T --url URL …", run: runSignature},
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] == "--version" || args[0] == "-version" {
		args = append([]string{"version"}, args[1:]...)
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "switchboard: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

// order is the order help lists the commands in: a newcomer's first hour, top to bottom.
var order = []string{"serve", "simulate", "test", "validate", "routes", "explain", "graph", "signature", "key", "version", "completion"}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: switchboard <command> [flags]\n\ncommands:")
	sorted := slices.Clone(commands)
	slices.SortStableFunc(sorted, func(a, b command) int { return rank(a.name) - rank(b.name) })
	for _, c := range sorted {
		fmt.Fprintf(w, "  %s\n", c.usage)
	}
}
