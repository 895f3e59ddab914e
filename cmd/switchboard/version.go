package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/switchboard-ivr/switchboard/internal/buildinfo"
)

func init() {
	commands = append(commands, command{name: "version", usage: "version   (also --version)", run: runVersion})
}

const versionUsage = `usage: switchboard version
       switchboard --version

version prints the build: the module version (a tag such as v1.2.0 when installed with
"go install …@version", "(devel)" when built from a clone), the commit it was built from, and the
Go version that built it. serve logs the same at start-up, and /readyz answers with the version.
`

func runVersion(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if code, ok := parseFlags(fs, args, versionUsage, stdout, stderr); !ok {
		return code
	}
	fmt.Fprintln(stdout, buildinfo.Read())
	return 0
}
