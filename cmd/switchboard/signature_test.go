package main

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

const docURL = "https://mycompany.com/myapp.php?foo=1&bar=2"

var docArgs = []string{
	"--param", "CallSid=CA1234567890ABCDE", "--param", "Caller=+14158675309", "--param", "Digits=1234",
	"--param", "From=+14158675309", "--param", "To=+18005551212",
}

func signature(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runSignature(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestSignatureCommand(t *testing.T) {
	body := filepath.Join(t.TempDir(), "body.json")
	json := []byte(`{"CallSid":"CA1"}`)
	if err := os.WriteFile(body, json, 0o600); err != nil {
		t.Fatal(err)
	}
	jsonURL := "https://example.com/hook?bodySHA256=" + principalstest.BodySHA256(json)
	get := "https://example.com/ivr?x=1&Digits=1&From=%2B15551234567"
	upperJSONURL := "https://example.com/hook?bodySHA256=" + strings.ToUpper(principalstest.BodySHA256(json))
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // exact, when set
		stderr string // a substring, when set
	}{
		{name: "SignReproducesTwilioDocumentedExample",
			args: append([]string{"sign", "--token", "12345", "--url", docURL}, docArgs...),
			code: 0, stdout: "RSOYDt4T1cUTdK1PDd93/VVr8B8=\n"},
		{name: "VerifyAcceptsTheDocumentedExample",
			args: append([]string{"verify", "--token", "12345", "--url", docURL, "--signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8="}, docArgs...),
			code: 0, stdout: "valid\n"},
		// A WebSocket handshake is signed over its wss:// URL, with no parameters: the
		// signature is HMAC-SHA1 of that URL alone (here computed with openssl), and the
		// agent example's handshake check accepts it.
		{name: "SignAWebSocketHandshake",
			args: []string{"sign", "--token", "abc123", "--url", "wss://agent.example.com/relay"},
			code: 0, stdout: "p2/JrAyp9N7nOqiikuZYdtjLG2g=\n"},
		{name: "VerifyAWebSocketHandshake",
			args: []string{"verify", "--token", "abc123", "--url", "wss://agent.example.com/relay", "--signature", "p2/JrAyp9N7nOqiikuZYdtjLG2g="},
			code: 0, stdout: "valid\n"},
		{name: "VerifyRefusesAHandshakeSignedOverHTTPS",
			args: []string{"verify", "--token", "abc123", "--url", "wss://agent.example.com/relay", "--signature", principalstest.Sign("abc123", "https://agent.example.com/relay", nil)},
			code: 1, stderr: ""},
		{name: "AHandshakeIsNoPOST",
			args: []string{"sign", "--token", "abc123", "--url", "wss://agent.example.com/relay", "--method", "POST"},
			code: 2, stderr: "is a WebSocket handshake: a GET"},
		{name: "VerifyAcceptsTheSecondaryToken",
			args: append([]string{"verify", "--token", "old", "--token", "12345", "--url", docURL, "--signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8="}, docArgs...),
			code: 0, stdout: "valid\n"},
		{name: "VerifyRejectsAChangedValue",
			args: []string{"verify", "--token", "12345", "--url", docURL, "--signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", "--param", "Digits=1"},
			code: 1, stdout: "invalid: signature mismatch\n"},
		{name: "VerifyHintsAtHTTPS",
			args: append([]string{"verify", "--token", "12345", "--url", "http://mycompany.com/myapp.php?foo=1&bar=2", "--signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8="}, docArgs...),
			code: 1, stdout: "invalid: signature mismatch; would match as https:// but the public URL is http://\n"},
		{name: "VerifyHintsAtTheTrailingSlash",
			args: []string{"verify", "--token", "t", "--url", "https://example.com/ivr/", "--signature", principalstest.Sign("t", "https://example.com/ivr", nil)},
			code: 1, stdout: "invalid: signature mismatch; would match without the trailing slash\n"},
		{name: "VerifyReportsAMalformedSignature",
			args: []string{"verify", "--token", "t", "--url", "https://example.com/ivr", "--signature", "abc"},
			code: 1, stdout: "invalid: malformed X-Twilio-Signature (not base64 of an HMAC digest)\n"},
		{name: "ParamValuesAreLiteralAndRepeatable",
			args: []string{"sign", "--token", "t", "--url", "https://example.com/ivr", "--param", "Digits=%2B1", "--param", "Digits=a=b", "--param", "Empty="},
			code: 0, stdout: principalstest.Sign("t", "https://example.com/ivr", url.Values{"Digits": {"%2B1", "a=b"}, "Empty": {""}}) + "\n"},
		{name: "GETSignsTheURLWithItsQuery",
			args: []string{"sign", "--method", "GET", "--token", "t", "--url", get},
			code: 0, stdout: principalstest.Sign("t", get, nil) + "\n"},
		{name: "GETAddsParamsToTheQuery",
			args: []string{"sign", "--method", "get", "--token", "t", "--url", "https://example.com/ivr?x=1", "--param", "Digits=1"},
			code: 0, stdout: principalstest.Sign("t", "https://example.com/ivr?x=1&Digits=1", nil) + "\n"},
		{name: "URLIsKeptByteForByte",
			args: []string{"sign", "--token", "t", "--url", "HTTPS://[::1]:8443/caf%C3%A9/%zz?b=2&a=1"},
			code: 0, stdout: principalstest.Sign("t", "HTTPS://[::1]:8443/caf%C3%A9/%zz?b=2&a=1", nil) + "\n"},
		{name: "URLWithoutAPath",
			args: []string{"sign", "--token", "t", "--url", "https://example.com?x=1"},
			code: 0, stdout: principalstest.Sign("t", "https://example.com?x=1", nil) + "\n"},
		{name: "JSONBodySignsTheURL",
			args: []string{"sign", "--token", "t", "--url", jsonURL, "--body-file", body},
			code: 0, stdout: principalstest.Sign("t", jsonURL, nil) + "\n"},
		{name: "JSONBodyVerifies",
			args: []string{"verify", "--token", "t", "--url", jsonURL, "--body-file", body, "--signature", principalstest.Sign("t", jsonURL, nil)},
			code: 0, stdout: "valid\n"},
		{name: "JSONBodyMismatchIsInvalid",
			args: []string{"verify", "--token", "t", "--url", "https://example.com/hook?bodySHA256=" + strings.Repeat("0", 64), "--body-file", body,
				"--signature", principalstest.Sign("t", "https://example.com/hook?bodySHA256="+strings.Repeat("0", 64), nil)},
			code: 1, stdout: "invalid: body does not match bodySHA256\n"},
		{name: "SignWithABodyNeedsBodySHA256InTheURL",
			args: []string{"sign", "--token", "t", "--url", "https://example.com/hook", "--body-file", body},
			code: 2, stderr: "must carry bodySHA256=" + principalstest.BodySHA256(json)},

		// The official SDKs' published vectors (twilio-python, -node, -ruby, -php test suites).
		{name: "VerifyRemovesAnyPortAsTheSDKsDo",
			args: append([]string{"verify", "--token", "12345", "--url", "https://mycompany.com:1234/myapp.php?foo=1&bar=2", "--signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8="}, docArgs...),
			code: 0, stdout: "valid\n"},
		{name: "VerifyAddsTheDefaultPortAsTheSDKsDo",
			args: append([]string{"verify", "--token", "12345", "--url", docURL, "--signature", "kvajT1Ptam85bY51eRf/AJRuM3w="}, docArgs...),
			code: 0, stdout: "valid\n"},
		{name: "VerifyAcceptsCredentialsInTheURL",
			args: append([]string{"verify", "--token", "12345", "--url", "https://user:pass@mycompany.com/myapp.php?foo=1&bar=2", "--signature", "CukzLTc1tT5dXEDIHm/tKBanW10="}, docArgs...),
			code: 0, stdout: "valid\n"},
		{name: "VerifyAcceptsCredentialsWithThePortAdded",
			args: append([]string{"verify", "--token", "12345", "--url", "https://user:pass@mycompany.com/myapp.php?foo=1&bar=2", "--signature", "ZQFR1PTIZXF2MXB8ZnKCvnnA+rI="}, docArgs...),
			code: 0, stdout: "valid\n"},
		{name: "VerifyAcceptsAUserWithoutPassword",
			args: append([]string{"verify", "--token", "12345", "--url", "https://user@mycompany.com/myapp.php?foo=1&bar=2", "--signature", "2YRLlVAflCqxaNicjMpJcSTgzSs="}, docArgs...),
			code: 0, stdout: "valid\n"},
		{name: "SignKeepsTheCredentialsInTheSignedURL",
			args: append([]string{"sign", "--token", "12345", "--url", "https://user:pass@mycompany.com/myapp.php?foo=1&bar=2"}, docArgs...),
			code: 0, stdout: "CukzLTc1tT5dXEDIHm/tKBanW10=\n"},
		{name: "VerifyAcceptsRepeatedKeysSorted",
			args: []string{"verify", "--token", "12345", "--url", docURL, "--signature", "IK+Dwps556ElfBT0I3Rgjkr1wJU=",
				"--param", "Sid=CA123", "--param", "SidAccount=AC123", "--param", "Digits=5678", "--param", "Digits=1234"},
			code: 0, stdout: "valid\n"},
		{name: "VerifyAcceptsIdenticalValuesSignedOnce",
			args: []string{"verify", "--token", "t", "--url", "https://example.com/ivr", "--signature", principalstest.Sign("t", "https://example.com/ivr", url.Values{"A": {"1"}}),
				"--param", "A=1", "--param", "A=1"},
			code: 0, stdout: "valid\n"},
		{name: "VerifyRemovesTheIPv6Port",
			args: []string{"verify", "--token", "t", "--url", "https://[2001:db8::1]:8443/ivr", "--signature", principalstest.Sign("t", "https://[2001:db8::1]/ivr", nil)},
			code: 0, stdout: "valid\n"},
		{name: "EmptySignatureIsAVerdict",
			args: []string{"verify", "--token", "t", "--url", "https://example.com/ivr", "--signature", ""},
			code: 1, stdout: "invalid: missing X-Twilio-Signature\n"},
		{name: "UpperCaseBodySHA256IsInvalid",
			args: []string{"verify", "--token", "t", "--url", upperJSONURL, "--body-file", body, "--signature", principalstest.Sign("t", upperJSONURL, nil)},
			code: 1, stdout: "invalid: body does not match bodySHA256\n"},
		{name: "KeyOutsideTwilioAlphabetIsInvalid",
			args: []string{"verify", "--token", "t", "--url", "https://example.com/ivr", "--param", "a b=1", "--signature", principalstest.Sign("t", "https://example.com/ivr", url.Values{"a b": {"1"}})},
			code: 1, stdout: "invalid: malformed form key (only letters, digits, _ . - are Twilio's)\n"},
		{name: "SignWithASharedKey",
			args: append([]string{"sign", "--algorithm", "sha256", "--token", "sk-secret", "--url", docURL}, docArgs...),
			code: 0, stdout: principalstest.SignSHA256("sk-secret", docURL, principalsDocParams()) + "\n"},
		{name: "VerifyWithASharedKey",
			args: append([]string{"verify", "--algorithm", "sha256", "--token", "sk-secret", "--url", docURL, "--signature", principalstest.SignSHA256("sk-secret", docURL, principalsDocParams())}, docArgs...),
			code: 0, stdout: "valid\n"},
		{name: "AnSHA1SignatureIsNotASharedKeys",
			args: append([]string{"verify", "--algorithm", "sha256", "--token", "12345", "--url", docURL, "--signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8="}, docArgs...),
			code: 1, stdout: "invalid: malformed X-Twilio-Signature (not base64 of an HMAC digest)\n"},
		{name: "UnknownAlgorithmIsAUsageError", args: []string{"sign", "--algorithm", "md5", "--token", "t", "--url", docURL}, code: 2, stderr: "sha1 or sha256"},

		{name: "NoSubcommandIsAUsageError", args: nil, code: 2, stderr: "usage:"},
		{name: "UnknownSubcommandIsAUsageError", args: []string{"check"}, code: 2, stderr: "usage:"},
		{name: "HelpIsNotAnError", args: []string{"sign", "-h"}, code: 0},
		{name: "MissingTokenIsAUsageError", args: []string{"sign", "--url", docURL}, code: 2, stderr: "--token is required"},
		{name: "MissingURLIsAUsageError", args: []string{"sign", "--token", "t"}, code: 2, stderr: "--url is required"},
		{name: "MissingSignatureIsAUsageError", args: []string{"verify", "--token", "t", "--url", docURL}, code: 2, stderr: "--signature is required"},
		{name: "BadMethodIsAUsageError", args: []string{"sign", "--token", "t", "--url", docURL, "--method", "PUT"}, code: 2, stderr: "POST or GET"},
		{name: "ParamWithoutEqualsIsAUsageError", args: []string{"sign", "--token", "t", "--url", docURL, "--param", "Digits"}, code: 2, stderr: "not KEY=VALUE"},
		{name: "RelativeURLIsAUsageError", args: []string{"sign", "--token", "t", "--url", "/ivr"}, code: 2, stderr: "http:// or https://"},
		{name: "UnknownFlagIsAUsageError", args: []string{"sign", "--tokn", "t"}, code: 2, stderr: "tokn"},
		{name: "MissingBodyFileIsAUsageError", args: []string{"sign", "--token", "t", "--url", docURL, "--body-file", body + ".missing"}, code: 2},
		{name: "BodyFileAndParamsAreAUsageError", args: []string{"sign", "--token", "t", "--url", docURL, "--body-file", body, "--param", "a=1"}, code: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := signature(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout, stderr)
			}
			if tc.stdout != "" && stdout != tc.stdout && !(strings.HasPrefix(stdout, tc.stdout) && !strings.HasSuffix(tc.stdout, "\n")) {
				t.Errorf("stdout = %q, want %q", stdout, tc.stdout)
			}
			if tc.stderr != "" && !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tc.stderr)
			}
			if strings.Contains(stdout+stderr, "12345") && tc.code != 0 && !strings.Contains(strings.Join(tc.args, " "), "--param") {
				t.Errorf("output shows the token: %s%s", stdout, stderr)
			}
		})
	}
}

func principalsDocParams() url.Values {
	return url.Values{"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+14158675309"}, "Digits": {"1234"}, "From": {"+14158675309"}, "To": {"+18005551212"}}
}

func TestSignatureIsRegistered(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"signature", "sign", "--token", "12345", "--url", docURL}, &out, &errb); code != 0 {
		t.Fatalf("switchboard signature sign: exit %d: %s", code, errb.String())
	}
	if out.String() != principalstest.Sign("12345", docURL, nil)+"\n" {
		t.Errorf("stdout = %q", out.String())
	}
}
