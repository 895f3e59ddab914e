// Package joined takes apart the errors that errors.Join put together.
package joined

// Split returns the errors err holds, errors.Join (or any Unwrap() []error) undone at every
// depth, in order; an error that joins nothing is returned alone, and a nil err gives nil.
// Each problem of a load or reload stands alone, to print one a line or count.
func Split(err error) []error {
	if err == nil {
		return nil
	}
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	var out []error
	for _, e := range j.Unwrap() {
		out = append(out, Split(e)...)
	}
	return out
}
