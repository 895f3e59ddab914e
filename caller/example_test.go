package caller_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/switchboard-ivr/switchboard/caller"
	"github.com/switchboard-ivr/switchboard/principals"
)

// menu is a two-page phone tree: a menu, and the sales line its 1 leads to.
func menu() http.Handler {
	mux := http.NewServeMux()
	twiml := func(doc string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/xml")
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Response>`+doc+`</Response>`)
		}
	}
	mux.Handle("/ivr/welcome", twiml(`<Gather action="choice" numDigits="1"><Say>For sales, press 1.</Say></Gather><Redirect>welcome</Redirect>`))
	mux.HandleFunc("/ivr/choice", func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("Digits") == "1" {
			twiml(`<Say>Connecting you to sales.</Say><Dial>+15555550111</Dial>`)(w, r)
			return
		}
		twiml(`<Redirect>welcome</Redirect>`)(w, r)
	})
	return mux
}

func ExampleCall_Run() {
	c := &caller.Call{
		URL:     "https://ivr.example.com/ivr/welcome",
		Token:   principals.NewSecret("0123456789abcdef0123456789abcdef"),
		Answers: []caller.Answer{caller.Press("7"), caller.Press("1")},
		Handler: menu(), // or leave it out to call a server over the network
	}
	tr, err := c.Run(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(tr)
	fmt.Printf("after %d requests: %s\n", tr.Requests, tr.End)
	// Output:
	// SAY For sales, press 1.
	// GATHER pressed 7
	// REDIRECT welcome
	// SAY For sales, press 1.
	// GATHER pressed 1
	// SAY Connecting you to sales.
	// DIAL +15555550111
	// after 4 requests: end of the document, where Twilio hangs up
}

func ExampleHangUp() {
	c := &caller.Call{
		URL:     "https://ivr.example.com/ivr/welcome",
		Token:   principals.NewSecret("0123456789abcdef0123456789abcdef"),
		Answers: []caller.Answer{caller.Silence(), caller.HangUp()},
		Handler: menu(),
	}
	tr, err := c.Run(context.Background())
	fmt.Println(strings.Join(tr.Lines(), " | "), err)
	// Output:
	// SAY For sales, press 1. | GATHER no input | REDIRECT welcome | SAY For sales, press 1. | GATHER hung up <nil>
}

func ExampleReadResponse() {
	w := httptest.NewRecorder()
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	io.WriteString(w, `<Response><Gather action="/ivr/choice"><Say voice="Polly.Joanna">Press 1.</Say></Gather><Hangup/></Response>`)
	doc, err := caller.ReadResponse(w.Result())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, say := range doc.Find("Say") {
		fmt.Println(say.Text(), say.Attr("voice"))
	}
	fmt.Println(doc.Find("Gather")[0].Attr("action"))

	w = httptest.NewRecorder()
	w.Header().Set("Content-Type", "text/html")
	io.WriteString(w, `<Response/>`)
	_, err = caller.ReadResponse(w.Result())
	fmt.Println(err)
	// Output:
	// Press 1. Polly.Joanna
	// /ivr/choice
	// caller: Content-Type "text/html"; Twilio wants text/xml or application/xml, and would say its application error and hang up
}
