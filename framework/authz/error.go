package authz

import (
	"fmt"
	"strconv"
)

// Error is one problem in a model or policy file. [New] and [Load] join every problem they find
// with errors.Join; find them with errors.As, or walk the joined error's Unwrap() []error.
type Error struct {
	File    string // the file's name, as given to Load or in Options
	Line    int    // 1-based; 0 when the problem is the file as a whole (a missing section)
	Problem string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Problem
	}
	return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Problem
}

// problems collects the errors of one file.
type problems struct {
	file string
	errs []error
}

func (p *problems) add(line int, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Problem: fmt.Sprintf(format, args...)})
}
