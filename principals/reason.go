package principals

// A Reason is why a policy did not vouch for a request whose credentials it examined. Reasons
// are a closed set, the Err… values of this package: match one with [errors.Is] on the error a
// policy returns (a *[Failure] wraps its Reason), and use [Reason.Label] where a short, stable
// name is needed, such as a metric label value. A Reason never carries text from the request;
// details go to [Failure.Hint] and [Failure.Err], which are for log lines only.
type Reason struct {
	label, text string
}

// Error returns the reason as a phrase for log lines, such as "signature mismatch".
func (r *Reason) Error() string {
	if r == nil {
		return "unknown reason"
	}
	return r.text
}

// Label returns the reason's short name, lower-case letters and '_', such as
// "signature_mismatch". It is one of the labels of [Reasons], or "unknown" for a Reason that
// this package did not declare (the zero Reason).
func (r *Reason) Label() string {
	if r == nil || r.label == "" {
		return "unknown"
	}
	return r.label
}

// Reasons the Twilio policy gives.
var (
	ErrMissingSignature   = &Reason{"missing_signature", "missing X-Twilio-Signature"}
	ErrDuplicateSignature = &Reason{"duplicate_signature", "duplicate X-Twilio-Signature header"}
	ErrMalformedSignature = &Reason{"malformed_signature", "malformed X-Twilio-Signature (not base64 of an HMAC digest)"}
	ErrSignatureMismatch  = &Reason{"signature_mismatch", "signature mismatch"}
	ErrBodyTooLarge       = &Reason{"body_too_large", "body too large"}
	ErrBodyUnreadable     = &Reason{"body_unreadable", "body could not be read"}
	ErrMalformedForm      = &Reason{"malformed_form", "malformed form body (bad % escape)"}
	// ErrMalformedFormKey: a form key holds a byte other than an ASCII letter, a digit, '_', '.'
	// or '-'. Twilio's parameter names never do; see [TwilioPolicy] for why such a key is refused.
	ErrMalformedFormKey   = &Reason{"malformed_form_key", "malformed form key (only letters, digits, _ . - are Twilio's)"}
	ErrMissingBodySHA256  = &Reason{"missing_body_sha256", "JSON body without a bodySHA256 query parameter"}
	ErrBodySHA256Mismatch = &Reason{"body_sha256_mismatch", "body does not match bodySHA256"}
	ErrUnknownAccount     = &Reason{"unknown_account", "no auth token for this AccountSid"}
	ErrHostNotAllowed     = &Reason{"host_not_allowed", "host is not one of the allowed hosts"}
	// ErrMalformedSignatureSettings: X-Twilio-Webhooks-Signature-Settings is not
	// "key=<id>,algorithm=<name>", or repeats.
	ErrMalformedSignatureSettings = &Reason{"malformed_signature_settings", "malformed X-Twilio-Webhooks-Signature-Settings"}
	ErrUnknownSharedKey           = &Reason{"unknown_shared_key", "no secret for the webhook shared key named in X-Twilio-Webhooks-Signature-Settings"}
	ErrUnknownAlgorithm           = &Reason{"unknown_algorithm", "unsupported algorithm in X-Twilio-Webhooks-Signature-Settings (HMAC_SHA1 or HMAC_SHA256)"}
)

// Reasons the API key and Basic policies give.
var (
	ErrMalformedBearer    = &Reason{"malformed_bearer", "malformed bearer token"}
	ErrUnknownKey         = &Reason{"unknown_key", "unknown API key"}
	ErrDuplicateAuth      = &Reason{"duplicate_authorization", "duplicate Authorization header"}
	ErrMalformedBasic     = &Reason{"malformed_basic", "malformed Basic credentials"}
	ErrUnknownCredentials = &Reason{"unknown_credentials", "unknown user or wrong password"}
)

// Reasons returns every Reason this package declares, for code that registers label values up
// front. The slice is new on each call.
func Reasons() []*Reason {
	return []*Reason{
		ErrMissingSignature, ErrDuplicateSignature, ErrMalformedSignature, ErrSignatureMismatch,
		ErrBodyTooLarge, ErrBodyUnreadable, ErrMalformedForm, ErrMalformedFormKey,
		ErrMissingBodySHA256, ErrBodySHA256Mismatch, ErrUnknownAccount, ErrHostNotAllowed,
		ErrMalformedSignatureSettings, ErrUnknownSharedKey, ErrUnknownAlgorithm,
		ErrMalformedBearer, ErrUnknownKey, ErrDuplicateAuth, ErrMalformedBasic, ErrUnknownCredentials,
	}
}
