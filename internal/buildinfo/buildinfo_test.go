package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestInfoComesFromTheBuildInformation(t *testing.T) {
	tests := []struct {
		name  string
		given *debug.BuildInfo
		ok    bool
		want  string
	}{
		{"no build information", nil, false, "switchboard (unknown)"},
		{"go install of a tag", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: Module, Version: "v1.2.0"}},
			true, "switchboard v1.2.0 (go1.26.0)"},
		{"a clone with changes", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: Module, Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}},
			true, "switchboard (devel) (commit 0123456789ab+modified, go1.26.0)"},
		{"a program that uses Switchboard", &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Path: "example.com/ivr", Version: "v0.1.0"},
			Deps: []*debug.Module{{Path: "golang.org/x/net", Version: "v0.60.0"}, {Path: Module, Version: "v1.3.0"}}},
			true, "switchboard v1.3.0 (go1.26.1)"},
		{"a program that replaces Switchboard", &debug.BuildInfo{GoVersion: "go1.26.1", Main: debug.Module{Path: "example.com/ivr"},
			Deps: []*debug.Module{{Path: Module, Version: "v1.3.0", Replace: &debug.Module{Path: "../switchboard"}}}},
			true, "switchboard v1.3.0 => ../switchboard (go1.26.1)"},
		{"empty main version", &debug.BuildInfo{Main: debug.Module{Path: Module}}, true, "switchboard (devel)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fromBuildInfo(tt.given, tt.ok).String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReadNeverReturnsAnEmptyVersion(t *testing.T) {
	if in := Read(); in.Version == "" {
		t.Errorf("Read() = %+v", in)
	}
}
