package console_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/switchboard-ivr/switchboard/console"
)

// A call placed through the console's API, as its keypad places one: 2 for support, 1 for
// billing.
func ExampleNew() {
	c, err := console.New(nil) // the built-in demo, policy and model
	if err != nil {
		fmt.Println(err)
		return
	}
	req := httptest.NewRequest(http.MethodPost, "/api/call", strings.NewReader(`{"answers":[{"press":"2"},{"press":"1"}]}`))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	console.Loopback(c).ServeHTTP(w, req) // httptest's Host is example.com: not loopback
	fmt.Println(w.Code)

	req = httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8081/api/call", strings.NewReader(`{"answers":[{"press":"2"},{"press":"1"}]}`))
	req.Header.Set("Content-Type", "application/json")
	w = httptest.NewRecorder()
	console.Loopback(c).ServeHTTP(w, req)
	body := w.Body.String()
	fmt.Println(w.Code, strings.Contains(body, `"DIAL +15555550112"`))
	// Output:
	// 421
	// 200 true
}
