package framework

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-ivr/switchboard/principals"
)

// A secret that a configuration path may point at by mistake (a symlink to the wrong file).
const strayPassword = "hunter2-correct-horse-battery-staple"

func TestConfigurationFilesAreRefusedUnlessTheyAreRegularFilesNoOtherUserCanChange(t *testing.T) {
	root := os.Geteuid() == 0
	tests := []struct {
		name     string
		needRoot bool                                    // the file is chown'ed to another user or group
		given    func(t *testing.T, dir string) *Options // the files, and Options naming them
		expect   string                                  // in the error; "" when the file loads
	}{
		{name: "PolicyThatIsANamedPipe", given: func(t *testing.T, dir string) *Options {
			p := filepath.Join(dir, "policy.csv")
			if err := syscall.Mkfifo(p, 0o600); err != nil {
				t.Skip("no named pipes here:", err)
			}
			return &Options{Policy: File(p)}
		}, expect: "policy.csv: the policy file is a named pipe (FIFO), not a regular file"},
		{name: "FlowThatIsADirectory", given: func(t *testing.T, dir string) *Options {
			return &Options{Flow: File(dir)}
		}, expect: "the flow file is a directory, not a regular file"},
		{name: "WorldWritablePolicy", given: func(t *testing.T, dir string) *Options {
			return &Options{Policy: File(putFile(t, dir, "policy.csv", defaultPolicy, 0o666))}
		}, expect: "the policy file is writable by other users (mode 0666)"},
		{name: "WorldWritableModel", given: func(t *testing.T, dir string) *Options {
			return &Options{Model: File(putFile(t, dir, "model.conf", defaultModel, 0o646))}
		}, expect: "the model file is writable by other users"},
		{name: "WorldWritableFlow", given: func(t *testing.T, dir string) *Options {
			return &Options{Flow: File(putFile(t, dir, "flow.yaml", demoFlow, 0o662))}
		}, expect: "the flow file is writable by other users"},
		{name: "PolicyWritableByAGroupOfOthers", needRoot: true, given: func(t *testing.T, dir string) *Options {
			p := putFile(t, dir, "policy.csv", defaultPolicy, 0o664)
			chown(t, p, 0, 54321) // a group that is not root's own
			return &Options{Policy: File(p)}
		}, expect: "the policy file is writable by other users (mode 0664)"},
		{name: "PolicyWritableByTheOwnersPersonalGroupLoads", needRoot: true, given: func(t *testing.T, dir string) *Options {
			p := putFile(t, dir, "policy.csv", defaultPolicy, 0o664)
			chown(t, p, 0, 0) // root:root, root's own group
			return &Options{Policy: File(p)}
		}},
		{name: "PolicyOwnedByAnotherUserButNotWritableByThemLoads", needRoot: true, given: func(t *testing.T, dir string) *Options {
			p := putFile(t, dir, "policy.csv", defaultPolicy, 0o644)
			chown(t, p, 54321, 54321) // a configuration manager's user, say
			return &Options{Policy: File(p)}
		}},
		{name: "KeysOwnedByAnotherUser", needRoot: true, given: func(t *testing.T, dir string) *Options {
			k := putFile(t, dir, "keys", "ops "+principals.HashAPIKey(operatorKey)+" operators\n", 0o600)
			chown(t, k, 54321, 54321)
			return &Options{Credentials: []CredentialSource{APIKeysFile(k)}}
		}, expect: "the keys file is owned by uid 54321, not by this server's user (uid 0) or root"},
		{name: "KeysThatAreANamedPipe", given: func(t *testing.T, dir string) *Options {
			k := filepath.Join(dir, "keys")
			if err := syscall.Mkfifo(k, 0o600); err != nil {
				t.Skip("no named pipes here:", err)
			}
			return &Options{Credentials: []CredentialSource{APIKeysFile(k)}}
		}, expect: "the keys file is a named pipe (FIFO)"},
		{name: "PolicyOverTheSizeLimit", given: func(t *testing.T, dir string) *Options {
			big := strings.Repeat("# "+strings.Repeat("x", 98)+"\n", maxConfigBytes/100+1)
			return &Options{Policy: File(putFile(t, dir, "policy.csv", defaultPolicy+big, 0o644))}
		}, expect: "over the limit of 4194304"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.needRoot && !root {
				t.Skip("needs root to give a file to another user")
			}
			opts := tt.given(t, t.TempDir())
			opts.Logger = slog.New(slog.DiscardHandler)
			err := newWithin(t, opts)
			switch {
			case tt.expect == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.expect != "" && err == nil:
				t.Error("loaded")
			case tt.expect != "" && !strings.Contains(err.Error(), tt.expect):
				t.Errorf("the error does not say %q:\n%v", tt.expect, err)
			}
		})
	}
}

