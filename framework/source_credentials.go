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
	file  *FileSource
	what  string
	parse func(name string, data []byte) (principals.Policy, error)
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
	if err != nil {
		return nil, err
	}
	return c.parse(c.file.path, data)
}

// Watch polls the file; see [FileSource.Watch].
func (c *CredentialFile) Watch(ctx context.Context, poll time.Duration, changed func()) {
	c.file.Watch(ctx, poll, changed)
}
