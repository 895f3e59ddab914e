package framework

import (
	"bytes"
	"context"
	"strings"
	"time"

	"github.com/switchboard-ivr/switchboard/pin"
)

// PINSource is where the PIN secrets of a flow's pin nodes come from (package pin). Like
// credentials, they fail closed: a load that cannot read them keeps the running configuration.
type PINSource interface {
	Source
	// LoadPINs returns the secrets as the source holds them now.
	LoadPINs(ctx context.Context) (*pin.Secrets, error)
}

// PINFileSource is a PIN secrets file as a [PINSource], read under the rules of a credentials
// file: no other user may read or write it (chmod 600), and it must belong to the server's user
// or to root.
type PINFileSource struct{ file *FileSource }

// PINFile returns the source of the PIN secrets file at path (see pin.Parse for its lines, and
// `switchboard key --pin` to make them).
func PINFile(path string) *PINFileSource { return &PINFileSource{file: File(path)} }

func (p *PINFileSource) String() string { return p.file.path }

// LoadPINs reads and parses the file.
func (p *PINFileSource) LoadPINs(ctx context.Context) (*pin.Secrets, error) {
	data, err := p.file.read(ctx, fileKind{what: "PIN secrets file", secret: true})
	if err != nil {
		return nil, err
	}
	return pin.Parse(p.file.path, bytes.NewReader(data))
}

// Watch polls the file; see [FileSource.Watch].
func (p *PINFileSource) Watch(ctx context.Context, poll time.Duration, changed func()) {
	p.file.Watch(ctx, poll, changed)
}

// LoadPINs parses the text as a PIN secrets file.
func (t TextSource) LoadPINs(context.Context) (*pin.Secrets, error) {
	return pin.Parse(t.name, strings.NewReader(t.text))
}
