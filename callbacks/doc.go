// Package callbacks receives Twilio's status, recording and transcription callbacks — answering
// each with an empty 200, once per event however often Twilio retries it — and delivers them to
// the operator's backend (signed, retried, through a bounded queue) or logs them.
package callbacks
