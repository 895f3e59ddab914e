package principals_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard/principals"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

func TestAttestationNamesEachStirVerstat(t *testing.T) {
	tests := []struct {
		given  string
		expect string
	}{
		{"TN-Validation-Passed-A", "attest:A"},
		{"TN-Validation-Passed-B", "attest:B"},
		{"TN-Validation-Passed-C", "attest:C"},
		{"tn-validation-passed-a", "attest:A"},
		{"TN-Validation-Passed-A-Diverted", "attest:A-diverted"},
		{"TN-Validation-Passed-B-Passthrough", "attest:B-passthrough"},
		{"TN-Validation-Failed", "attest:failed"},
		{"TN-Validation-Failed-A", "attest:failed"},
		{"TN-Validation-Failed-C-Diverted", "attest:failed"},
		{"No-TN-Validation", "attest:none"},
		{"NULL", "attest:none"},
		{"TN-Validation-Passed-D", "attest:none"},
		{"TN-Validation-Passed-", "attest:none"},
		{"TN-Validation-Passed-A-Forged", "attest:none"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := principals.Attestation(tc.given); got != tc.expect {
			t.Errorf("Attestation(%q) = %q, want %q", tc.given, got, tc.expect)
		}
	}
}

// TestOnlyFullAttestationMakesAnAttestedCaller signs each request as Twilio does and checks the
// caller principals the policy derives from it.
func TestOnlyFullAttestationMakesAnAttestedCaller(t *testing.T) {
	const u = "https://example.com/ivr/staff"
	const staff = "+15555550123"
	tests := []struct {
		name   string
		params url.Values
		expect []string // besides twilio and account:
		never  []string
	}{
		{"SpoofedNumberIsOnlyClaimed", principalstest.CallParams(staff, "StirVerstat", "TN-Validation-Failed"),
			[]string{"caller:" + staff, "attest:failed"}, []string{"caller-attested:" + staff}},
		{"NoPassportIsOnlyClaimed", principalstest.CallParams(staff, "StirVerstat", "No-TN-Validation"),
			[]string{"caller:" + staff, "attest:none"}, []string{"caller-attested:" + staff}},
		{"NoStirVerstatNamesNoAttestation", principalstest.CallParams(staff),
			[]string{"caller:" + staff}, []string{"caller-attested:" + staff, "attest:none"}},
		{"PartialAttestationIsNotAttested", principalstest.CallParams(staff, "StirVerstat", "TN-Validation-Passed-B"),
			[]string{"caller:" + staff, "attest:B"}, []string{"caller-attested:" + staff}},
		{"FullAttestationIsAttested", principalstest.CallParams(staff, "StirVerstat", "TN-Validation-Passed-A"),
			[]string{"caller:" + staff, "attest:A", "caller-attested:" + staff}, nil},
		{"DivertedCallIsNotAttested", principalstest.CallParams(staff, "StirVerstat", "TN-Validation-Passed-A-Diverted"),
			[]string{"caller:" + staff, "attest:A-diverted"}, []string{"caller-attested:" + staff, "attest:A"}},
		{"OutboundCallHasNoAttestation", principalstest.CallParams("+15555550100", "To", staff, "Direction", "outbound-api", "StirVerstat", "TN-Validation-Passed-A"),
			[]string{"caller:" + staff}, []string{"caller-attested:" + staff, "attest:A"}},
		// A signed outbound request re-targeted to a URL whose signature still holds without
		// Direction must not make the From (this line's own number) the caller, nor keep To.
		{"NoDirectionNamesNoCaller", withoutField(principalstest.CallParams("+15555550100", "To", staff, "StirVerstat", "TN-Validation-Passed-A"), "Direction"),
			[]string{principals.AnonymousCaller}, []string{"caller:" + staff, "caller:+15555550100", "caller-attested:+15555550100", "attest:A"}},
		{"EmptyDirectionNamesNoCaller", principalstest.CallParams(staff, "Direction", "", "StirVerstat", "TN-Validation-Passed-A"),
			[]string{principals.AnonymousCaller}, []string{"caller:" + staff, "caller-attested:" + staff, "attest:A"}},
		{"UnknownDirectionNamesNoCaller", principalstest.CallParams(staff, "Direction", "trunking-originating"),
			[]string{principals.AnonymousCaller}, []string{"caller:" + staff}},
		{"OutboundDialCallerIsTo", principalstest.CallParams("+15555550100", "To", staff, "Direction", "outbound-dial"),
			[]string{"caller:" + staff}, []string{"caller:+15555550100"}},
		{"WithheldNumberIsAnonymous", principalstest.CallParams("anonymous"),
			[]string{principals.AnonymousCaller}, nil},
		{"RestrictedNumberIsAnonymous", principalstest.CallParams("restricted", "StirVerstat", "TN-Validation-Passed-A"),
			[]string{principals.AnonymousCaller, "attest:A"}, []string{"caller:restricted"}},
		{"SIPCallerIsAnonymousAndItsURI", principalstest.CallParams("sip:alice@example.com"),
			[]string{principals.AnonymousCaller, "caller:sip:alice@example.com"}, nil},
		{"ClientIsAnonymousAndItsIdentity", principalstest.CallParams("client:alice"),
			[]string{principals.AnonymousCaller, "caller:client:alice"}, nil},
		{"OverlongSIPURIIsOnlyAnonymous", principalstest.CallParams("sip:" + strings.Repeat("a", 300) + "@example.com"),
			[]string{principals.AnonymousCaller}, nil},
		{"SIPURIWithACommaIsOnlyAnonymous", principalstest.CallParams("sip:a,b@example.com"),
			[]string{principals.AnonymousCaller}, []string{"caller:sip:a,b@example.com"}},
	}
	p := newTwilio(t, principals.TwilioOptions{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, ok, f := authenticate(t, p, principalstest.NewPOST(token, u, tc.params))
			if !ok {
				t.Fatalf("rejected: %v", f)
			}
			var got []string
			for _, n := range id.Principals {
				if n != principals.Twilio && !strings.HasPrefix(n, principals.AccountPrefix) {
					got = append(got, n)
				}
			}
			if !sameNames(got, tc.expect) {
				t.Errorf("caller principals = %q, want %q", got, tc.expect)
			}
			for _, n := range tc.never {
				if slices.Contains(id.Principals, n) {
					t.Errorf("holds %q", n)
				}
			}
		})
	}
}

