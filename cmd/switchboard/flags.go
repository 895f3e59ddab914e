package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// parseFlags parses args into fs. It returns ok when the command should go on; otherwise the
// exit status: 0 after printing help to stdout for -h, 2 after a usage error on stderr.
func parseFlags(fs *flag.FlagSet, args []string, help string, stdout, stderr io.Writer) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, help)
			return 0, false
		}
		return usageError(stderr, fs.Name(), help, "%v", err), false
	}
	if fs.NArg() > 0 {
		return usageError(stderr, fs.Name(), help, "unexpected argument %q", fs.Arg(0)), false
	}
	return 0, true
}

// usageError prints "switchboard name: message" and the command's help to stderr, and returns 2.
func usageError(stderr io.Writer, name, help, format string, a ...any) int {
	fmt.Fprintf(stderr, "switchboard %s: %s\n\n%s", name, fmt.Sprintf(format, a...), help)
	return 2
}
