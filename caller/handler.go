package caller

import (
	"net/http"
	"net/http/httptest"
)

// handlerTransport serves requests with a handler in this process, as a server would receive
// them.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		defer req.Body.Close()
	}
	in := httptest.NewRequestWithContext(req.Context(), req.Method, req.URL.String(), req.Body)
	in.Header = req.Header.Clone()
	in.ContentLength = req.ContentLength
	w := httptest.NewRecorder()
	t.h.ServeHTTP(w, in)
	return w.Result(), nil
}
