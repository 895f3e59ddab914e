package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/switchboard-ivr/switchboard/framework"
)

func init() {
	commands = append(commands, command{
		name:  "routes",
		usage: "routes [--flow FILE] [--policy FILE | --policy-db URL] [--model FILE]",
		run:   runRoutes,
	})
}

const routesUsage = `usage: switchboard routes [--flow FILE] [--policy FILE | --policy-db URL] [--model FILE]

routes prints every route the server would answer: its path, methods, the permission it asks
for, and the subjects (principals and groups) whose policy lines allow or deny that permission
there. A request is let through when one of its principals reaches an allowing subject and none
reaches a denying one. With no flags it shows the built-in demo under the built-in policy.

Exit status: 0, or 1 when the files do not load (see "switchboard validate").
`

// runRoutes implements `switchboard routes`.
func runRoutes(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("routes", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	flowFile := fs.String("flow", "", "flow `file`; the built-in demo when empty")
	policyFile := fs.String("policy", "", "Casbin policy `file`; the built-in policy.csv when empty")
	modelFile := fs.String("model", "", "Casbin model `file`; the built-in model.conf when empty")
	policyDB := fs.String("policy-db", "", "postgres:// `URL` of the policy replicas share, instead of --policy")
	if code, ok := parseFlags(fs, args, routesUsage, stdout, stderr); !ok {
		return code
	}
	opts, err := lookOptions(*flowFile, *modelFile, *policyFile, *policyDB)
	if err != nil {
		fmt.Fprintf(stderr, "switchboard routes: %v\n", err)
		return 1
	}
	app, err := framework.New(&opts)
	if err != nil {
		fmt.Fprintf(stderr, "switchboard routes: %v\n", err)
		return 1
	}
	writeRoutes(stdout, app.Routes())
	return 0
}

// writeRoutes prints routes as an aligned table.
func writeRoutes(w io.Writer, routes []framework.RouteInfo) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ROUTE\tMETHOD\tPERMISSION\tALLOWED\tDENIED")
	for _, r := range routes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Path, r.Method, r.Permission, list(r.Allow), list(r.Deny))
	}
	tw.Flush()
}

// list joins names with ", ", or says "-" for none.
func list(names []string) string {
	if len(names) == 0 {
		return "-"
	}
	return strings.Join(names, ", ")
}
