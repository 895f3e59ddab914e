package principals_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/twilio/twilio-go/client"

	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

// callbackBody is a realistic <Gather> action callback: 30 fields, about 780 bytes.
const callbackBody = "AccountSid=AC3f8a1c0e7b2d4f6a8c0e2b4d6f8a1c3e&ApiVersion=2010-04-01" +
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

const callbackURL = "https://ivr.example.com/ivr/welcome/gather?attempt=1&menu=welcome&node=main-menu&lang=en-US"

// rewindBody is a request body a benchmark can reset without allocating.
type rewindBody struct{ strings.Reader }

func (*rewindBody) Close() error { return nil }

func callbackRequest(b *testing.B) (*http.Request, *rewindBody, string) {
	b.Helper()
	params := parseLoose(callbackBody)
	if n := len(params); n != 30 {
		b.Fatalf("callback has %d fields, want 30", n)
	}
	sig := principalstest.Sign(token, callbackURL, params)
	r := principalstest.NewPOSTBody(callbackURL, callbackBody, sig)
	r.RequestURI = callbackURL[len("https://ivr.example.com"):]
	return r, new(rewindBody), sig
}

// BenchmarkTwilioVerify verifies the voice callback, parses its form into Identity.Form,
// and derives the principals: with the policy's Authenticate (fresh memory for what it hands
// out), and through principals.Authenticate with the Result released after each request, as
// the framework serves a flow route.
func BenchmarkTwilioVerify(b *testing.B) {
	r, body, _ := callbackRequest(b)
	p := newTwilio(b, principals.TwilioOptions{PublicURL: "https://ivr.example.com"})
	b.Run("policy", func(b *testing.B) {
		b.SetBytes(int64(len(callbackBody)))
		b.ReportAllocs()
		for b.Loop() {
			body.Reset(callbackBody)
			r.Body, r.PostForm, r.Form = body, nil, nil
			if _, ok, err := p.Authenticate(r); !ok {
				b.Fatal(err)
			}
		}
	})
	b.Run("released", func(b *testing.B) {
		b.SetBytes(int64(len(callbackBody)))
		b.ReportAllocs()
		for b.Loop() {
			body.Reset(callbackBody)
			r.Body, r.PostForm, r.Form = body, nil, nil
			res := principals.Authenticate(r, p)
			if !res.Principals.Authenticated() {
				b.Fatal(res.Failures)
			}
			res.Release()
		}
	})
}

// BenchmarkTwilioGoValidateBody verifies the same request with twilio-go's RequestValidator,
// given the body already read.
func BenchmarkTwilioGoValidateBody(b *testing.B) {
	_, _, sig := callbackRequest(b)
	v := client.NewRequestValidator(token)
	body := []byte(callbackBody)
	b.SetBytes(int64(len(callbackBody)))
	b.ReportAllocs()
	for b.Loop() {
		if !v.ValidateBody(callbackURL, body, sig) {
			b.Fatal("twilio-go rejects the callback")
		}
	}
}
