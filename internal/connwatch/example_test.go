package connwatch_test

import (
	"net"
	"net/http"
	"time"

	"github.com/switchboard-ivr/switchboard/internal/connwatch"
)

// A server whose slow-client timeouts a Watch enforces: the same limits as the http.Server
// fields, without a deadline set on the connection for each request.
func ExampleTake() {
	srv := &http.Server{
		Handler:           http.NotFoundHandler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       time.Minute,
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return
	}
	w := connwatch.Take(srv) // srv's timeouts are now zero; w enforces them
	defer w.Close()
	go srv.Serve(w.Listener(ln))
	_ = srv.Close()
}
