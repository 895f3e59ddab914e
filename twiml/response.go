package twiml

import "errors"

// ContentType is the Content-Type to serve rendered TwiML with.
const ContentType = "text/xml; charset=utf-8"

// MaxSize is the largest TwiML document Twilio accepts, in bytes (error 11750 above it).
const MaxSize = 64 * 1024

// ErrTooLarge is returned (wrapped) when a document renders to more than [MaxSize] bytes.
var ErrTooLarge = errors.New("twiml: document exceeds Twilio's 64 kB limit")

// Render returns the document as bytes. Render it once and serve the bytes many times.
func (r Response) Render() ([]byte, error) { return r.AppendTo(nil) }

// AppendTo appends the rendered document to dst. It fails with [ErrTooLarge] rather than cut a
// document Twilio would refuse.
func (r Response) AppendTo(dst []byte) ([]byte, error) {
	panic("twiml: AppendTo not implemented yet") // replaced by the renderer
}
