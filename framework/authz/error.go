package authz

import (
	"errors"
	"fmt"
)

// Error is one problem in a model or policy. [New], [Load] and [NewFromPolicy] join every
// problem they find with errors.Join; find them with errors.As, or walk the joined error's
// Unwrap() []error. Origin says where: a file and its line (Line is 0 when the problem is the
// file as a whole, a missing section), or a database rule by its ID.
type Error struct {
	Origin
	Problem string
}

func (e *Error) Error() string { return e.Origin.String() + ": " + e.Problem }

// maxProblems bounds the problems reported for one model or policy; a file that is not a
// policy at all (a path pointing at the wrong file) would otherwise yield one per line.
const maxProblems = 50

// problems collects the errors of one model or policy.
type problems struct {
	source string
	errs   []error
	count  int // every problem found, including those past maxProblems
}

// add records a problem on a line of the source (0: the source as a whole).
func (p *problems) add(line int, format string, args ...any) {
	p.at(Origin{Source: p.source, Line: line}, format, args...)
}

// at records a problem at o.
func (p *problems) at(o Origin, format string, args ...any) {
	p.count++
	if p.count <= maxProblems {
		p.errs = append(p.errs, &Error{Origin: o, Problem: fmt.Sprintf(format, args...)})
	}
}

// err joins the problems, with one more that counts those left out; nil when there are none.
func (p *problems) err() error {
	if p.count > maxProblems {
		return errors.Join(append(p.errs, &Error{Origin: Origin{Source: p.source}, Problem: fmt.Sprintf("and %d more problems", p.count-maxProblems)})...)
	}
	return errors.Join(p.errs...)
}
