package principals

import "context"

type ctxKey struct{}

// NewContext returns a copy of ctx that carries the effective principals.
func NewContext(ctx context.Context, s Set) context.Context {
	return context.WithValue(ctx, ctxKey{}, s)
}

// FromContext returns the effective principals on ctx; without any it returns a set holding
// only [Everyone] and false.
func FromContext(ctx context.Context) (Set, bool) {
	s, ok := ctx.Value(ctxKey{}).(Set)
	if !ok {
		return NewSet(Everyone), false
	}
	return s, true
}
