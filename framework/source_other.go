//go:build !unix

package framework

import "io/fs"

// stamp summarises a file as Watch compares it: a new version changes its modification time or
// size, and a change of attributes its mode.
type stamp struct {
	mod  int64
	size int64
	mode fs.FileMode
}

func stampOf(fi fs.FileInfo) stamp {
	return stamp{mod: fi.ModTime().UnixNano(), size: fi.Size(), mode: fi.Mode()}
}

// checkOwnership checks nothing where permissions are not Unix mode bits (Windows): there the
// directory's access control lists guard configuration files.
func checkOwnership(string, fs.FileInfo, fileKind) error { return nil }
