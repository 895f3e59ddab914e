package framework

import (
	"net/http"
	"runtime/debug"
)

// stackedPanic carries a panic value across a goroutine boundary with the stack of the goroutine
// it happened in. http.TimeoutHandler runs a handler in a goroutine of its own and panics again
// in the caller's, so a stack taken where the pipeline recovers would end at the TimeoutHandler
// and never reach the code that panicked.
type stackedPanic struct {
	value any
	stack []byte
}

// keepStack wraps h so that a panic in it carries its own stack to the pipeline's recover.
// http.ErrAbortHandler passes through unchanged: it is how a handler aborts a response on purpose.
func keepStack(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				panic(&stackedPanic{value: p, stack: debug.Stack()})
			}
		}()
		h.ServeHTTP(w, r)
	})
}

// panicDetails returns the value a recovered panic began with and the stack where it began.
func panicDetails(p any) (value any, stack []byte) {
	if sp, ok := p.(*stackedPanic); ok {
		return sp.value, sp.stack
	}
	return p, debug.Stack()
}
