// Package principals authenticates HTTP requests into effective principals, the way Pyramid's
// security policies do: it only says who a request is, and never refuses one.
//
// A [Policy] looks at a request and vouches for principals; [Authenticate] runs several and
// returns the effective set: always [Everyone], [Authenticated] once some policy vouched, and the
// principals the policies derived. No credential can claim a reserved name. [TwilioPolicy] checks
// X-Twilio-Signature; [APIKeyPolicy] checks operator keys; [BasicPolicy] checks the Basic
// credentials of a webhook URL that carries them. Package principalstest signs test
// requests as Twilio does and checks any Policy against the package's promises.
//
// # What the Twilio policy accepts
//
// It accepts every request that the official SDKs (twilio-python, -node, -java, -php, -ruby and
// twilio-go) accept, and no more, except for strict form keys (below). The URL is rebuilt as
// Twilio was configured with it and tried as rebuilt first; only when that fails does the
// policy try, as every SDK does, the URL with its port removed (whatever the port, IPv6 hosts
// included) or with the scheme's default port added when it has none, the URL with the
// credentials of an "Authorization: Basic" header before the host (a webhook URL such as
// https://user:pass@ivr.example.com/ivr carries them; the server sees them only in that
// header), and the form with repeated identical values counted once.
//
// That last candidate is there because the SDKs disagree on a key that repeats with the same
// value: twilio-python, twilio-node and twilio-php sign such values once, twilio-go,
// twilio-java and twilio-ruby every time, values sorted in both. Twilio's servers are one of
// these; since a request that either convention signed can come from a genuine SDK-built
// client, both verify.
//
// Form keys are strict: a form whose key holds anything but ASCII letters, digits, '_', '.' and
// '-' (the alphabet of every parameter Twilio sends) is refused with [ErrMalformedFormKey].
// The signed text joins the URL, keys and values with no separators, so without this rule a
// captured request could be re-targeted by moving the tail of its URL ("/gather?i=1&n=1") into
// its first form key. With it, a re-targeting can only move bytes of the key alphabet between
// the end of the URL and the first key, or between a value and the next key, which no verifier
// of Twilio's scheme can tell apart from a genuine request.
//
// # What the caller principals prove
//
// "twilio" proves that Twilio made the request. "caller:+E164" is the number the calling network
// claims, which anyone can spoof. "caller-attested:+E164" is that number with SHAKEN/STIR full
// attestation (StirVerstat TN-Validation-Passed-A): the originating carrier vouches that the
// caller may use it. "attest:…" is the attestation level, and "caller:anonymous" is every caller
// whose number is withheld or is not a phone number, so that a deny line can refuse them.
//
// StirVerstat is an ordinary POST field of the voice webhook, and the signature covers every
// POST field: Twilio's webhook-security documentation says the signed text is the URL followed
// by all request parameters, and the official validators (twilio-go's RequestValidator.Validate,
// twilio-node's validateRequest, twilio-python's RequestValidator) hash every field they are
// given, with no list of exceptions. One public repository claims Twilio adds StirVerstat after
// signing; this policy does not rely on either answer being wrong in its favour: it vouches for a
// request only when the signature covers every field sent, StirVerstat included, so an unsigned
// or altered StirVerstat makes the request fail verification and yields no principal at all.
//
// # How the check is built
//
// The canonical text — the URL Twilio was configured with, byte for byte, then each form key and
// value, keys sorted — is built into a reused buffer and compared with hmac.Equal. The form
// parsed to check it is parsed once and shared with handlers through [Identity.Form]. Through
// [Authenticate], the body, the form and the names live in pooled memory lent to the [Result],
// which [Result.Release] takes back for the next request, so that a request answered from a
// compiled flow allocates nothing here. DESIGN.md at the repository root says why this is not
// twilio-go's RequestValidator, with measurements.
package principals
