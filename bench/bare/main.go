// Command bare is the floor of bench/load.sh: an Echo v4 server that answers POST
// /ivr/welcome/gather with the TwiML in a file, with no signature check, no policy and no log
// line. Everything Switchboard adds to a request is measured against it.
//
//	bare --addr 127.0.0.1:18081 --body twiml.xml
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"

	"github.com/labstack/echo/v4"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "listen `address`")
	bodyFile := flag.String("body", "", "`file` of the TwiML to answer with (required)")
	path := flag.String("path", "/ivr/welcome/gather", "route `pattern` to answer on")
	flag.Parse()
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(2)
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	ctype := []string{"text/xml; charset=utf-8"}
	e.POST(*path, func(c echo.Context) error {
		w := c.Response()
		w.Header()["Content-Type"] = ctype
		w.WriteHeader(http.StatusOK)
		_, err := w.Write(body)
		return err
	})
	if err := e.Start(*addr); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
}
