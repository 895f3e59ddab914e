package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/framework/authz"
	"github.com/switchboard-ivr/switchboard/principals"
)

func init() {
	commands = append(commands, command{
		name:  "explain",
		usage: "explain --principal P [--principal P]... --route ROUTE [--permission PERM] [--policy FILE|--policy-db URL] [--model FILE] [--flow FILE]",
		run:   runExplain,
	})
}

const explainUsage = `usage: switchboard explain --principal P [--principal P]... --route ROUTE [--permission PERM]
                           [--policy FILE | --policy-db URL] [--model FILE] [--flow FILE]

explain decides one request the way the server would and prints the decision, the groups the
principals reach through g lines, and every policy line that matches, with the principal or
group it matched through. A deny line wins over any allow line.

  --principal   a principal of the request: twilio, caller:+15555550199, account:AC…, key:NAME,
                group:NAME; repeat it. system.Everyone is always added, as the server does, and
                system.Authenticated too once any other principal is given.
  --route       the route pattern, such as /ivr/welcome (a query is ignored)
  --permission  the permission asked for; by default the one the flow's route asks for
                (--flow, or the built-in demo)

Exit status: 0 when the request is allowed, 1 when it is denied, 2 on a usage error or when the
files do not load.
`

// runExplain implements `switchboard explain`.
func runExplain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var given listFlag
	fs.Var(&given, "principal", "a principal of the request; repeatable")
	route := fs.String("route", "", "route pattern, such as /ivr/welcome")
	permission := fs.String("permission", "", "permission asked for; the flow route's by default")
	flowFile := fs.String("flow", "", "flow `file` that --permission defaults from; the built-in demo when empty")
	policyFile := fs.String("policy", "", "Casbin policy `file`; the built-in policy.csv when empty")
	modelFile := fs.String("model", "", "Casbin model `file`; the built-in model.conf when empty")
	policyDB := fs.String("policy-db", "", "postgres:// `URL` of the policy replicas share, instead of --policy")
	if code, ok := parseFlags(fs, args, explainUsage, stdout, stderr); !ok {
		return code
	}
	*route, _, _ = strings.Cut(*route, "?")
	switch {
	case len(given) == 0:
		return usageError(stderr, "explain", explainUsage, "--principal is required")
	case *route == "":
		return usageError(stderr, "explain", explainUsage, "--route is required")
	}
	for _, p := range given {
		if err := authz.CheckPrincipal(p); err != nil {
			return usageError(stderr, "explain", explainUsage, "--principal %s: %v", p, err)
		}
	}
	opts, err := lookOptions(*flowFile, *modelFile, *policyFile, *policyDB)
	if err != nil {
		fmt.Fprintf(stderr, "switchboard explain: %v\n", err)
		return 2
	}
	az, err := framework.LoadAuthorizer(context.Background(), opts.Model, opts.Policy)
	if err != nil {
		fmt.Fprintf(stderr, "switchboard explain: %v\n", err)
		return 2
	}
	if *permission == "" {
		app, err := framework.New(&opts)
		if err != nil {
			fmt.Fprintf(stderr, "switchboard explain: %v\n", err)
			return 2
		}
		for _, r := range app.Routes() {
			if r.Path == *route {
				*permission = r.Permission
				break
			}
		}
		if *permission == "" {
			return usageError(stderr, "explain", explainUsage, "the flow has no route %s: give --permission", *route)
		}
	}
	x := az.Explain(principals.Effective(given...).Names(), *route, *permission)
	fmt.Fprintf(stdout, "request: %s on %s by %s\n", *permission, *route, strings.Join(x.Principals, ", "))
	fmt.Fprint(stdout, x.String())
	if x.Decision.Err != nil {
		fmt.Fprintf(stderr, "switchboard explain: %v\n", x.Decision.Err)
	}
	if !x.Decision.Allowed {
		return 1
	}
	return 0
}