func TestAlteredStirVerstatIsNotVouchedFor(t *testing.T) {
	const u = "https://example.com/ivr/staff"
	signed := principalstest.CallParams("+15555550123", "StirVerstat", "TN-Validation-Failed")
	sent := principalstest.CallParams("+15555550123", "StirVerstat", "TN-Validation-Passed-A")
	r := principalstest.NewPOSTBody(u, sent.Encode(), principalstest.Sign(token, u, signed))
	if id, ok, _ := authenticate(t, newTwilio(t, principals.TwilioOptions{}), r); ok {
		t.Fatalf("vouched for %q", id.Principals)
	}
	// Adding StirVerstat to a request signed without it fails too.
	r = principalstest.NewPOSTBody(u, sent.Encode(), principalstest.Sign(token, u, principalstest.CallParams("+15555550123")))
	if id, ok, _ := authenticate(t, newTwilio(t, principals.TwilioOptions{}), r); ok {
		t.Fatalf("vouched for %q", id.Principals)
	}
}

func TestMaskedHidesAttestedNumbers(t *testing.T) {
	s := principals.NewSet(principals.AttestedCaller("+15555550123"), principals.AnonymousCaller, "caller:+15555550123")
	got := strings.Join(s.Masked(), " ")
	if strings.Contains(got, "5550123") || !strings.Contains(got, "caller:anonymous") {
		t.Errorf("Masked = %s", got)
	}
}

func FuzzAttestation(f *testing.F) {
	for _, s := range []string{"TN-Validation-Passed-A", "TN-Validation-Passed-C-Passthrough", "TN-Validation-Failed-B", "No-TN-Validation", ""} {
		f.Add(s)
	}
	closed := []string{"", "attest:failed", "attest:none"}
	for _, l := range []string{"A", "B", "C"} {
		closed = append(closed, "attest:"+l, "attest:"+l+"-diverted", "attest:"+l+"-passthrough")
	}
	f.Fuzz(func(t *testing.T, v string) {
		got := principals.Attestation(v)
		if !slices.Contains(closed, got) {
			t.Fatalf("Attestation(%q) = %q, outside the closed set", v, got)
		}
		if strings.HasPrefix(got, "attest:A") && got != "attest:A-diverted" && got != "attest:A-passthrough" &&
			!strings.EqualFold(strings.TrimSpace(v), "TN-Validation-Passed-A") {
			t.Fatalf("Attestation(%q) = attest:A", v)
		}
	})
}

func ExampleAttestation() {
	for _, v := range []string{"TN-Validation-Passed-A", "TN-Validation-Passed-A-Diverted", "TN-Validation-Failed-B", "No-TN-Validation"} {
		fmt.Println(principals.Attestation(v))
	}
	// Output:
	// attest:A
	// attest:A-diverted
	// attest:failed
	// attest:none
}

func sameNames(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// withoutField returns v without key.
func withoutField(v url.Values, key string) url.Values {
	v.Del(key)
	return v
}
