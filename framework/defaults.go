package framework

import (
	"fmt"
	"os"
	"runtime"

	"github.com/switchboard-ivr/switchboard"
	"github.com/switchboard-ivr/switchboard/principals"
)

// The embedded defaults, used when no file is configured.
var (
	defaultModel  = switchboard.DefaultModel
	defaultPolicy = switchboard.DefaultPolicy
	demoFlow      = switchboard.DemoFlow
)

// loadKeys reads an operator keys file into the API-key policy.
//
// A keys file that other users can read or write (any of the mode bits 0o077) is refused: its
// hashes are enough to mount an offline guessing attack on weak keys, and whoever can write it
// can grant themselves any group. The check is skipped on Windows, whose permissions are not
// mode bits.
func loadKeys(path string) (principals.Policy, error) {
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("keys file: %w", err)
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			return nil, fmt.Errorf("keys file %s is accessible to other users (mode %#o); restrict it with: chmod 600 %s", path, perm, path)
		}
	}
	return principals.LoadAPIKeys(path)
}
