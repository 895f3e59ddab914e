// Package backend asks an operator's backend for a call's data: it POSTs the call's context as
// JSON, signed the way Twilio signs its webhooks, and turns the JSON answer into variables.
//
// # Checking the signature on the backend
//
// A request carries X-Twilio-Signature computed exactly as Twilio computes it for a JSON body,
// with the key the server was given ([Options].Key) in place of an auth token: the URL gets a
// bodySHA256 query parameter (the body's SHA-256 in lower-case hex), and the signature is the
// base64 HMAC-SHA1 of that full URL under the key. So any Twilio SDK's validator checks it —
// twilio-go's client.NewRequestValidator(key).ValidateBody(url, body, signature), the Node
// library's validateRequestWithBody, Python's RequestValidator.validate — given the key, the
// URL the backend was called at (query included) and the raw body.
package backend
