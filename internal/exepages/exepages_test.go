package exepages

import (
	"reflect"
	"strings"
	"testing"
)

// sampleSmaps is /proc/self/smaps of a process running /usr/local/bin/switchboard, shortened:
// code, read-only data, a RELRO mapping a dynamic loader wrote before making it read-only, the
// variables, other files and anonymous memory, then lines that are not mappings.
const sampleSmaps = `00400000-0136a000 r-xp 00000000 fd:01 1234                               /usr/local/bin/switchboard
Size:              15784 kB
Rss:                8296 kB
Anonymous:             0 kB
0136a000-02479000 r--p 00f6a000 fd:01 1234                               /usr/local/bin/switchboard
Rss:               11164 kB
Anonymous:             0 kB
02479000-0247b000 r--p 02079000 fd:01 1234                               /usr/local/bin/switchboard
Rss:                   8 kB
Anonymous:             8 kB
0247b000-02528000 rw-p 0207b000 fd:01 1234                               /usr/local/bin/switchboard
Rss:                 572 kB
Anonymous:           188 kB
02528000-04570000 rw-p 00000000 00:00 0
Anonymous:           120 kB
7f0482000000-7f0482100000 r-xp 00000000 fd:01 99                         /usr/local/bin/switchboard-old
Anonymous:             0 kB
7f0483000000-7f0483001000 r--p 00000000 fd:01 77                         /opt/my dir/switchboard
Anonymous:             0 kB
7f0484000000-7f0484001000 r--p 00000000 fd:01 1234                       /usr/local/bin/switchboard
Rss:                   4 kB
7ffd0e435000-7ffd0e456000 rw-p 00000000 00:00 0                          [stack]
Anonymous:            16 kB
zzzz-0136a000 r-xp 00000000 fd:01 1234                                   /usr/local/bin/switchboard
Anonymous:             0 kB
0136a000-00400000 r--p 00000000 fd:01 1234                               /usr/local/bin/switchboard
Anonymous:             0 kB
`

func TestCleanReadOnlySpansAreTheExecutablesUnwrittenMappings(t *testing.T) {
	tests := []struct {
		name, exe string
		want      []span
	}{
		{"code and read-only data; not RELRO, variables, a mapping without its count, or bad lines",
			"/usr/local/bin/switchboard", []span{{0x400000, 0x136a000}, {0x136a000, 0x2479000}}},
		{"a path with a space", "/opt/my dir/switchboard", []span{{0x7f0483000000, 0x7f0483001000}}},
		{"another file", "/usr/bin/other", nil},
		{"a prefix of a path is not the path", "/usr/local/bin/switch", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cleanReadOnlySpans([]byte(sampleSmaps), tt.exe); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %x, want %x", got, tt.want)
			}
		})
	}
}

func FuzzCleanReadOnlySpans(f *testing.F) {
	f.Add([]byte(sampleSmaps), "/usr/local/bin/switchboard")
	f.Add([]byte("1-2 r-xp 0 0 0 x\nAnonymous: 0 kB\n"), "x")
	f.Add([]byte("1-2 rw-p 0 0 0 x\nAnonymous: 0 kB"), "x")
	f.Add([]byte("1-2 r--p 0 0 0 x\nAnonymous: 4 kB\n"), "x")
	f.Fuzz(func(t *testing.T, smaps []byte, exe string) {
		got := cleanReadOnlySpans(smaps, exe)
		for _, s := range got {
			if s.Start >= s.End {
				t.Fatalf("span %x is empty or reversed", s)
			}
		}
		// Every span returned opens with a mapping line of exe, not writable, whose block says
		// "Anonymous: 0 kB" and nothing else about anonymous pages.
		type block struct {
			s    span
			ok   bool
			anon []string
		}
		var blocks []block
		for _, line := range strings.Split(string(smaps), "\n") {
			if st, en, perms, path, ok := mappingLine([]byte(line)); ok {
				blocks = append(blocks, block{s: span{st, en}, ok: path == exe && perms[1] != 'w'})
			} else if v, ok := strings.CutPrefix(line, "Anonymous:"); ok && len(blocks) > 0 {
				blocks[len(blocks)-1].anon = append(blocks[len(blocks)-1].anon, strings.TrimSpace(v))
			}
		}
		var want []span
		for _, b := range blocks {
			if b.ok && len(b.anon) > 0 && b.anon[len(b.anon)-1] == "0 kB" {
				want = append(want, b.s)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %x, want %x from %q", got, want, smaps)
		}
	})
}
