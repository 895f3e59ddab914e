// Command bare is the floor of bench/load.sh: an Echo v4 server that answers POST
// /ivr/welcome/gather with the TwiML in a file, with no signature check, no policy and no log
// line. Everything Switchboard adds to a request is measured against it.
//
// With --hmac it is the second floor, the one any server that checks a signature pays: before
// answering the same bytes it reads the whole body and computes one HMAC-SHA1 over the URL and
// the body (a pooled buffer and a pooled keyed HMAC, so that only the read and the hash cost).
// It checks nothing: the digest is computed and dropped, and every request gets the TwiML.
//
// With --work D it also keeps the CPU busy for D before answering: a handler whose own work is
// known, which tells what a microsecond of handler work costs a server's req/s under load.
//
//	bare --addr 127.0.0.1:18081 --body twiml.xml
//	bare --addr 127.0.0.1:18083 --body twiml.xml --hmac
//	bare --addr 127.0.0.1:18084 --body twiml.xml --hmac --work 4us
package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"flag"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "listen `address`")
	bodyFile := flag.String("body", "", "`file` of the TwiML to answer with (required)")
	path := flag.String("path", "/ivr/welcome/gather", "route `pattern` to answer on")
	withHMAC := flag.Bool("hmac", false, "read the whole body and compute one HMAC-SHA1 over URL+body before answering")
	work := flag.Duration("work", 0, "keep the CPU busy this long per request before answering")
	public := flag.String("public-url", "https://ivr.example.com", "scheme and host the HMAC's URL starts with (--hmac)")
	flag.Parse()
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(2)
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	ctype := []string{"text/xml; charset=utf-8"}
	answer := func(c echo.Context) error {
		w := c.Response()
		w.Header()["Content-Type"] = ctype
		w.WriteHeader(http.StatusOK)
		_, err := w.Write(body)
		return err
	}
	h := answer
	if *withHMAC {
		h = hmacFloor(*public, answer)
	}
	if *work > 0 {
		h = busy(*work, h)
	}
	e.POST(*path, h)
	if err := e.Start(*addr); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
}

// hmacFloor wraps next with the work every signature check must do: read the whole body and
// compute one HMAC-SHA1 over the public URL and the body, under a random key.
func hmacFloor(public string, next echo.HandlerFunc) echo.HandlerFunc {
	key := make([]byte, 16)
	if _, err := rand.Read(key); err != nil {
		panic(err)
	}
	type scratch struct {
		buf bytes.Buffer
		mac hash.Hash
		sum []byte
	}
	pool := sync.Pool{New: func() any { return &scratch{mac: hmac.New(sha1.New, key), sum: make([]byte, 0, sha1.Size)} }}
	return func(c echo.Context) error {
		s := pool.Get().(*scratch)
		defer pool.Put(s)
		r := c.Request()
		s.buf.Reset()
		if _, err := s.buf.ReadFrom(io.LimitReader(r.Body, 64<<10)); err != nil {
			return err
		}
		s.mac.Reset()
		io.WriteString(s.mac, public)
		io.WriteString(s.mac, r.RequestURI)
		s.mac.Write(s.buf.Bytes())
		s.sum = s.mac.Sum(s.sum[:0])
		return next(c)
	}
}

// busy wraps next with d of CPU work, measured on the monotonic clock: a loop that reads it until
// d has passed, so that the work is the same whatever the CPU's speed.
func busy(d time.Duration, next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		for t := time.Now(); time.Since(t) < d; {
		}
		return next(c)
	}
}
