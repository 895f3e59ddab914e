package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/switchboard-ivr/switchboard/framework/pgpolicy"
	"github.com/switchboard-ivr/switchboard/principals"
)

func init() {
	commands = append(commands,
		command{name: "block", usage: "block +15551234567... --policy-db URL [--group group:blocked]", run: func(args []string, stdout, stderr io.Writer) int {
			return runBlock("block", args, stdout, stderr)
		}},
		command{name: "unblock", usage: "unblock +15551234567... --policy-db URL [--group group:blocked]", run: func(args []string, stdout, stderr io.Writer) int {
			return runBlock("unblock", args, stdout, stderr)
		}},
	)
}

const blockHelp = `usage: switchboard block   +15551234567... --policy-db URL [--group group:blocked] [--model FILE]
       switchboard unblock +15551234567... --policy-db URL [--group group:blocked] [--model FILE]

block puts caller numbers in the blocklist group of the policy in PostgreSQL (the line
"g, caller:+15551234567, group:blocked"), and unblock takes them out. Every replica started with
serve --policy-db applies it within a second: a blocked number hears the refusal on every menu.
block refuses when no deny line of the policy names the group, since the line would block
nothing; add one first, such as: switchboard policy add 'p, group:blocked, /ivr/*, *, deny'

flags:
  --policy-db URL  postgres://user[:password]@host[:port]/database [` + envPolicyDB + `]
  --group GROUP    the blocklist group (default group:blocked)
  --model FILE     the Casbin model changes are checked against [` + envModel + `]
  --flow FILE      the flow the replicas serve, to check the change with, as they will [` + envFlow + `]
`

func runBlock(name string, args []string, stdout, stderr io.Writer) int {
	flags, numbers := splitFlags(args)
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var db dbFlags
	db.register(fs, os.Getenv)
	group := fs.String("group", "group:blocked", "")
	if code, ok := parseFlags(fs, flags, blockHelp, stdout, stderr); !ok {
		return code
	}
	switch {
	case len(numbers) == 0:
		return usageError(stderr, name, blockHelp, "give at least one number, such as +15551234567")
	case db.url == "":
		return usageError(stderr, name, blockHelp, "--policy-db (or %s) is required", envPolicyDB)
	}
	var lines []pgpolicy.Rule
	for _, n := range numbers {
		if !principals.IsE164(n) {
			return usageError(stderr, name, blockHelp, "%q is not an E.164 number: + then 8 to 15 digits, not starting with 0, like +15551234567", n)
		}
		lines = append(lines, pgpolicy.Rule{Type: "g", Fields: []string{principals.Caller(n), *group}})
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "switchboard %s: %v\n", name, err)
		return 1
	}
	model, err := db.modelText()
	if err != nil {
		return fail(err)
	}
	store, ctx, cancel, err := db.open()
	if err != nil {
		return fail(err)
	}
	defer cancel()
	defer store.Close()
	c, err := store.Change(ctx, model, db.check(), func(rules []pgpolicy.Rule) ([]pgpolicy.Rule, error) {
		if name == "unblock" {
			return slices.DeleteFunc(rules, func(r pgpolicy.Rule) bool {
				return slices.ContainsFunc(lines, func(l pgpolicy.Rule) bool { return r.Text() == l.Text() })
			}), nil
		}
		if !slices.ContainsFunc(rules, func(r pgpolicy.Rule) bool { return r.Type == "p" && r.Fields[0] == *group && r.Fields[3] == "deny" }) {
			return nil, fmt.Errorf("%w %s, so blocking would change nothing; add one first: switchboard policy add 'p, %s, /ivr/*, *, deny'", errNoBlockRule, *group, *group)
		}
		return append(rules, lines...), nil
	})
	if err != nil {
		return fail(err)
	}
	printChange(stdout, c)
	return 0
}
