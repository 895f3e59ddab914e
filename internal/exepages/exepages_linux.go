package exepages

import (
	"fmt"
	"os"
	"syscall"
)

// Release unmaps the running executable's read-only mappings that it never wrote (code,
// read-only data, function tables) and returns how many bytes of address space they cover. Call it once start-up is
// over: the pages serving uses are mapped again as it touches them. The program's variables
// (writable mappings) are left alone. It does nothing, and says why, when the executable or its
// mappings cannot be read.
func Release() (int64, error) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return 0, fmt.Errorf("exepages: %w", err)
	}
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return 0, fmt.Errorf("exepages: %w", err)
	}
	var n int64
	for _, s := range cleanReadOnlySpans(smaps, exe) {
		// MADV_DONTNEED on a private file mapping drops the process's view of the pages; as
		// these were never written, the next touch maps the same bytes from the page cache.
		if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, s.Start, s.End-s.Start, syscall.MADV_DONTNEED); errno != 0 {
			return n, fmt.Errorf("exepages: madvise %#x-%#x: %w", s.Start, s.End, errno)
		}
		n += int64(s.End - s.Start)
	}
	return n, nil
}
