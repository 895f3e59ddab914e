package framework

import (
	"bytes"
	"context"
	"time"

	"github.com/switchboard-ivr/switchboard/principals"
)

// CredentialFile is a file of credentials, such as operator API keys, as a [CredentialSource].
// It is read under the rules of every configuration file, and stricter ones: no other user may
// read or write it (chmod 600), and it must belong to the server's user or to root. A load that
// cannot read it, or refuses it, leaves none of its credentials in force.
type CredentialFile struct {
	file   *FileSource
	what   string
	parse  func(name string, data []byte) (principals.Policy, error)
	failed func() // withdraws what an earlier load put in force elsewhere; may be nil
}

// NewCredentialFile returns the source of the credentials file at path, which parse turns into
// an authentication policy; what names the kind of file in errors ("keys file").
func NewCredentialFile(path, what string, parse func(name string, data []byte) (principals.Policy, error)) *CredentialFile {
	return &CredentialFile{file: File(path), what: what, parse: parse}
}

// APIKeysFile returns the source of an operator API keys file (see principals.ParseAPIKeys).
func APIKeysFile(path string) *CredentialFile {
	return NewCredentialFile(path, "keys file", func(name string, data []byte) (principals.Policy, error) {
		p, err := principals.ParseAPIKeys(name, bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		return p, nil
	})
}

func (c *CredentialFile) String() string { return c.file.path }

// LoadCredentials reads and parses the file.
func (c *CredentialFile) LoadCredentials(ctx context.Context) (principals.Policy, error) {
	data, err := c.file.read(ctx, fileKind{what: c.what, secret: true})
	var p principals.Policy
	if err == nil {
		p, err = c.parse(c.file.path, data)
	}
	if err != nil {
		if c.failed != nil {
			c.failed()
		}
		return nil, err
	}
	return p, nil
}

// BasicFile returns the source of a Basic credentials file (see principals.NewBasic) whose
// users it keeps in into: every load puts the file's users in force there, or none at all when
// the file cannot be read or is refused. Give into to the Twilio policy too
// (principals.TwilioOptions.Credentials), so that the URL credentials Twilio signs are checked
// against the same users, and revoked with them. into may be a zero BasicPolicy: no user until
// the first load.
func BasicFile(path string, into *principals.BasicPolicy) *CredentialFile {
	c := NewCredentialFile(path, "Basic credentials file", func(name string, data []byte) (principals.Policy, error) {
		p, err := principals.NewBasic(name, bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		into.Update(p)
		return into, nil
	})
	c.failed = func() { into.Update(nil) }
	return c
}

// Watch polls the file; see [FileSource.Watch].
func (c *CredentialFile) Watch(ctx context.Context, poll time.Duration, changed func()) {
	c.file.Watch(ctx, poll, changed)
}
