package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/framework/authz"
	"github.com/switchboard-ivr/switchboard/framework/pgpolicy"
	"github.com/switchboard-ivr/switchboard/sandbox"
)

func init() {
	commands = append(commands, command{
		name:  "policy",
		usage: "policy import FILE|export|list|add RULE...|remove ID|RULE... --policy-db URL [--model FILE] [--flow FILE]",
		run:   runPolicy,
	})
}

const envPolicyDB = "SWITCHBOARD_POLICY_DB"

const policyHelp = `usage: switchboard policy import FILE      --policy-db URL [--model FILE] [--flow FILE]
       switchboard policy export           --policy-db URL
       switchboard policy list             --policy-db URL
       switchboard policy add RULE...      --policy-db URL [--model FILE] [--flow FILE]
       switchboard policy remove ID|RULE... --policy-db URL [--model FILE] [--flow FILE]

policy manages the authorization policy that replicas started with serve --policy-db share, in
PostgreSQL. Every change is checked as a whole policy against the model before it is committed
(a typo never reaches a replica), and every replica applies it within a second.

  import FILE   make the policy exactly FILE's lines (a policy.csv; "-" reads stdin)
  export        print the policy as a policy file, which import takes back
  list          print every rule with its id, the id decisions and logs name it by
  add RULE      add rules, each one policy line: 'g, caller:+15555550199, group:blocked'
  remove X      remove rules, each given by its id (or the first 6 or more characters of it)
                or its text

flags:
  --policy-db URL  postgres://user[:password]@host[:port]/database [` + envPolicyDB + `]
  --model FILE     the Casbin model changes are checked against; the built-in model.conf when
                   empty [` + envModel + `]
  --flow FILE      the flow the replicas serve: a change is also checked by loading it with the
                   flow, as a replica will (one that refuses every menu to Twilio is refused here,
                   rather than by every replica) [` + envFlow + `]

Exit status: 0 on success, 1 when the change is refused or the database fails, 2 on a usage error.
`

// dbFlags are the flags every command that reaches the policy database takes.
type dbFlags struct {
	url, model, flow string
}

func (d *dbFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&d.url, "policy-db", getenv(envPolicyDB), "")
	fs.StringVar(&d.model, "model", getenv(envModel), "")
	fs.StringVar(&d.flow, "flow", getenv(envFlow), "")
}

// check returns what a new policy must pass besides the model: with --flow, loading with the
// flow exactly as a replica does (a policy that refuses every menu to Twilio is refused here,
// not by every replica at once).
func (d *dbFlags) check() pgpolicy.Check {
	if d.flow == "" {
		return nil
	}
	return func(p authz.Policy) error {
		opts := fileOptions(d.flow, d.model, "")
		opts.Policy = policyValue{p}
		opts.Logger = slog.New(slog.DiscardHandler)
		_, err := framework.New(&opts)
		return err
	}
}

// policyValue is a policy already read, as a source.
type policyValue struct{ p authz.Policy }

func (v policyValue) String() string { return v.p.Name }

func (v policyValue) LoadPolicy(context.Context) (authz.Policy, error) { return v.p, nil }

// modelText returns the model changes are validated against.
func (d *dbFlags) modelText() (string, error) {
	src := framework.DefaultModel()
	if d.model != "" {
		src = framework.File(d.model)
	}
	return src.LoadModel(context.Background())
}

// open connects to the policy database, within 10 s.
func (d *dbFlags) open() (*pgpolicy.Store, context.Context, context.CancelFunc, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	s, err := pgpolicy.Open(ctx, d.url)
	if err != nil {
		cancel()
		return nil, nil, nil, err
	}
	return s, ctx, cancel, nil
}

// splitFlags separates the flags of args from its operands, so that operands may come first
// ("policy add RULE --policy-db URL"), as the usage shows them.
func splitFlags(args []string) (flags, operands []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return flags, append(operands, args[i+1:]...)
		case strings.HasPrefix(a, "-") && a != "-":
			flags = append(flags, a)
			if !strings.Contains(a, "=") && i+1 < len(args) && a != "-h" && a != "--help" && a != "-help" {
				flags = append(flags, args[i+1])
				i++
			}
		default:
			operands = append(operands, a)
		}
	}
	return flags, operands
}

