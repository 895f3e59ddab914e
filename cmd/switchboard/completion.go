package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

func init() {
	commands = append(commands, command{name: "completion", usage: "completion bash|zsh|fish", run: runCompletion})
}

const completionUsage = `usage: switchboard completion bash|zsh|fish

completion prints a script that completes switchboard's commands, their subcommands and flags,
and file names, in your shell:

  bash   source <(switchboard completion bash)            # in ~/.bashrc
  zsh    switchboard completion zsh > "${fpath[1]}/_switchboard"   # then restart zsh
  fish   switchboard completion fish > ~/.config/fish/completions/switchboard.fish

The flags are those each command's -h lists, read when the script is made: make it again after
installing a new version.
`

func runCompletion(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("completion", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var shell string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		shell, args = args[0], args[1:]
	}
	if code, ok := parseFlags(fs, args, completionUsage, stdout, stderr); !ok {
		return code
	}
	write, ok := map[string]func(io.Writer, []completionSpec){"bash": bashCompletion, "zsh": zshCompletion, "fish": fishCompletion}[shell]
	if !ok {
		if shell == "" {
			return usageError(stderr, "completion", completionUsage, "name a shell: bash, zsh or fish")
		}
		return usageError(stderr, "completion", completionUsage, "no completion for shell %q: bash, zsh or fish", shell)
	}
	write(stdout, completionSpecs())
	return 0
}

// completionSpec is what the shell offers after one command: its subcommands and its flags.
type completionSpec struct {
	name  string
	subs  []string
	flags []string
}

var (
	// flagPattern finds the flags a help text names: "--flow" in a usage line or a list, or
	// "-flow" in the flag package's own listing.
	flagPattern = regexp.MustCompile(`(?:^|[][ (,|])(--?[a-z][a-z0-9-]+)`)
	// subPattern finds a subcommand in a usage line: "switchboard signature sign|verify …".
	subPattern = regexp.MustCompile(`^\s*(?:usage:)?\s*switchboard ([a-z]+) ([a-z]+(?:\|[a-z]+)*)(?:\s|$)`)
)

// completionSpecs reads every command's flags and subcommands from its -h, in help's order.
// The commands parse their own flags by hand, so their help is the one place that lists them
// all; every help text names its flags as --name (or the flag package's -name).
func completionSpecs() []completionSpec {
	var specs []completionSpec
	for _, name := range commandNames() {
		var help bytes.Buffer
		for _, c := range commands {
			if c.name == name {
				c.run([]string{"-h"}, &help, &help)
			}
		}
		spec := completionSpec{name: name}
		for _, line := range strings.Split(help.String(), "\n") {
			if m := subPattern.FindStringSubmatch(line); m != nil && m[1] == name {
				for _, s := range strings.Split(m[2], "|") {
					if !slices.Contains(spec.subs, s) {
						spec.subs = append(spec.subs, s)
					}
				}
			}
			for _, m := range flagPattern.FindAllStringSubmatch(line, -1) {
				f := "--" + strings.TrimLeft(m[1], "-")
				if f != "--help" && !slices.Contains(spec.flags, f) {
					spec.flags = append(spec.flags, f)
				}
			}
		}
		slices.Sort(spec.flags)
		specs = append(specs, spec)
	}
	return specs
}

// commandNames returns the commands in the order help lists them.
func commandNames() []string {
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	slices.SortStableFunc(names, func(a, b string) int { return rank(a) - rank(b) })
	return names
}

func rank(name string) int {
	if i := slices.Index(order, name); i >= 0 {
		return i
	}
	return len(order)
}

func bashCompletion(w io.Writer, specs []completionSpec) {
	var b strings.Builder
	b.WriteString("# bash completion for switchboard, made by `switchboard completion bash`.\n")
	b.WriteString("_switchboard() {\n")
	b.WriteString("\tlocal cur=${COMP_WORDS[COMP_CWORD]} subs= flags=\n")
	b.WriteString("\tif [[ $COMP_CWORD -eq 1 ]]; then\n")
	fmt.Fprintf(&b, "\t\tCOMPREPLY=($(compgen -W %q -- \"$cur\"))\n\t\treturn\n\tfi\n", strings.Join(append(commandNames(), "--version", "--help"), " "))
	b.WriteString("\tcase ${COMP_WORDS[1]} in\n")
	for _, s := range specs {
		fmt.Fprintf(&b, "\t%s) subs=%q flags=%q ;;\n", s.name, strings.Join(s.subs, " "), strings.Join(s.flags, " "))
	}
	b.WriteString("\tesac\n")
	b.WriteString("\tif [[ $cur == -* ]]; then\n\t\tCOMPREPLY=($(compgen -W \"$flags --help\" -- \"$cur\"))\n")
	b.WriteString("\telif [[ $COMP_CWORD -eq 2 && -n $subs ]]; then\n\t\tCOMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n")
	b.WriteString("\telse\n\t\tCOMPREPLY=() # file names, from -o default\n\tfi\n}\n")
	b.WriteString("complete -o default -F _switchboard switchboard\n")
	io.WriteString(w, b.String())
}

func zshCompletion(w io.Writer, specs []completionSpec) {
	var b strings.Builder
	b.WriteString("#compdef switchboard\n# zsh completion for switchboard, made by `switchboard completion zsh`.\n")
	b.WriteString("_switchboard() {\n")
	b.WriteString("\tlocal -a subs flags\n")
	fmt.Fprintf(&b, "\tif (( CURRENT == 2 )); then\n\t\tcompadd -- %s\n\t\treturn\n\tfi\n", strings.Join(append(commandNames(), "--version", "--help"), " "))
	b.WriteString("\tcase $words[2] in\n")
	for _, s := range specs {
		fmt.Fprintf(&b, "\t%s) subs=(%s) flags=(%s) ;;\n", s.name, strings.Join(s.subs, " "), strings.Join(s.flags, " "))
	}
	b.WriteString("\tesac\n")
	b.WriteString("\tif [[ $PREFIX == -* ]]; then\n\t\tcompadd -- $flags --help\n")
	b.WriteString("\telif (( CURRENT == 3 && $#subs )); then\n\t\tcompadd -- $subs\n")
	b.WriteString("\telse\n\t\t_files\n\tfi\n}\n")
	b.WriteString("compdef _switchboard switchboard\n")
	io.WriteString(w, b.String())
}

func fishCompletion(w io.Writer, specs []completionSpec) {
	var b strings.Builder
	b.WriteString("# fish completion for switchboard, made by `switchboard completion fish`.\n")
	fmt.Fprintf(&b, "complete -c switchboard -n __fish_use_subcommand -f -a %q\n", strings.Join(commandNames(), " "))
	b.WriteString("complete -c switchboard -n __fish_use_subcommand -l version -d 'print the build'\n")
	for _, s := range specs {
		cond := "__fish_seen_subcommand_from " + s.name
		if len(s.subs) > 0 {
			fmt.Fprintf(&b, "complete -c switchboard -n '%s; and not __fish_seen_subcommand_from %s' -a %q\n", cond, strings.Join(s.subs, " "), strings.Join(s.subs, " "))
		}
		for _, f := range s.flags {
			fmt.Fprintf(&b, "complete -c switchboard -n '%s' -l %s\n", cond, strings.TrimPrefix(f, "--"))
		}
	}
	io.WriteString(w, b.String())
}
