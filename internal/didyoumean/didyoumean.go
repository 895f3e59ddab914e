// Package didyoumean suggests the known name a mistyped one was meant to be.
package didyoumean

import "fmt"

// maxLen bounds the names Hint compares: the distance costs len(a)·len(b), and a name longer
// than this is not one a person mistyped by a letter or two.
const maxLen = 256

// Hint returns ` (did you mean "x"?)` for the first name in known within two edits of name, the
// nearest winning, or "" when there is none. Names longer than 256 bytes are never suggested.
// Callers that want a stable suggestion pass known sorted.
func Hint(name string, known []string) string {
	best, bestD := "", 3
	if len(name) > maxLen {
		return ""
	}
	for _, k := range known {
		if len(k) > maxLen || abs(len(k)-len(name)) >= bestD {
			continue // the distance is at least the difference in length
		}
		if d := Distance(name, k); d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// Distance is the Levenshtein distance of a and b, in bytes: the fewest single-byte insertions,
// deletions and substitutions that turn a into b. It takes time len(a)·len(b).
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
