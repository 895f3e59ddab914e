package principals_test

import (
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/switchboard-ivr/switchboard/principals"
)

func ExampleParseAPIKeys() {
	file := "# name  hash  groups\n" +
		"alice  " + principals.HashAPIKey("k-correct-horse-battery-staple") + "  staff,ops\n"
	p, err := principals.ParseAPIKeys("keys.txt", strings.NewReader(file))
	if err != nil {
		panic(err)
	}
	r := httptest.NewRequest("POST", "/calls", nil)
	r.Header.Set("Authorization", "Bearer k-correct-horse-battery-staple")
	id, ok, _ := p.Authenticate(r)
	fmt.Println(ok, id.Principals)

	r.Header.Set("Authorization", "Bearer k-wrong")
	_, ok, err = p.Authenticate(r)
	fmt.Println(ok, err)

	_, err = principals.ParseAPIKeys("keys.txt", strings.NewReader("system.root "+principals.HashAPIKey("x")+"\n"))
	fmt.Println(err)
	// Output:
	// true [key:alice group:staff group:ops]
	// false apikey: unknown API key
	// keys.txt:1: key name "system.root" is reserved
}

func ExampleHashAPIKey() {
	fmt.Println(principals.HashAPIKey("secret"))
	// Output: sha256:2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b
}
