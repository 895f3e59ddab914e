package callbacks

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkStatusCallback measures one status callback through the handler (the framework's
// authentication aside): reading the form, de-duplication, ordering and the log line, with no
// backend. Each iteration is a new event: four per call, over ever new calls.
func BenchmarkStatusCallback(b *testing.B) {
	rc := New(&Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	h := rc.Handler(Status)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		body := "CallSid=CA" + strconv.Itoa(i/4) + "&SequenceNumber=" + strconv.Itoa(i%4) + "&CallStatus=ringing&From=%2B15555550142"
		r := httptest.NewRequest(http.MethodPost, "/callbacks/status", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
}
