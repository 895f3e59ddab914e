// Package exepages gives back the pages of the running executable that start-up mapped and
// serving does not use.
//
// Linux maps a file's pages around each page fault, 16 at a time when they are in the page
// cache, and a Go program's start-up (every package's initialisation, the flags, a flow's load and
// compile) touches code and tables all over its binary. Those pages count in the process's
// resident set for as long as it runs. Release unmaps the executable's read-only mappings once
// start-up is over; what the process uses afterwards is mapped again on first touch, at the cost
// of a minor fault a page. The pages stay in the page cache (shared with every other process
// running the binary), so nothing is read from disk again while the machine has memory to spare.
package exepages

import (
	"bytes"
	"strconv"
)

// A span is one mapping of the executable: [Start, End) in the process's address space.
type span struct{ Start, End uintptr }

// readOnlySpans returns the mappings of the file exe listed in maps (the text of
// /proc/self/maps) that the process cannot write: code, read-only data, function tables.
// Writable mappings hold the program's variables and are never returned. Lines it cannot parse
// are skipped.
func readOnlySpans(maps []byte, exe string) []span {
	var out []span
	for line := range bytes.Lines(maps) {
		line = bytes.TrimSuffix(line, []byte("\n"))
		// address perms offset dev inode pathname; the pathname may hold spaces.
		var f [5][]byte
		rest := line
		for i := range f {
			rest = bytes.TrimLeft(rest, " ")
			j := bytes.IndexByte(rest, ' ')
			if j < 0 {
				j = len(rest)
			}
			f[i], rest = rest[:j], rest[j:]
		}
		perms := f[1]
		if len(perms) != 4 || perms[1] == 'w' || string(bytes.TrimLeft(rest, " ")) != exe {
			continue
		}
		lo, hi, ok := bytes.Cut(f[0], []byte("-"))
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(string(lo), 16, 64)
		end, err2 := strconv.ParseUint(string(hi), 16, 64)
		if err1 != nil || err2 != nil || start >= end || uint64(uintptr(end)) != end {
			continue
		}
		out = append(out, span{uintptr(start), uintptr(end)})
	}
	return out
}
