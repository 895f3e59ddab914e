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

// cleanReadOnlySpans returns the mappings of the file exe listed in smaps (the text of
// /proc/self/smaps) that the process cannot write and has never written: code, read-only data,
// function tables. Writable mappings hold the program's variables; a read-only mapping with
// anonymous pages was written before it was made read-only (relocations a dynamic loader applied,
// RELRO) and dropping it would undo them. Neither is returned. A mapping whose lines cannot be
// parsed, or that does not say how many anonymous pages it has, is not returned either.
func cleanReadOnlySpans(smaps []byte, exe string) []span {
	var out []span
	var cur span
	candidate, clean := false, false
	flush := func() {
		if candidate && clean {
			out = append(out, cur)
		}
		candidate, clean = false, false
	}
	for line := range bytes.Lines(smaps) {
		line = bytes.TrimSuffix(line, []byte("\n"))
		if v, ok := bytes.CutPrefix(line, []byte("Anonymous:")); ok {
			clean = candidate && string(bytes.TrimSpace(v)) == "0 kB"
			continue
		}
		start, end, perms, path, ok := mappingLine(line)
		if !ok {
			continue // a "Key: value" line of the current mapping
		}
		flush()
		if path == exe && perms[1] != 'w' {
			cur, candidate = span{start, end}, true
		}
	}
	flush()
	return out
}

// mappingLine parses the line that opens a mapping in smaps: address range, permissions,
// offset, device, inode and the pathname, which may hold spaces.
func mappingLine(line []byte) (start, end uintptr, perms []byte, path string, ok bool) {
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
	lo, hi, found := bytes.Cut(f[0], []byte("-"))
	if !found || len(f[1]) != 4 {
		return 0, 0, nil, "", false
	}
	s, err1 := strconv.ParseUint(string(lo), 16, 64)
	e, err2 := strconv.ParseUint(string(hi), 16, 64)
	if err1 != nil || err2 != nil || s >= e || uint64(uintptr(e)) != e {
		return 0, 0, nil, "", false
	}
	return uintptr(s), uintptr(e), f[1], string(bytes.TrimLeft(rest, " ")), true
}
