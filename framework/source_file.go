package framework

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/switchboard-ivr/switchboard/framework/authz"
	"github.com/switchboard-ivr/switchboard/framework/flow"
)

// The rules every configuration file is read under. A configuration file is a regular file (a
// named pipe would hang the read, and with it every reload), of at most maxConfigBytes, read
// within readDeadline, that no other user may change: whoever can write the policy can let
// themselves in. Credential files are stricter still (see [CredentialFile]).
const maxConfigBytes = 4 << 20

// readDeadline bounds the read of one configuration file. It is a variable only so that tests
// can shorten it.
var readDeadline = 5 * time.Second

// fileKind says what a file is for, in the words errors use, and how strictly it is guarded.
type fileKind struct {
	what   string // "flow file", "policy file"
	secret bool   // credentials: no access at all for other users, owned by this user or root
}

var (
	flowFile   = fileKind{what: "flow file"}
	modelFile  = fileKind{what: "model file"}
	policyFile = fileKind{what: "policy file"}
)

// FileSource is a configuration file: a YAML flow, a Casbin model or a policy. Every load reads
// it anew under the rules above, and [App.Watch] polls it for change (a rename over it, as
// editors and configuration managers do, is seen too; so is a chmod).
type FileSource struct {
	path string

	mu     sync.Mutex
	loaded stamp // the file as the last load found it; zero when it was missing
}

// File returns the source for the configuration file at path.
func File(path string) *FileSource { return &FileSource{path: path} }

func (f *FileSource) String() string { return f.path }

// LoadFlow reads and parses the file as a YAML flow.
func (f *FileSource) LoadFlow(ctx context.Context, opts *flow.Options) (*flow.Flow, flow.Problems) {
	data, err := f.read(ctx, flowFile)
	if err != nil {
		msg := err.Error()
		var fe *fileError
		if errors.As(err, &fe) {
			msg = fe.problem // the position names the file
		}
		return nil, flow.Problems{{Pos: flow.Pos{File: f.path}, Message: msg}}
	}
	return flow.Parse(f.path, data, opts)
}

// LoadModel reads the file as a Casbin model.
func (f *FileSource) LoadModel(ctx context.Context) (string, error) {
	data, err := f.read(ctx, modelFile)
	return string(data), err
}

// LoadPolicy reads the file as a policy, each line with its line number as its origin.
func (f *FileSource) LoadPolicy(ctx context.Context) (authz.Policy, error) {
	data, err := f.read(ctx, policyFile)
	if err != nil {
		return authz.Policy{}, err
	}
	return authz.PolicyText(f.path, string(data)), nil
}

// Watch calls changed whenever the file's stamp (modification time, size, mode, owner, inode)
// differs from what the last load read, checking every poll.
func (f *FileSource) Watch(ctx context.Context, poll time.Duration, changed func()) {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := statStamp(f.path)
		f.mu.Lock()
		same := now == f.loaded
		f.mu.Unlock()
		if !same {
			changed()
		}
	}
}

// read reads the file under the rules of kind and remembers its stamp for Watch.
func (f *FileSource) read(ctx context.Context, kind fileKind) ([]byte, error) {
	data, st, err := readConfig(ctx, f.path, kind)
	f.mu.Lock()
	f.loaded = st
	f.mu.Unlock()
	return data, err
}

// fileError is a configuration file that could not be read, or was refused.
type fileError struct {
	path, problem string
}

func (e *fileError) Error() string { return e.path + ": " + e.problem }

// readConfig reads the configuration file at path: a regular file (refused before a byte is
// read, so that a named pipe cannot hang the caller), guarded as kind requires, of at most
// maxConfigBytes, within readDeadline. It returns the file's stamp even when it refuses it, so
// that Watch sees a fix (a chmod) as a change.
func readConfig(ctx context.Context, path string, kind fileKind) ([]byte, stamp, error) {
	// O_NONBLOCK: opening a named pipe for reading would otherwise wait for a writer. It changes
	// nothing for a regular file.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, stamp{}, &fileError{path, "cannot read the " + kind.what + ": " + err.Error()}
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, stamp{}, &fileError{path, "cannot read the " + kind.what + ": " + err.Error()}
	}
	st := stampOf(fi)
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, st, &fileError{path, fmt.Sprintf("the %s is a %s, not a regular file; refusing to read it", kind.what, fileType(fi.Mode()))}
	}
	if err := checkOwnership(path, fi, kind); err != nil {
		f.Close()
		return nil, st, &fileError{path, err.Error()}
	}
	if fi.Size() > maxConfigBytes {
		f.Close()
		return nil, st, &fileError{path, fmt.Sprintf("the %s is %d bytes, over the limit of %d: is it the right file?", kind.what, fi.Size(), maxConfigBytes)}
	}
	data, err := readWithin(ctx, f, maxConfigBytes)
	if err != nil {
		return nil, st, &fileError{path, "cannot read the " + kind.what + ": " + err.Error()}
	}
	return data, st, nil
}

// errFileTooLarge is a file that grew past the limit while it was read.
var errFileTooLarge = fmt.Errorf("over the limit of %d bytes", maxConfigBytes)

// readWithin reads at most limit bytes of f and closes it, giving up after readDeadline or when
// ctx is done. A read the file system never answers (a hung network mount) keeps one goroutine
// until it does, never the caller.
func readWithin(ctx context.Context, f *os.File, limit int64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, readDeadline)
	defer cancel()
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := io.ReadAll(io.LimitReader(f, limit+1))
		done <- result{data, err}
	}()
	select {
	case r := <-done:
		f.Close()
		if r.err == nil && int64(len(r.data)) > limit {
			return nil, errFileTooLarge
		}
		return r.data, r.err
	case <-ctx.Done():
		f.Close()
		return nil, fmt.Errorf("no answer within %v: is the file system hung?", readDeadline)
	}
}

// fileType names what a path that is not a regular file is.
func fileType(m fs.FileMode) string {
	switch {
	case m&fs.ModeDir != 0:
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}

// statStamp stamps the file at path as it is now; a missing file stamps as zero.
func statStamp(path string) stamp {
	fi, err := os.Stat(path)
	if err != nil {
		return stamp{}
	}
	return stampOf(fi)
}
