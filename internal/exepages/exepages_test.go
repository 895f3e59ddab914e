package exepages

import (
	"reflect"
	"strings"
	"testing"
)

const sampleMaps = `00400000-0136a000 r-xp 00000000 fd:01 1234                               /usr/local/bin/switchboard
0136a000-02479000 r--p 00f6a000 fd:01 1234                               /usr/local/bin/switchboard
02479000-02528000 rw-p 02079000 fd:01 1234                               /usr/local/bin/switchboard
02528000-04570000 rw-p 00000000 00:00 0
7f0482000000-7f0482100000 r-xp 00000000 fd:01 99                         /usr/local/bin/switchboard-old
7f0483000000-7f0483001000 r--p 00000000 fd:01 77                         /opt/my dir/switchboard
7ffd0e435000-7ffd0e456000 rw-p 00000000 00:00 0                          [stack]
zzzz-0136a000 r-xp 00000000 fd:01 1234                                   /usr/local/bin/switchboard
0136a000-00400000 r--p 00000000 fd:01 1234                               /usr/local/bin/switchboard
0136a000 r--p 00000000 fd:01 1234                                        /usr/local/bin/switchboard
`

func TestReadOnlySpansAreTheExecutablesUnwritableMappings(t *testing.T) {
	tests := []struct {
		name, exe string
		want      []span
	}{
		{"code and read-only data, not variables", "/usr/local/bin/switchboard", []span{{0x400000, 0x136a000}, {0x136a000, 0x2479000}}},
		{"a path with a space", "/opt/my dir/switchboard", []span{{0x7f0483000000, 0x7f0483001000}}},
		{"another file", "/usr/bin/other", nil},
		{"a prefix of a path is not the path", "/usr/local/bin/switch", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := readOnlySpans([]byte(sampleMaps), tt.exe); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %x, want %x", got, tt.want)
			}
		})
	}
}

func FuzzReadOnlySpans(f *testing.F) {
	f.Add([]byte(sampleMaps), "/usr/local/bin/switchboard")
	f.Add([]byte("1-2 r-xp 0 0 0 x\n"), "x")
	f.Add([]byte("1-2 rw-p 0 0 0 x"), "x")
	f.Fuzz(func(t *testing.T, maps []byte, exe string) {
		for _, s := range readOnlySpans(maps, exe) {
			if s.Start >= s.End {
				t.Fatalf("span %x is empty or reversed", s)
			}
		}
		// A writable mapping is never returned: remove every line that is not, and nothing is left.
		var writable []string
		for _, line := range strings.Split(string(maps), "\n") {
			if f := strings.Fields(line); len(f) > 1 && len(f[1]) == 4 && f[1][1] == 'w' {
				writable = append(writable, line)
			}
		}
		if got := readOnlySpans([]byte(strings.Join(writable, "\n")), exe); len(got) != 0 {
			t.Fatalf("writable mappings returned: %x from %q", got, writable)
		}
	})
}
