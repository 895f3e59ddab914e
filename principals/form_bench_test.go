package principals

import (
	"slices"
	"strings"
	"testing"
)

// formCallback is the 30-field <Gather> callback of BenchmarkTwilioVerify.
const formCallback = "AccountSid=AC3f8a1c0e7b2d4f6a8c0e2b4d6f8a1c3e&ApiVersion=2010-04-01" +
	"&CallSid=CA9b7d5f3a1c8e6b4d2f0a9c7e5b3d1f8a&CallStatus=in-progress" +
	"&CallToken=%7B%22parentCallInfoToken%22%3A%22eyJhbGciOiJFUzI1NiJ9.eyJjYWxsU2lkIjoiQ0E5YjdkNWYz%22%2C" +
	"%22identityHeaderTokens%22%3A%5B%5D%2C%22parentCallSid%22%3A%22CA1e3c5a7b9d2f4e6a8c0b1d3f5a7c9e2b%22%7D" +
	"&Called=%2B15555550100&CalledCity=SAN+FRANCISCO&CalledCountry=US&CalledState=CA&CalledZip=94105" +
	"&Caller=%2B14158675309&CallerCity=OAKLAND&CallerCountry=US&CallerState=CA&CallerZip=94612" +
	"&Digits=1&Direction=inbound&FinishedOnKey=" +
	"&From=%2B14158675309&FromCity=OAKLAND&FromCountry=US&FromState=CA&FromZip=94612" +
	"&StirVerstat=TN-Validation-Passed-A" +
	"&To=%2B15555550100&ToCity=SAN+FRANCISCO&ToCountry=US&ToState=CA&ToZip=94105" +
	"&msg=Gather+End"

// BenchmarkParseForm parses and sorts the callback as the policy does, into reused buffers (as
// a request whose Result is released finds them).
func BenchmarkParseForm(b *testing.B) {
	for _, shuffled := range []bool{false, true} {
		body := formCallback
		if shuffled {
			pieces := strings.Split(body, "&")
			slices.Reverse(pieces)
			body = strings.Join(pieces, "&")
		}
		name := "sorted"
		if shuffled {
			name = "reversed"
		}
		b.Run(name, func(b *testing.B) {
			var ps []param
			text := make([]byte, 0, 2*len(body)+1)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				text = append(text[:0], body...)
				var ok bool
				ps, ok = parseFormInto(ps[:0], bytesString(text), true, &text)
				if !ok || len(ps) != 30 {
					b.Fatal(ok, len(ps))
				}
				sortByKey(ps)
			}
		})
	}
}
