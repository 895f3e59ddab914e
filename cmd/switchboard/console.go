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
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/switchboard-ivr/switchboard/console"
)

func init() {
	commands = append(commands, command{
		name:  "console",
		usage: "console [--flow FILE] [--policy FILE] [--model FILE] [--addr 127.0.0.1:8081] | console --server URL",
		run:   runConsole,
	})
}

const consoleUsage = `usage: switchboard console [--flow FILE] [--policy FILE] [--model FILE] [--pins FILE] [--backend NAME=FILE]... [--addr 127.0.0.1:8081]
       switchboard console --server URL [--addr 127.0.0.1:8081]

console serves a web page on this machine: the flow as a diagram (click a menu for its prompts,
the TwiML it answers, its routes and who the policy lets in), a phone with a keypad that calls
the flow in this process (as simulate --flow does) and lights up the path the call takes, the
policy as a matrix of routes and subjects with a box that explains any set of principals, and
every problem of the files with file:line:col. It watches the files and redraws when they
change; a file that breaks shows its problems and keeps the last good diagram.

With no flags it shows the built-in demo under the built-in policy. The page needs no network.

  --pins FILE   the PIN secrets file of --flow's pin menus, as serve --pins reads it (the
                built-in demo's staff PIN, 2468, needs none).
  --backend NAME=FILE  the phone's answer to every fetch from the flow's backend NAME: the JSON
                object in FILE, such as {"balance": 42.10}, or fail (its on_error); repeatable.
                A backend not stubbed fails too: the console calls none.
  --addr ADDR   where to listen; loopback only (127.0.0.1, [::1] or localhost), since the page
                has no login.
  --server URL  show the console of a running "switchboard serve --console" instead, with its
                recent calls: the page is fetched from URL/admin/console/ with the operator key
                in $SWITCHBOARD_CONSOLE_KEY (a key in group:admins) added by this command, so
                the key never reaches the browser. Like kubectl proxy: anyone who can reach
                the loopback address can use the key while it runs.

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
	fs.StringVar(&opts.PINsFile, "pins", "", "PIN secrets `file` of the flow's pin menus")
	fs.Var(backendStubs{&opts.Backends}, "backend", "`NAME=FILE`: answer the flow's backend NAME from a JSON stub file (or fail); repeatable")
	addr := fs.String("addr", "127.0.0.1:8081", "listen `address`, loopback only")
	server := fs.String("server", "", "`URL` of a server running serve --console")
	if code, ok := parseFlags(fs, args, consoleUsage, stdout, stderr); !ok {
		return code
	}
	if !loopbackAddr(*addr) {
		return usageError(stderr, "console", consoleUsage, "--addr %q is not a loopback address: the console has no login, so it listens only on this machine", *addr)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *server == "" {
		opts.Logger = slog.New(slog.NewTextHandler(stderr, nil))
		c, err := console.New(&opts)
		if err != nil {
			fmt.Fprintf(stderr, "switchboard console: %v\n", err)
			return 1
		}
		return serveConsole(ctx, c, c.Watch, *addr, stdout, stderr, nil)
	}
	if opts.FlowFile != "" || opts.PolicyFile != "" || opts.ModelFile != "" || opts.PINsFile != "" {
		return usageError(stderr, "console", consoleUsage, "--server shows the server's own files: leave out --flow, --policy, --model and --pins")
	}
	proxy, err := consoleProxy(*server, os.Getenv(envConsoleKey))
	if err != nil {
		return usageError(stderr, "console", consoleUsage, "%v", err)
	}
	return serveConsole(ctx, proxy, nil, *addr, stdout, stderr, nil)
}

// envConsoleKey holds the operator key console --server sends.
const envConsoleKey = "SWITCHBOARD_CONSOLE_KEY"

// consoleProxy forwards every request to the console of the server at base, adding the operator
// key as a Bearer token and dropping whatever credentials the browser sent.
func consoleProxy(base, key string) (http.Handler, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--server %q must be an absolute http:// or https:// URL", base)
	}
	if key == "" {
		return nil, fmt.Errorf("--server needs an operator key in group:admins in $%s", envConsoleKey)
	}
	target := *u
	target.Path = strings.TrimSuffix(u.Path, "/") + consolePath
	auth := "Bearer " + key
	return &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(&target)
		pr.Out.Header.Del("Cookie")
		pr.Out.Header.Set("Authorization", auth)
	}}, nil
}

// serveConsole serves h on addr until ctx is done, running watch (when set) meanwhile. ready,
// when set, receives the address it listens on.
func serveConsole(ctx context.Context, h http.Handler, watch func(context.Context, time.Duration), addr string, stdout, stderr io.Writer, ready func(string)) int {
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
		Handler:           console.Loopback(h),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    32 << 10,
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if watch != nil {
		go watch(wctx, time.Second)
	}
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

// consolePath is where serve --console mounts the console. The default policy grants "admin"
// on /admin/* to group:admins.
const consolePath = "/admin/console"

// consolePermission is the permission every route of the console asks for.
const consolePermission = "admin"

// mountConsole registers the console on app at consolePath, asking for the admin permission on
// every route: others get the App's JSON problem. It shows the server's own files, masks phone
// numbers unless logNumbers, and lists the calls recent has seen. The caller runs its Watch.
func mountConsole(app interface {
	Handle(method, path, permission string, h http.Handler) error
}, opts console.Options) (*console.Console, error) {
	c, err := console.New(&opts)
	if err != nil {
		return nil, err
	}
	h := http.StripPrefix(consolePath, c)
	redirect := http.RedirectHandler(consolePath+"/", http.StatusMovedPermanently)
	for _, r := range []struct {
		method, path string
		h            http.Handler
	}{
		{http.MethodGet, consolePath, redirect},
		{http.MethodGet, consolePath + "/*", h},
		{http.MethodPost, consolePath + "/*", h},
	} {
		if err := app.Handle(r.method, r.path, consolePermission, r.h); err != nil {
			return nil, err
		}
	}
	return c, nil
}