func TestAPathPointingAtAFileOfSecretsDoesNotPrintThem(t *testing.T) {
	dir := t.TempDir()
	secrets := putFile(t, dir, "secrets.env", "DATABASE_PASSWORD="+strayPassword+"\n[section]\nkey "+strayPassword+"\n", 0o600)
	link := filepath.Join(dir, "linked")
	if err := os.Symlink(secrets, link); err != nil {
		t.Fatal(err)
	}
	for _, opts := range []*Options{{Policy: File(link)}, {Model: File(link)}, {Flow: File(link)}, {Credentials: []CredentialSource{APIKeysFile(link)}}} {
		opts.Logger = slog.New(slog.DiscardHandler)
		_, err := New(opts)
		if err == nil {
			t.Fatalf("a file of secrets loaded as %+v", opts)
		}
		// A short excerpt of the offending line may name it (12 characters for a policy or a
		// model, 16 for a flow's value); never more.
		if strings.Contains(err.Error(), strayPassword[:13]) {
			t.Errorf("the error prints the secret:\n%v", err)
		}
	}
}

func TestReadingAFileTheFileSystemNeverAnswersGivesUpAtTheDeadline(t *testing.T) {
	defer func(d time.Duration) { readDeadline = d }(readDeadline)
	readDeadline = 50 * time.Millisecond
	r, w, err := os.Pipe() // a read that blocks, as a hung network mount's would
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	start := time.Now()
	_, err = readWithin(context.Background(), r, maxConfigBytes)
	if err == nil || !strings.Contains(err.Error(), "no answer within 50ms") {
		t.Errorf("readWithin = %v, want the deadline", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("readWithin took %v", time.Since(start))
	}
}

func TestWatchWithdrawsKeysTheMomentTheirFileIsMadeReadableByOthersAndRestoresThemWhenFixed(t *testing.T) {
	c := writeConfig(t)
	app, _ := hardenedApp(t, principals.TwilioOptions{}, c.options())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { app.Watch(ctx, 10*time.Millisecond); close(done) }()
	defer func() { cancel(); <-done }()
	scrape := func() int {
		r := httptest.NewRequest(http.MethodGet, testHost+"/metrics", nil)
		r.Header.Set("Authorization", "Bearer "+scrapeKey)
		return send(app, r).Code
	}
	ready := func() int { return send(app, httptest.NewRequest(http.MethodGet, testHost+"/readyz", nil)).Code }
	if scrape() != http.StatusOK || ready() != http.StatusOK {
		t.Fatalf("before: /metrics %d, /readyz %d", scrape(), ready())
	}
	if err := os.Chmod(c.keys, 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the keys to be withdrawn", func() bool { return scrape() != http.StatusOK })
	if code := ready(); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the keys withdrawn answered %d, want 503", code)
	}
	if err := os.Chmod(c.keys, 0o600); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the keys to come back", func() bool { return scrape() == http.StatusOK })
	if code := ready(); code != http.StatusOK {
		t.Errorf("/readyz after the fix answered %d, want 200", code)
	}
}

// newWithin runs New and fails the test if it has not returned within 5 s: a named pipe used to
// hang it forever.
func newWithin(t *testing.T, opts *Options) error {
	t.Helper()
	errc := make(chan error, 1)
	go func() { _, err := New(opts); errc <- err }()
	select {
	case err := <-errc:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("New did not return within 5 s")
		return errors.New("unreachable")
	}
}

// putFile writes text to dir/name with perm, whatever the umask, and returns the path.
func putFile(t *testing.T, dir, name, text string, perm os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	put(t, p, text, perm)
	return p
}

func chown(t *testing.T, path string, uid, gid int) {
	t.Helper()
	if err := os.Chown(path, uid, gid); err != nil {
		t.Fatal(err)
	}
}

func TestBasicCredentialsAreWithdrawnEverywhereWhenTheirFileCannotBeRead(t *testing.T) {
	const password = "correct-horse-battery-staple-7f3a"
	path := putFile(t, t.TempDir(), "basic", "ops "+principals.HashAPIKey(password)+" monitoring\n", 0o600)
	basic := &principals.BasicPolicy{} // shared with a Twilio policy's Credentials in serve
	app, _ := hardenedApp(t, principals.TwilioOptions{}, &Options{Credentials: []CredentialSource{BasicFile(path, basic)}})
	scrape := func() int {
		r := httptest.NewRequest(http.MethodGet, testHost+"/metrics", nil)
		r.SetBasicAuth("ops", password)
		return send(app, r).Code
	}
	if code := scrape(); code != http.StatusOK || basic.Len() != 1 {
		t.Fatalf("before: /metrics %d, %d users", code, basic.Len())
	}
	for _, breakIt := range []func(){
		func() { _ = os.Chmod(path, 0o640) },
		func() { _ = os.Remove(path) },
	} {
		breakIt()
		if err := app.Reload(); err == nil {
			t.Fatal("the reload accepted the broken credentials file")
		}
		if code := scrape(); code != http.StatusUnauthorized || basic.Len() != 0 {
			t.Errorf("after the failed reload: /metrics %d, %d users in force; want 401 and none", code, basic.Len())
		}
		put(t, path, "ops "+principals.HashAPIKey(password)+" monitoring\n", 0o600)
		if err := app.Reload(); err != nil {
			t.Fatal(err)
		}
		if code := scrape(); code != http.StatusOK || basic.Len() != 1 {
			t.Errorf("after the fix: /metrics %d, %d users", code, basic.Len())
		}
	}
}
