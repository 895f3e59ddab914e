package principals

import "strings"

// Namespaces and names of what a verified Twilio request says about its caller, beyond
// "caller:+E164". See [TwilioPolicy] for when each is derived.
const (
	// AttestedCallerPrefix names a caller whose originating carrier vouched, with SHAKEN/STIR
	// full attestation (StirVerstat TN-Validation-Passed-A), that the caller may use the number:
	// "caller-attested:+15551234567".
	AttestedCallerPrefix = "caller-attested:"
	// AttestPrefix names the attestation level of a call's caller ID: "attest:A", "attest:B",
	// "attest:C", "attest:A-diverted", "attest:A-passthrough", "attest:failed", "attest:none".
	AttestPrefix = "attest:"
	// AnonymousCaller is held by every verified request whose caller is not an E.164 number:
	// withheld ("anonymous", "restricted", "unknown", empty), a SIP URI, a client identity.
	AnonymousCaller = CallerPrefix + "anonymous"
)

// AttestedCaller returns the principal of a caller whose number the originating carrier vouched
// for, "caller-attested:+15551234567".
func AttestedCaller(e164 string) string { return AttestedCallerPrefix + e164 }

// Attestation returns the attest: principal for a StirVerstat value, which Twilio adds to the
// voice webhook of a call that carried a SHAKEN PASSporT (matched without regard to ASCII case;
// a non-ASCII letter never matches, so no look-alike of a value is read as that value):
//
//	TN-Validation-Passed-A|B|C                 attest:A, attest:B, attest:C
//	TN-Validation-Passed-A|B|C-Diverted        attest:A-diverted, …
//	TN-Validation-Passed-A|B|C-Passthrough     attest:A-passthrough, …
//	TN-Validation-Failed, TN-Validation-Failed-A|B|C, and their variants   attest:failed
//	No-TN-Validation, NULL, anything else      attest:none
//
// A diverted or passed-through attestation is a different principal from the plain one on
// purpose: a diverted call's PASSporT vouches for the number that forwarded it, and a passed
// through one was not verified by Twilio, so a policy that grants "attest:A" does not grant them.
// An empty value (no StirVerstat) yields "". It does not allocate.
func Attestation(verstat string) string {
	v := strings.TrimSpace(verstat)
	switch {
	case v == "":
		return ""
	case hasPrefixFoldASCII(v, "tn-validation-failed"):
		return attestFailed
	case !hasPrefixFoldASCII(v, attestPassed) || len(v) == len(attestPassed):
		return attestNone
	}
	level := int(v[len(attestPassed)]|0x20) - 'a' // an ASCII letter, lower-cased
	if level < 0 || level >= len(attestLevels) {
		return attestNone
	}
	switch rest := v[len(attestPassed)+1:]; {
	case rest == "":
		return attestLevels[level][0]
	case equalFoldASCII(rest, "-diverted"):
		return attestLevels[level][1]
	case equalFoldASCII(rest, "-passthrough"):
		return attestLevels[level][2]
	}
	return attestNone
}

// The closed set of attest: principals, so that naming one allocates nothing.
const (
	attestPassed = "tn-validation-passed-"
	attestFailed = AttestPrefix + "failed"
	attestNone   = AttestPrefix + "none"
)

var attestLevels = [...][3]string{
	{AttestPrefix + "A", AttestPrefix + "A-diverted", AttestPrefix + "A-passthrough"},
	{AttestPrefix + "B", AttestPrefix + "B-diverted", AttestPrefix + "B-passthrough"},
	{AttestPrefix + "C", AttestPrefix + "C-diverted", AttestPrefix + "C-passthrough"},
}

// equalFoldASCII reports whether s equals lower, a lower-case ASCII string, when ASCII letters
// of s are lower-cased; any other byte must match exactly.
func equalFoldASCII(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c |= 0x20
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// hasPrefixFoldASCII is strings.HasPrefix with [equalFoldASCII].
func hasPrefixFoldASCII(s, lower string) bool {
	return len(s) >= len(lower) && equalFoldASCII(s[:len(lower)], lower)
}

// isFullAttestation reports whether a StirVerstat value is full attestation of the caller's own
// number, the one value Twilio's Voice SDKs call "verified" (the rule of [Attestation]).
func isFullAttestation(verstat string) bool {
	return equalFoldASCII(strings.TrimSpace(verstat), "tn-validation-passed-a")
}

// maxCallerURI bounds the SIP URI or client identity kept in a caller:sip:… or caller:client:…
// principal; a longer one yields only [AnonymousCaller].
const maxCallerURI = 256

// remoteParty returns the other end of a call as a verified request names it, from Direction:
// From when it is "inbound", To when it is "outbound-api" or "outbound-dial" (the number the call
// was placed to). With any other Direction, or none, known is false and remote is "": a signed
// request re-targeted to a URL whose signature still holds without the Direction field must not
// turn the callee's number into the caller's.
func remoteParty(get func(string) string) (remote string, inbound, known bool) {
	switch get("Direction") {
	case "inbound":
		return get("From"), true, true
	case "outbound-api", "outbound-dial":
		return get("To"), false, true
	}
	return "", false, false
}

// appendCallerFacts appends what a verified request says about its caller besides the
// caller:+E164 principal: [AnonymousCaller] (and caller:sip:… or caller:client:…) when remote
// is not an E.164 number; on inbound calls, the [Attestation] of verstat, and attested, the
// [AttestedCaller] name when [isAttestedCaller] holds (else "").
func appendCallerFacts(dst []string, remote string, inbound bool, verstat, attested string) []string {
	if !IsE164(remote) {
		dst = append(dst, AnonymousCaller)
		if (strings.HasPrefix(remote, "sip:") || strings.HasPrefix(remote, "client:")) && printableURI(remote) {
			dst = append(dst, CallerPrefix+remote)
		}
	}
	if !inbound {
		return dst // StirVerstat describes an inbound caller's number
	}
	if a := Attestation(verstat); a != "" {
		dst = append(dst, a)
	}
	if attested != "" {
		dst = append(dst, attested)
	}
	return dst
}

// isAttestedCaller reports whether a request names an [AttestedCaller]: an inbound call from an
// E.164 number with full attestation.
func isAttestedCaller(remote string, inbound bool, verstat string) bool {
	return inbound && IsE164(remote) && isFullAttestation(verstat)
}

// printableURI reports whether s is short and holds only printable ASCII other than a space, so
// that it can be a principal name that a policy line can spell.
func printableURI(s string) bool {
	if len(s) > maxCallerURI {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' || s[i] == ',' {
			return false
		}
	}
	return true
}
