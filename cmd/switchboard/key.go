package main

import (
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/switchboard-ivr/switchboard/principals"
)

func init() {
	commands = append(commands, command{
		name:  "key",
		usage: "key --name NAME [--group GROUP]... | key --pin --name SECRET [--digits N | --stdin]",
		run:   runKey,
	})
}

const keyHelp = `usage: switchboard key --name NAME [--group GROUP]...
       switchboard key --pin --name SECRET [--digits N | --stdin]

Makes a new operator API key: 32 random bytes in hex. Prints the key (give it to the operator,
who sends it as "Authorization: Bearer <key>"; it is shown only now) and the line to append to
the keys file, which stores only the key's SHA-256. The key yields the principals key:NAME and
group:GROUP for each --group.

flags:
  --name NAME     the key's name (letters, digits and ".-_@")
  --group GROUP   a group the key belongs to, such as operators or monitoring; repeatable
  --pin           make a PIN and its line for the PIN secrets file instead (see key --pin -h)
  --digits N      with --pin: the length of a random PIN, 4 to 12; default 6
  --stdin         with --pin: read the PIN from standard input
`

func runKey(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("key", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	name := fs.String("name", "", "")
	var groups multiFlag
	fs.Var(&groups, "group", "")
	pinMode := fs.Bool("pin", false, "")
	digits := fs.Int("digits", 6, "")
	fromStdin := fs.Bool("stdin", false, "")
	if code, ok := parseFlags(fs, args, keyHelp, stdout, stderr); !ok {
		return code
	}
	if *pinMode {
		return runPINKey(*name, *digits, *fromStdin, stdout, stderr)
	}
	if *name == "" {
		return usageError(stderr, "key", keyHelp, "--name is required")
	}
	// Say what is wrong with a name itself, before it is written into a line whose fields a
	// space would shift.
	if err := principals.CheckName(*name); err != nil {
		return usageError(stderr, "key", keyHelp, "--name %q %v", *name, err)
	}
	for _, g := range groups {
		if err := principals.CheckName(g); err != nil {
			return usageError(stderr, "key", keyHelp, "--group %q %v (repeat --group for each group)", g, err)
		}
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		fmt.Fprintln(stderr, "switchboard key:", err)
		return 1
	}
	key := hex.EncodeToString(b)
	line := *name + "  " + principals.HashAPIKey(key)
	if len(groups) > 0 {
		line += "  " + strings.Join(groups, ",")
	}
	// Check the line the way the server will read it, so a bad name fails here and not at start-up.
	if _, err := principals.ParseAPIKeys("--name/--group", strings.NewReader(line+"\n")); err != nil {
		fmt.Fprintln(stderr, "switchboard key:", err)
		return 2
	}
	fmt.Fprintf(stdout, "key:  %s\nline: %s\n", key, line)
	return 0
}
