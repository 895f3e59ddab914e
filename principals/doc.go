// Package principals authenticates HTTP requests into effective principals, the way Pyramid's
// security policies do: it only says who a request is, and never refuses one.
//
// A [Policy] looks at a request and vouches for principals; [Authenticate] runs several and
// returns the effective set: always [Everyone], [Authenticated] once some policy vouched, and the
// principals the policies derived. No credential can claim a reserved name. [TwilioPolicy] checks
// X-Twilio-Signature; [APIKeyPolicy] checks operator keys. Package principalstest signs test
// requests as Twilio does and checks any Policy against the package's promises.
//
// # Why the Twilio check is not twilio-go's client.RequestValidator
//
// We ran the SDKs' own published test vectors through twilio-go v1.31.0's RequestValidator. It
// gets six kinds of input wrong:
//   - it keeps only the first value of a repeated form key;
//   - it re-encodes non-ASCII paths when it tries the URL with the port changed;
//   - it breaks IPv6 hosts that carry a port ("[::1]:8443");
//   - it lower-cases the scheme of the port-changed URL;
//   - it rejects a form body that contains a ';' (Go's url.ParseQuery refuses it);
//   - it rejects a URL with a malformed % escape.
//
// Its validation also cost about two thirds of a bare Echo server's throughput in our load test
// (url.Parse and String several times, a map, fmt.Sprintf per field, a fresh HMAC per try). The
// canonical text is simple — the URL Twilio was configured with, byte for byte, then each form key
// and value, keys sorted — so this package builds it itself into a reused buffer, with
// crypto/hmac states kept in a sync.Pool, and compares with hmac.Equal. The form it parses to
// check the signature is parsed once and shared with handlers through [Identity.Form], a slice
// of the decoded pairs: no url.Values map is built unless someone asks for one. The tests use
// twilio-go's validator as a differential oracle on the inputs where it is right.
package principals
