package callbacks

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzAnyCallbackBodyGetsAnEmpty200 sends any form body to each handler (as the framework does
// once the signature verified): the answer is always an empty 200, and nothing panics, whatever
// the SequenceNumber, the CallSid or the field sizes.
func FuzzAnyCallbackBodyGetsAnEmpty200(f *testing.F) {
	f.Add("CallSid=CA1&SequenceNumber=1&CallStatus=ringing")
	f.Add("CallSid=CA1&SequenceNumber=-1&SequenceNumber=0")
	f.Add("CallSid=" + strings.Repeat("C", 5000) + "&SequenceNumber=99999999999999999999")
	f.Add("RecordingSid=RE1&RecordingStatus=completed&From=%2B15555550142")
	f.Add("%zz;&=")
	rc := New(&Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Calls: 4})
	f.Fuzz(func(t *testing.T, body string) {
		for _, k := range kinds {
			r := httptest.NewRequest(http.MethodPost, "/callbacks/"+string(k), strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			w := httptest.NewRecorder()
			rc.Handler(k).ServeHTTP(w, r)
			if w.Code != http.StatusOK || w.Body.Len() != 0 {
				t.Fatalf("%s: %d %q, want an empty 200", k, w.Code, w.Body)
			}
		}
		if held := rc.order.heldEvents(); held > maxHeld {
			t.Fatalf("%d events held", held)
		}
	})
}
