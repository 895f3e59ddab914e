package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/switchboard-ivr/switchboard/console"
)

func init() {
	commands = append(commands, command{
		name:  "console",
		usage: "console [--flow FILE] [--policy FILE] [--model FILE] [--addr 127.0.0.1:8081]",
		run:   runConsole,
	})
}

const consoleUsage = `usage: switchboard console [--flow FILE] [--policy FILE] [--model FILE] [--addr 127.0.0.1:8081]

console serves a web page on this machine: the flow as a diagram (click a menu for its prompts,
the TwiML it answers, its routes and who the policy lets in), a phone with a keypad that calls
the flow in this process (as simulate --flow does) and lights up the path the call takes, the
policy as a matrix of routes and subjects with a box that explains any set of principals, and
every problem of the files with file:line:col. It watches the files and redraws when they
change; a file that breaks shows its problems and keeps the last good diagram.

With no flags it shows the built-in demo under the built-in policy. The page needs no network.

  --addr ADDR   where to listen; loopback only (127.0.0.1, [::1] or localhost), since the page
                has no login. To see a running server's flow and recent calls, use
                "switchboard serve --console" and an operator key in group:admins.

Exit status: 0 after SIGINT or SIGTERM, 1 when it cannot listen, 2 on a usage error.
`

// runConsole implements `switchboard console`.
func runConsole(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("console", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var opts console.Options
	fs.StringVar(&opts.FlowFile, "flow", "", "flow `file`; the built-in demo when empty")
	fs.StringVar(&opts.PolicyFile, "policy", "", "Casbin policy `file`; the built-in policy.csv when empty")
	fs.StringVar(&opts.ModelFile, "model", "", "Casbin model `file`; the built-in model.conf when empty")
	addr := fs.String("addr", "127.0.0.1:8081", "listen `address`, loopback only")
	if code, ok := parseFlags(fs, args, consoleUsage, stdout, stderr); !ok {
		return code
	}
	if !loopbackAddr(*addr) {
		return usageError(stderr, "console", consoleUsage, "--addr %q is not a loopback address: the console has no login, so it listens only on this machine", *addr)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serveConsole(ctx, opts, *addr, stdout, stderr, nil)
}

// serveConsole serves the console on addr until ctx is done. ready, when set, receives the
// address it listens on.
func serveConsole(ctx context.Context, opts console.Options, addr string, stdout, stderr io.Writer, ready func(string)) int {
	opts.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	c, err := console.New(&opts)
	if err != nil {
		fmt.Fprintf(stderr, "switchboard console: %v\n", err)
		return 1
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(stderr, "switchboard console: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "The console is at http://%s/ (Ctrl-C stops it)\n", ln.Addr())
	if ready != nil {
		ready(ln.Addr().String())
	}
	srv := &http.Server{
		Handler:           console.Loopback(c),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    32 << 10,
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go c.Watch(wctx, time.Second)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "switchboard console: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "switchboard console: %v\n", err)
	}
	<-errc
	return 0
}

// loopbackAddr reports whether a listen address names a loopback host; an empty host (all
// interfaces) is not one.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