func runPolicy(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return usageError(stderr, "policy", policyHelp, "a subcommand is required")
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, policyHelp)
		return 0
	}
	sub, rest := args[0], args[1:]
	flags, operands := splitFlags(rest)
	fs := flag.NewFlagSet("policy", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var db dbFlags
	db.register(fs, os.Getenv)
	if code, ok := parseFlags(fs, flags, policyHelp, stdout, stderr); !ok {
		return code
	}
	switch sub {
	case "import":
		if len(operands) != 1 {
			return usageError(stderr, "policy", policyHelp, "import takes one FILE")
		}
	case "export", "list":
		if len(operands) != 0 {
			return usageError(stderr, "policy", policyHelp, "%s takes no operand, got %q", sub, operands[0])
		}
	case "add", "remove":
		if len(operands) == 0 {
			return usageError(stderr, "policy", policyHelp, "%s takes at least one rule", sub)
		}
	default:
		return usageError(stderr, "policy", policyHelp, "unknown subcommand %q", sub)
	}
	if db.url == "" {
		return usageError(stderr, "policy", policyHelp, "--policy-db (or %s) is required", envPolicyDB)
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "switchboard policy %s: %v\n", sub, err)
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

	switch sub {
	case "export", "list":
		snap, err := store.Load(ctx)
		if err != nil {
			return fail(err)
		}
		if sub == "export" {
			fmt.Fprintf(stdout, "# the policy in %s, version %d, changed %s\n%s", store, snap.Version, snap.ChangedAt.UTC().Format(time.RFC3339), pgpolicy.Text(snap.Rules))
			return 0
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tRULE")
		for _, r := range snap.Rules {
			fmt.Fprintf(tw, "%s\t%s\n", r.ID, r.Text())
		}
		tw.Flush()
		fmt.Fprintf(stdout, "%d rules, version %d\n", len(snap.Rules), snap.Version)
		return 0
	case "import":
		rules, err := readPolicyFile(operands[0], model)
		if err != nil {
			return fail(err)
		}
		return report(stdout, stderr, sub, store, ctx, model, db.check(), func([]pgpolicy.Rule) ([]pgpolicy.Rule, error) { return rules, nil })
	case "add":
		var add []pgpolicy.Rule
		for _, o := range operands {
			r, err := pgpolicy.ParseRule(o)
			if err != nil {
				return fail(err)
			}
			add = append(add, r)
		}
		return report(stdout, stderr, sub, store, ctx, model, db.check(), func(rules []pgpolicy.Rule) ([]pgpolicy.Rule, error) {
			return append(rules, add...), nil
		})
	default: // remove
		return report(stdout, stderr, sub, store, ctx, model, db.check(), func(rules []pgpolicy.Rule) ([]pgpolicy.Rule, error) {
			for _, o := range operands {
				found := pgpolicy.Find(rules, o)
				switch {
				case len(found) == 0:
					return nil, fmt.Errorf("no rule is %q (give an id from `switchboard policy list`, 6 characters or more, or the rule's text)", o)
				case len(found) > 1:
					return nil, fmt.Errorf("%q names %d rules; give more of the id", o, len(found))
				}
				rules = slices.DeleteFunc(rules, func(r pgpolicy.Rule) bool { return r.ID == found[0].ID })
			}
			return rules, nil
		})
	}
}

// readPolicyFile reads and checks a policy file; its problems name the file and line.
func readPolicyFile(path, model string) ([]pgpolicy.Rule, error) {
	var b []byte
	var err error
	if path == "-" {
		b, err = io.ReadAll(io.LimitReader(os.Stdin, 64<<20))
		path = "stdin"
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	if _, err := authz.New(model, string(b), &authz.Options{PolicyName: path}); err != nil {
		return nil, fmt.Errorf("nothing was imported:\n%w", err)
	}
	var rules []pgpolicy.Rule
	for line := range strings.Lines(string(b)) {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		r, err := pgpolicy.ParseRule(t)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// report applies a change and prints what it did.
func report(stdout, stderr io.Writer, sub string, store *pgpolicy.Store, ctx context.Context, model string, check pgpolicy.Check, edit func([]pgpolicy.Rule) ([]pgpolicy.Rule, error)) int {
	c, err := store.Change(ctx, model, check, edit)
	if err != nil {
		fmt.Fprintf(stderr, "switchboard policy %s: %v\n", sub, err)
		return 1
	}
	printChange(stdout, c)
	return 0
}

func printChange(w io.Writer, c pgpolicy.Change) {
	for _, r := range c.Added {
		fmt.Fprintf(w, "added   %s  %s\n", r.ID, r.Text())
	}
	for _, r := range c.Removed {
		fmt.Fprintf(w, "removed %s  %s\n", r.ID, r.Text())
	}
	if len(c.Added) == 0 && len(c.Removed) == 0 {
		fmt.Fprintf(w, "no change; the policy is at version %d\n", c.Version)
		return
	}
	fmt.Fprintf(w, "policy version %d: every replica applies it within a second\n", c.Version)
}

var errNoBlockRule = errors.New("no deny line names the group")

// readPolicyDB reads the policy in the database at url once, for the commands that look at a
// policy (explain, routes) rather than change it.
func readPolicyDB(url string) (framework.PolicySource, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	store, err := pgpolicy.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	snap, err := store.Load(ctx)
	if err != nil {
		return nil, err
	}
	return policyValue{snap.Policy(pgpolicy.SourceName)}, nil
}

// lookOptions are the options of a command that looks at a flow and a policy: the files, or,
// with policyDB, the policy in that database (never both).
func lookOptions(flowFile, modelFile, policyFile, policyDB string) (framework.Options, error) {
	opts := fileOptions(flowFile, modelFile, policyFile)
	opts.Logger = slog.New(slog.DiscardHandler)
	// Looking calls no backend: a backend URL from an unset ${NAME} loads, as in a sandbox.
	opts.Env = sandbox.Getenv
	if policyDB == "" {
		return opts, nil
	}
	if policyFile != "" {
		return opts, errors.New("--policy and --policy-db are both set: the policy comes from one place")
	}
	src, err := readPolicyDB(policyDB)
	opts.Policy = src
	return opts, err
}
