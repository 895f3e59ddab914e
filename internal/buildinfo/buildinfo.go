// Package buildinfo says which build of Switchboard is running, from the build information the
// Go toolchain records in every binary.
package buildinfo

import (
	"runtime/debug"
	"strings"
	"sync"
)

// Module is Switchboard's module path.
const Module = "github.com/switchboard-ivr/switchboard"

// Info is one build of Switchboard.
type Info struct {
	// Version is the module version: a tag such as "v1.2.0" when built by
	// `go install …@version` or as a dependency, or "(devel)" when built from a clone.
	Version string
	// Commit is the VCS revision the binary was built from, when built in a clone (or ""), with
	// Modified set when the work tree had uncommitted changes.
	Commit   string
	Modified bool
	// Go is the Go version that built the binary, such as "go1.26.0".
	Go string
}

// Read returns the running build's Info. When Switchboard is a dependency of the main module (a
// program using the framework), Version is that of the Switchboard module it depends on, and
// Commit and Modified are the program's own. It never fails: what the binary does not record is
// empty, and Version is "(unknown)" without build information (a test binary, for one, has it).
var Read = sync.OnceValue(func() Info { return fromBuildInfo(debug.ReadBuildInfo()) })

func fromBuildInfo(bi *debug.BuildInfo, ok bool) Info {
	if !ok || bi == nil {
		return Info{Version: "(unknown)"}
	}
	in := Info{Version: bi.Main.Version, Go: bi.GoVersion}
	if bi.Main.Path != Module {
		in.Version = "(unknown)"
		for _, d := range bi.Deps {
			if d.Path == Module {
				in.Version = d.Version
				if d.Replace != nil {
					in.Version += " => " + strings.TrimSpace(d.Replace.Path+" "+d.Replace.Version)
				}
			}
		}
	}
	if in.Version == "" {
		in.Version = "(devel)"
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			in.Commit = s.Value
		case "vcs.modified":
			in.Modified = s.Value == "true"
		}
	}
	return in
}

// String returns the build on one line, as `switchboard version` prints it:
// "switchboard v1.2.0 (commit 1a2b3c4d5e6f, go1.26.0)", with "+modified" after a commit built
// from a changed work tree.
func (i Info) String() string {
	var b strings.Builder
	b.WriteString("switchboard ")
	b.WriteString(i.Version)
	var parts []string
	if i.Commit != "" {
		c := i.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		if i.Modified {
			c += "+modified"
		}
		parts = append(parts, "commit "+c)
	}
	if i.Go != "" {
		parts = append(parts, i.Go)
	}
	if len(parts) > 0 {
		b.WriteString(" (" + strings.Join(parts, ", ") + ")")
	}
	return b.String()
}
