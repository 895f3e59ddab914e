package main

import (
	"bufio"
	"crypto/rand"
	"fmt"
	"io"
	"math/big"
	"os"
	"strings"

	"github.com/switchboard-ivr/switchboard/pin"
)

const pinKeyHelp = `usage: switchboard key --pin --name SECRET [--digits N | --stdin]

Makes the line for a PIN secrets file (serve --pins FILE): the secret's name and the bcrypt hash
of its PIN. Without --stdin it makes a random PIN of --digits digits and prints it once; with
--stdin it reads the PIN from the first line of standard input, so that it never appears in a
command line or a shell history. A flow's pin node names the secret (secret: SECRET).

flags:
  --name SECRET   the secret's name (letters, digits and ".-_")
  --digits N      the length of a random PIN, 4 to 12; default 6
  --stdin         read the PIN from standard input instead
`

// pinStdin is where `key --pin --stdin` reads the PIN; tests replace it.
var pinStdin io.Reader = os.Stdin

// runPINKey makes a PIN and its secrets-file line. name and args are what runKey parsed.
func runPINKey(name string, digits int, fromStdin bool, stdout, stderr io.Writer) int {
	if !pin.ValidName(name) {
		return usageError(stderr, "key", pinKeyHelp, "--name %q: a secret's name is 1 to 64 letters, digits and .-_", name)
	}
	var code string
	if fromStdin {
		line, err := bufio.NewReader(pinStdin).ReadString('\n')
		if err != nil && err != io.EOF {
			fmt.Fprintln(stderr, "switchboard key:", err)
			return 1
		}
		code = strings.TrimSpace(line)
	} else {
		if digits < pin.MinLength || digits > pin.MaxLength {
			return usageError(stderr, "key", pinKeyHelp, "--digits %d: a PIN is %d to %d digits", digits, pin.MinLength, pin.MaxLength)
		}
		var b strings.Builder
		for range digits {
			d, err := rand.Int(rand.Reader, big.NewInt(10))
			if err != nil {
				fmt.Fprintln(stderr, "switchboard key:", err)
				return 1
			}
			b.WriteByte(byte('0' + d.Int64()))
		}
		code = b.String()
	}
	h, err := pin.Hash(code)
	if err != nil {
		fmt.Fprintln(stderr, "switchboard key:", err)
		return 2
	}
	if !fromStdin {
		fmt.Fprintf(stdout, "pin:  %s\n", code)
	}
	fmt.Fprintf(stdout, "line: %s  %s\n", name, h)
	return 0
}
