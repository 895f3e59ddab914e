//go:build unix

package framework

import (
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// stamp summarises a file as Watch compares it: a new version changes its modification time,
// size or inode (a rename over it), and a chmod or chown changes whether it may be read.
type stamp struct {
	mod      int64
	size     int64
	mode     fs.FileMode
	dev, ino uint64
	uid, gid uint32
}

func stampOf(fi fs.FileInfo) stamp {
	s := stamp{mod: fi.ModTime().UnixNano(), size: fi.Size(), mode: fi.Mode()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.dev, s.ino, s.uid, s.gid = uint64(st.Dev), uint64(st.Ino), st.Uid, st.Gid
	}
	return s
}

// checkOwnership refuses a file that another user could change, and a credential file that
// another user could read or that this server's user (or root) does not own.
//
// Writable by other users means writable by everyone (o+w), or by a group other than the
// owner's own personal group (the group of one that Debian, Ubuntu and Fedora give every user,
// whose umask 002 makes files g+w): whoever can write the policy can let themselves in.
func checkOwnership(path string, fi fs.FileInfo, kind fileKind) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	perm := fi.Mode().Perm()
	if kind.secret {
		if perm&0o077 != 0 {
			return fmt.Errorf("the %s is accessible to other users (mode %#o): its hashes are enough to guess weak keys offline, and whoever can write it can grant themselves any group; restrict it with: chmod 600 %s", kind.what, perm, path)
		}
		if euid := os.Geteuid(); st.Uid != uint32(euid) && st.Uid != 0 {
			return fmt.Errorf("the %s is owned by uid %d, not by this server's user (uid %d) or root: its owner could grant themselves any group; fix it with: chown %d %s", kind.what, st.Uid, euid, euid, path)
		}
		return nil
	}
	if perm&0o002 != 0 || perm&0o020 != 0 && !personalGroup(st.Uid, st.Gid) {
		return fmt.Errorf("the %s is writable by other users (mode %#o): whoever can change it decides who may do what; fix it with: chmod go-w %s", kind.what, perm, path)
	}
	return nil
}

// personalGroup reports whether gid is the personal group of the user uid: the user's primary
// group, named after the user.
func personalGroup(uid, gid uint32) bool {
	u, err := user.LookupId(strconv.FormatUint(uint64(uid), 10))
	if err != nil || u.Gid != strconv.FormatUint(uint64(gid), 10) {
		return false
	}
	g, err := user.LookupGroupId(u.Gid)
	return err == nil && g.Name == u.Username
}
