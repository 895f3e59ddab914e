package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"

	"github.com/switchboard-ivr/switchboard"
	"github.com/switchboard-ivr/switchboard/flowtest"
	"github.com/switchboard-ivr/switchboard/framework"
	"github.com/switchboard-ivr/switchboard/framework/flow"
)

func init() {
	commands = append(commands, command{
		name:  "test",
		usage: "test [FILE|DIR]... [--demo] [--junit FILE] [--cover] [--parallel N]",
		run:   runTest,
	})
}

const testUsage = `usage: switchboard test [FILE|DIR]... [--demo] [--junit FILE] [--cover] [--parallel N]

test places the calls of flow test files in this process and checks what each hears and does.
A directory stands for its *_test.yaml files; with no argument, those of the current directory.
It prints one line per call, "ok" or "FAIL" with the first unmet expectation and the events
around it, then a summary. The file format is in the README ("Testing a flow").

  --demo         run the built-in demo's own tests (demo_test.yaml) against the built-in demo
  --junit FILE   also write the results as JUnit XML, for CI systems
  --cover        print which menus, options and error flows the calls reached, and which never
  --parallel N   calls placed at once (default the number of CPUs)

Exit status: 0 when every call met its expectations; 1 when one did not, or a file or its flow
did not load; 2 on a usage error.
`

func runTest(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	junit := fs.String("junit", "", "JUnit XML `file` to write")
	cover := fs.Bool("cover", false, "print coverage")
	parallel := fs.Int("parallel", 0, "calls at once")
	demo := fs.Bool("demo", false, "run the built-in demo's tests")
	// Flags may come after the files, as in "switchboard test demo_test.yaml --cover".
	var paths []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, testUsage)
				return 0
			}
			return usageError(stderr, "test", testUsage, "%v", err)
		}
		if fs.NArg() == 0 {
			break
		}
		paths, rest = append(paths, fs.Arg(0)), fs.Args()[1:]
	}
	if *parallel < 0 {
		return usageError(stderr, "test", testUsage, "--parallel must not be negative")
	}
	var files []*flowtest.File
	opts := &flowtest.Options{Parallel: *parallel}
	if *demo {
		f, demoFlow, err := demoTests()
		if err != nil {
			fmt.Fprintf(stderr, "switchboard test: %v\n", err)
			return 1
		}
		files, opts.Flow, opts.FlowName = append(files, f), demoFlow, "the built-in demo flow"
		opts.PINs = framework.DemoPINs()
	}
	if len(paths) == 0 && !*demo {
		paths = []string{"."}
	}
	names, err := testFiles(paths)
	if err != nil {
		fmt.Fprintf(stderr, "switchboard test: %v\n", err)
		return 1
	}
	var loadErrs []error
	broken := &flowtest.Report{}
	for _, n := range names {
		f, err := flowtest.Load(n)
		if err != nil {
			loadErrs = append(loadErrs, err)
			broken.Errors = append(broken.Errors, &flowtest.FileError{File: &flowtest.File{Path: n}, Err: err})
			continue
		}
		files = append(files, f)
	}
	if len(loadErrs) > 0 {
		// A mistake in a test file is the user's to fix before anything runs. The JUnit file
		// still says so, for a CI system that reads only it.
		fmt.Fprintln(stderr, errors.Join(loadErrs...))
		if *junit != "" {
			if err := writeJUnit(*junit, broken); err != nil {
				fmt.Fprintf(stderr, "switchboard test: %v\n", err)
			}
		}
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep := flowtest.Run(ctx, files, opts)
	if err := rep.WriteText(stdout); err != nil {
		fmt.Fprintf(stderr, "switchboard test: %v\n", err)
		return 1
	}
	if *cover {
		_ = rep.WriteCoverage(stdout)
	}
	if *junit != "" {
		if err := writeJUnit(*junit, rep); err != nil {
			fmt.Fprintf(stderr, "switchboard test: %v\n", err)
			return 1
		}
	}
	if rep.Failed() > 0 {
		return 1
	}
	return 0
}

// demoTests returns the built-in demo's test file, set to test the built-in demo flow (which it
// returns) under the built-in policy, whatever files are on disk.
func demoTests() (*flowtest.File, *flow.Flow, error) {
	f, err := flowtest.Parse("demo_test.yaml", []byte(switchboard.DemoTests))
	if err != nil {
		return nil, nil, err
	}
	demoFlow, problems := flow.Parse("demo.yaml", []byte(switchboard.DemoFlow), nil)
	if err := problems.Err(); err != nil {
		return nil, nil, err
	}
	f.Flow, f.Policy, f.Model, f.PINs = "", "", "", ""
	return f, demoFlow, nil
}

// testFiles expands paths: a file stays, a directory becomes its *_test.yaml and *_test.yml
// files, sorted. A directory with none is an error, so that a CI job never passes by testing
// nothing.
func testFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			out = append(out, p)
			continue
		}
		var found []string
		for _, pat := range []string{"*_test.yaml", "*_test.yml"} {
			m, err := filepath.Glob(filepath.Join(p, pat))
			if err != nil {
				return nil, err
			}
			found = append(found, m...)
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s holds no test file (*_test.yaml)", p)
		}
		slices.Sort(found)
		out = append(out, found...)
	}
	return out, nil
}

// writeJUnit writes the report to path, replacing it whole: a half-written report would be read
// as a result.
func writeJUnit(path string, rep *flowtest.Report) error {
	var b strings.Builder
	if err := rep.WriteJUnit(&b); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
