package flow

import (
	"errors"
	"strconv"
	"strings"
)

// Pos is where something is in a flow file. The zero Pos means "not from a file" (a flow built in
// Go); Col is 0 when the YAML parser reported only a line.
type Pos struct {
	File string
	Line int // 1-based; 0 when unknown.
	Col  int // 1-based; 0 when unknown.
}

// String returns "file:line:col", dropping the parts that are unknown.
func (p Pos) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		if b.Len() > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strconv.Itoa(p.Line))
		if p.Col > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(p.Col))
		}
	}
	return b.String()
}

// Problem is one mistake in a flow: where it is, the YAML field path
// (menus.welcome.gather.options["1"].goto) and a message a person understands. A Warning does not
// stop the flow from loading.
type Problem struct {
	Pos     Pos
	Path    string
	Message string
	Warning bool
}

// String formats the problem as "file:line:col: path: message", with "warning: " before the
// message of a warning. Unknown parts are left out.
func (p Problem) String() string {
	var b strings.Builder
	if s := p.Pos.String(); s != "" {
		b.WriteString(s)
		b.WriteString(": ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	if p.Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Error implements error, so a Problem can be joined and matched with errors.As.
func (p Problem) Error() string { return p.String() }

// Problems is every problem found in a flow, in file order (problems without a position last).
type Problems []Problem

// Err returns the errors among the problems joined with [errors.Join], or nil when there are only
// warnings (or nothing).
func (ps Problems) Err() error {
	var errs []error
	for _, p := range ps {
		if !p.Warning {
			errs = append(errs, p)
		}
	}
	return errors.Join(errs...)
}

// Warnings returns the warnings among the problems.
func (ps Problems) Warnings() Problems {
	var ws Problems
	for _, p := range ps {
		if p.Warning {
			ws = append(ws, p)
		}
	}
	return ws
}

// String returns one problem per line.
func (ps Problems) String() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// ErrorKind names the failure an error call flow answers.
type ErrorKind int

// The kinds of error call flow. Unauthenticated falls back to Forbidden when a flow does not set
// it; Denied never falls back to Forbidden, whose default dials the call center.
const (
	Unauthenticated ErrorKind = iota // the request proved no identity (for example a bad signature)
	Forbidden                        // the route's permission was not granted to any principal
	NotFound                         // no such route
	Internal                         // the server failed
	Denied                           // a deny line refused one of the request's principals (a blocklist)
	numErrorKinds
)

var errorKindNames = [numErrorKinds]string{"unauthenticated", "forbidden", "not_found", "internal", "denied"}

// String returns the kind's name as the flow file spells it: "unauthenticated", "forbidden",
// "not_found", "internal" or "denied".
func (k ErrorKind) String() string {
	if k < 0 || k >= numErrorKinds {
		return "ErrorKind(" + strconv.Itoa(int(k)) + ")"
	}
	return errorKindNames[k]
}
