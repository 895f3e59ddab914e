package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/switchboard-ivr/switchboard/backend"
	"github.com/switchboard-ivr/switchboard/framework"
)

// maxStubFile bounds a stub file: one backend answer, within backend.MaxAnswer.
const maxStubFile = backend.MaxAnswer

// StubFail is the stub that fails every fetch, as a backend that is down: its menus' on_error.
const StubFail = "fail"

// Stub is a backend that answers every fetch with the same JSON object, checked against the
// same bounds as a real backend's answer ([backend.ParseVars]), or fails every fetch.
type Stub struct {
	vars backend.Vars
	err  error
}

// ErrStubFailed is what a failing stub's fetches return.
var ErrStubFailed = errors.New("the stub backend fails every fetch")

// NewStub returns a stub answering with answer, a JSON object such as {"balance": 42.10}; the
// text StubFail makes one that fails every fetch.
func NewStub(answer []byte) (*Stub, error) {
	if strings.TrimSpace(string(answer)) == StubFail {
		return &Stub{err: ErrStubFailed}, nil
	}
	vars, err := backend.ParseVars(answer)
	if err != nil {
		return nil, err
	}
	return &Stub{vars: vars}, nil
}

// LoadStub reads a stub's answer from a file, or returns a failing stub for the name StubFail.
func LoadStub(path string) (*Stub, error) {
	if path == StubFail {
		return &Stub{err: ErrStubFailed}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxStubFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxStubFile {
		return nil, fmt.Errorf("%s: over %d bytes, more than a backend may answer", path, maxStubFile)
	}
	s, err := NewStub(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// Fetch answers the stub's variables, or its failure.
func (s *Stub) Fetch(context.Context, backend.Call) (backend.Vars, error) {
	if s.err != nil {
		return nil, s.err
	}
	out := make(backend.Vars, len(s.vars))
	for k, v := range s.vars {
		out[k] = v
	}
	return out, nil
}

var _ framework.Fetcher = (*Stub)(nil)
