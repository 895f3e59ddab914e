// Package callstate seals the state a phone call carries in its callback URLs into a short-lived
// token that only the server can mint, bound to one call and one path.
//
// Twilio signs the URLs it calls back, but it signs whatever URL it was given, and anyone who
// captured a request can ask for any URL: a signature proves that Twilio sent the request, not
// that the server ever issued the URL. A token from [Sealer.Seal] is an HMAC-SHA256, under the
// server's own key, over the call SID, the URL path, an expiry and the [State]; [Sealer.Open]
// refuses it in another call, on another path, after its expiry, or under any other key. The
// state stays in the URL, so replicas that share the key stay stateless.
//
// The state may hold the call's variables (a flow's fetch answers), at most [MaxVarsLen] bytes:
// [State.Vars] are readable by whoever sees the URL but cannot be changed; [State.Secret] are
// encrypted (AES-256-GCM under a key derived from the sealing key) and never appear in clear.
package callstate
