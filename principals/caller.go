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
// voice webhook of a call that carried a SHAKEN PASSporT (matched without regard to case):
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
// An empty value (no StirVerstat) yields "".
func Attestation(verstat string) string {
	v := strings.ToLower(strings.TrimSpace(verstat))
	if v == "" {
		return ""
	}
	if strings.HasPrefix(v, "tn-validation-failed") {
		return AttestPrefix + "failed"
	}
	rest, ok := strings.CutPrefix(v, "tn-validation-passed-")
	if !ok || rest == "" {
		return AttestPrefix + "none"
	}
	level := rest[0]
	if level != 'a' && level != 'b' && level != 'c' {
		return AttestPrefix + "none"
	}
	lv := string(level - 'a' + 'A')
	switch rest[1:] {
	case "":
		return AttestPrefix + lv
	case "-diverted":
		return AttestPrefix + lv + "-diverted"
	case "-passthrough":
		return AttestPrefix + lv + "-passthrough"
	}
	return AttestPrefix + "none"
}

// isFullAttestation reports whether a StirVerstat value is full attestation of the caller's own
// number, the one value Twilio's Voice SDKs call "verified".
func isFullAttestation(verstat string) bool {
	return strings.EqualFold(strings.TrimSpace(verstat), "TN-Validation-Passed-A")
}

// maxCallerURI bounds the SIP URI or client identity kept in a caller:sip:… or caller:client:…
// principal; a longer one yields only [AnonymousCaller].
const maxCallerURI = 256

// remoteParty returns the other end of a call as a verified request names it: From on inbound
// calls, To when Direction starts with "outbound" (the number the call was placed to).
func remoteParty(get func(string) string) (remote string, inbound bool) {
	if strings.HasPrefix(get("Direction"), "outbound") {
		return get("To"), false
	}
	return get("From"), true
}

// appendCallerFacts appends what a verified request says about its caller besides the
// caller:+E164 principal: [AnonymousCaller] (and caller:sip:… or caller:client:…) when remote
// is not an E.164 number; on inbound calls, the [Attestation] of verstat, and
// [AttestedCaller] when remote is an E.164 number with full attestation.
func appendCallerFacts(dst []string, remote string, inbound bool, verstat string) []string {
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
	if IsE164(remote) && isFullAttestation(verstat) {
		dst = append(dst, AttestedCaller(remote))
	}
	return dst
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
