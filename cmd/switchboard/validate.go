package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/switchboard-ivr/switchboard/callbacks"
	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/framework/authz"
	"github.com/switchboard-ivr/switchboard/framework/flow"
	"github.com/switchboard-ivr/switchboard/internal/joined"
	"github.com/switchboard-ivr/switchboard/outbound"
)

func init() {
	commands = append(commands, command{
		name:  "validate",
		usage: "validate --flow FILE [--policy FILE] [--model FILE]",
		run:   runValidate,
	})
}

const validateUsage = `usage: switchboard validate --flow FILE [--policy FILE] [--model FILE]

validate checks a flow file, and the Casbin policy and model it will be served with, the way
"switchboard serve" would load them, and prints every problem as "file:line:col: path: message"
(a warning says "warning:"). The flow is checked against the policy: a permission no policy line
grants is a warning, since nobody could reach that menu. Without --policy and --model, the
built-in ones are used, as serve would.

With --policy, the policy is checked against the routes serve would answer (and those it mounts
when asked: /calls, /admin/console, /callbacks/…), and lines that do nothing or less than they
seem are warnings: a principal that no request can hold (a g line member without its namespace,
a caller that is not E.164), a route pattern that matches no route, a permission no route asks
for, a deny on /x/* that leaves the route /x itself allowed (the route is named), and a policy
that lets Twilio reach only some of the voice routes asking a permission (the others are listed).

Exit status: 0 when the files would load (warnings alone do not fail), 1 on any error, 2 on a
usage error. Problems go to stdout, one a line, so CI can annotate them.
`

// runValidate implements `switchboard validate`.
func runValidate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	flowFile := fs.String("flow", "", "flow `file` (YAML); required")
	policyFile := fs.String("policy", "", "Casbin policy `file`; the built-in policy.csv when empty")
	modelFile := fs.String("model", "", "Casbin model `file`; the built-in model.conf when empty")
	if code, ok := parseFlags(fs, args, validateUsage, stdout, stderr); !ok {
		return code
	}
	if *flowFile == "" {
		return usageError(stderr, "validate", validateUsage, "--flow is required")
	}

	errs, warnings := 0, 0
	az, err := loadAuthorizer(*modelFile, *policyFile)
	if err != nil {
		for _, e := range joined.Split(err) {
			fmt.Fprintln(stdout, e)
			errs++
		}
	}
	var fopts *flow.Options
	if az != nil {
		fopts = &flow.Options{Grants: az.Grants, Open: az.Open}
	}
	_, problems := loadFlow(*flowFile, fopts)
	for _, p := range problems {
		fmt.Fprintln(stdout, p.String())
		if p.Warning {
			warnings++
		} else {
			errs++
		}
	}
	routes := 0
	if errs == 0 {
		// The parts are sound on their own: build the App exactly as serve would, which also
		// compiles the flow and checks that the policy lets Twilio in at all.
		opts := fileOptions(*flowFile, *modelFile, *policyFile)
		opts.Logger = slog.New(slog.DiscardHandler)
		app, err := framework.New(&opts)
		if err != nil {
			for _, e := range joined.Split(err) {
				msg := e.Error()
				if !strings.HasPrefix(msg, *flowFile+":") {
					msg = *flowFile + ": " + msg
				}
				fmt.Fprintln(stdout, msg)
				errs++
			}
		} else {
			served := app.Routes()
			routes = len(served)
			if *policyFile != "" {
				for _, w := range app.Authorizer().Lint(append(lintRoutes(served), mountable...)) {
					fmt.Fprintln(stdout, lintLine(w))
					warnings++
				}
			}
		}
	}
	if errs > 0 {
		fmt.Fprintf(stdout, "FAIL: %s, %s\n", plural(errs, "error"), plural(warnings, "warning"))
		return 1
	}
	fmt.Fprintf(stdout, "ok: %s, %s\n", plural(routes, "route"), plural(warnings, "warning"))
	return 0
}

// fileOptions returns the App options that serve the named files, each left to the built-in
// default when its path is empty, as serve does.
func fileOptions(flowPath, modelPath, policyPath string) framework.Options {
	var o framework.Options
	if flowPath != "" {
		o.Flow = framework.File(flowPath)
	}
	if modelPath != "" {
		o.Model = framework.File(modelPath)
	}
	if policyPath != "" {
		o.Policy = framework.File(policyPath)
	}
	return o
}

// mountable are the routes serve adds when it is asked to, which validate's App does not serve:
// POST /calls (with TWILIO_ACCOUNT_SID), the console (--console) and the callbacks
// (--callbacks). The policy is linted against them too, so that the built-in policy's lines for
// them are not "lines that do nothing".
var mountable = []authz.Route{
	{Path: outbound.Path, Permission: outbound.Permission},
	{Path: consolePath, Permission: consolePermission},
	{Path: consolePath + "/*", Permission: consolePermission},
	{Path: "/callbacks/" + string(callbacks.Status), Permission: callbacks.Permission},
	{Path: "/callbacks/" + string(callbacks.Recording), Permission: callbacks.Permission},
	{Path: "/callbacks/" + string(callbacks.Transcription), Permission: callbacks.Permission},
}

// lintRoutes turns the routes an App serves into what the policy is linted against.
func lintRoutes(served []framework.RouteInfo) []authz.Route {
	out := make([]authz.Route, len(served))
	for i, r := range served {
		out[i] = authz.Route{Path: r.Path, Permission: r.Permission, Voice: r.Voice}
	}
	return out
}

// lintLine prints a policy warning as validate prints a flow's: "policy.csv:3: warning: …".
func lintLine(w *authz.Error) string {
	return fmt.Sprintf("%s: warning: %s", w.Origin, w.Problem)
}

// loadAuthorizer loads the model and policy files, each falling back to the built-in one when
// its path is empty, as the App does.
func loadAuthorizer(modelPath, policyPath string) (*authz.Authorizer, error) {
	o := fileOptions("", modelPath, policyPath)
	return framework.LoadAuthorizer(context.Background(), o.Model, o.Policy)
}

// loadFlow loads the flow file at path, or the built-in demo when path is empty, as the App does.
func loadFlow(path string, opts *flow.Options) (*flow.Flow, flow.Problems) {
	return framework.LoadFlow(context.Background(), fileOptions(path, "", "").Flow, opts)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
