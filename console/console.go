package console

import (
	"context"
	"embed"
	"encoding/json"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configures a [Console]. Every field is optional; the zero Options shows the built-in
// demo flow under the built-in model and policy.
type Options struct {
	// FlowFile, PolicyFile and ModelFile are the files shown and watched. Optional; when empty,
	// the built-in demo.yaml, policy.csv and model.conf.
	FlowFile, PolicyFile, ModelFile string
	// PINsFile is the PIN secrets file of FlowFile's pin menus, as serve --pins reads it (read at
	// each load, not watched). Optional; with no FlowFile the built-in demo's PIN is used.
	PINsFile string
	// Backends stub the flow's backends for the phone: backend name → a JSON file of the answer
	// every fetch gets, or "fail" (see sandbox.LoadStub); read at each load, not watched.
	// Optional; a backend not stubbed fails every fetch (its on_error): the console calls none.
	Backends map[string]string
	// MaskNumbers masks phone numbers in the policy matrix, the policy text and recent calls
	// ("+1555***0123"). Optional; false shows them in full, for a console on one's own machine.
	MaskNumbers bool
	// Recent, when set, adds the calls a running server answered (see [NewRecent]). Optional.
	Recent *Recent
	// Logger receives one line per reload. Optional; discarded.
	Logger *slog.Logger
	// Now is the clock the phone's default time of day and the page's times come from.
	// Optional; time.Now.
	Now func() time.Time
}

// Console is the web page and its API, an http.Handler. Create it with [New]; it is safe for
// concurrent use. Mount it under a prefix with http.StripPrefix.
type Console struct {
	opts Options
	log  *slog.Logger
	page *template.Template

	mu      sync.Mutex               // serialises loads
	good    atomic.Pointer[snapshot] // the last configuration that loaded, nil before the first
	status  atomic.Pointer[status]   // the outcome of the last load
	version atomic.Int64
	stamps  [3]stamp
}

// status is the outcome of the latest load: its problems, and whether the diagram is current.
type status struct {
	Version  int64
	OK       bool // the files loaded; false: Problems say why, and the last good diagram stays
	Problems []Problem
	Checked  time.Time
}

// Problem is one finding of a load, as "file:line:col: message" (Where may be empty).
type Problem struct {
	Where   string `json:"where"`
	Message string `json:"message"`
	Warning bool   `json:"warning"`
}

//go:embed assets
var assets embed.FS

// New returns a Console showing the configured files. A flow that does not load is no error:
// the page shows its problems until it is fixed.
func New(opts *Options) (*Console, error) {
	c := &Console{}
	if opts != nil {
		c.opts = *opts
	}
	if c.opts.Now == nil {
		c.opts.Now = time.Now
	}
	c.log = c.opts.Logger
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	page, err := template.New("page.html").Funcs(funcs).ParseFS(assets, "assets/page.html")
	if err != nil {
		return nil, err
	}
	c.page = page
	c.stamps = c.stamp()
	c.load()
	return c, nil
}

// Watch reloads the files whenever one changes (polled every interval), until ctx is done. A
// file that fails to load shows its problems; the last good diagram stays.
func (c *Console) Watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		c.mu.Lock()
		now := c.stamp()
		changed := now != c.stamps
		c.stamps = now
		c.mu.Unlock()
		if changed {
			c.load()
		}
	}
}

// stamp is a file's modification time and size; the zero stamp for an unset or missing file.
type stamp struct {
	mod  time.Time
	size int64
}

func (c *Console) stamp() (s [3]stamp) {
	for i, f := range []string{c.opts.FlowFile, c.opts.PolicyFile, c.opts.ModelFile} {
		if f == "" {
			continue
		}
		if fi, err := os.Stat(f); err == nil {
			s[i] = stamp{fi.ModTime(), fi.Size()}
		}
	}
	return s
}

// load reads the files and swaps in what they describe, or keeps the last good snapshot and
// records why not.
func (c *Console) load() {
	c.mu.Lock()
	defer c.mu.Unlock()
	snap, problems := build(&c.opts)
	st := &status{Version: c.version.Add(1), OK: snap != nil, Problems: problems, Checked: c.opts.Now()}
	if snap != nil {
		snap.version = st.Version
		c.good.Store(snap)
		c.log.Info("console: loaded", "flow", or(c.opts.FlowFile, "built-in demo"), "warnings", len(problems))
	} else {
		c.log.Warn("console: the files do not load; the last good diagram stays", "problems", len(problems))
	}
	c.status.Store(st)
}

// csp is the page's content-security policy: its own scripts, styles and images only, no frames.
// 'wasm-unsafe-eval' lets the page compile WebAssembly, which the vendored Graphviz (Viz.js) is:
// without it Chromium and Firefox refuse WebAssembly.instantiate. It allows no eval() or
// new Function of JavaScript, and the module compiled is the one in static/vendor/viz-global.js,
// a same-origin script the page also pins by its Subresource Integrity hash.
const csp = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"

// ServeHTTP serves the page, its assets and its API:
//
//	GET  /              the page
//	GET  /static/…      its stylesheet, script, and vendor/ (Viz.js: Graphviz for the browser)
//	GET  /api/state     ?since=V: the diagram, node details, matrix and problems once the version passes V
//	POST /api/call      a simulated call (JSON, see callRequest)
//	POST /api/explain   what a set of principals reaches (JSON, see explainRequest)
//	GET  /api/recent    the calls a running server answered, when Options.Recent is set
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Content-Security-Policy", csp)
	path := "/" + strings.TrimPrefix(r.URL.Path, "/")
	switch {
	case path == "/" && r.Method == http.MethodGet:
		c.servePage(w, r)
	case strings.HasPrefix(path, "/static/") && r.Method == http.MethodGet:
		c.serveStatic(w, r, strings.TrimPrefix(path, "/static/"))
	case path == "/api/state" && r.Method == http.MethodGet:
		c.serveState(w, r)
	case path == "/api/call" && r.Method == http.MethodPost:
		if jsonRequest(w, r) {
			c.serveCall(w, r)
		}
	case path == "/api/explain" && r.Method == http.MethodPost:
		if jsonRequest(w, r) {
			c.serveExplain(w, r)
		}
	case path == "/api/recent" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, c.opts.Recent.list(c.opts.MaskNumbers))
	default:
		problem(w, http.StatusNotFound, "no such page: "+path)
	}
}

// jsonRequest refuses a POST that is not JSON, answering 415. A browser sends JSON from
// another site only after a CORS preflight, which the console never answers: a page elsewhere
// cannot place calls through it.
func jsonRequest(w http.ResponseWriter, r *http.Request) bool {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		problem(w, http.StatusUnsupportedMediaType, "send JSON with Content-Type: application/json")
		return false
	}
	return true
}

// maxBody bounds a request body of the API: a call's answers, a list of principals.
const maxBody = 16 << 10

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		problem(w, http.StatusBadRequest, "the request is not the JSON expected: "+err.Error())
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// problem answers an RFC 9457 problem document.
func problem(w http.ResponseWriter, code int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"title": http.StatusText(code), "status": code, "detail": detail})
}

// Loopback wraps a console served on a loopback address so that it answers only requests
// addressed to a loopback host: a web page elsewhere that resolves its own name to 127.0.0.1
// (DNS rebinding) gets 421, not the flow.
func Loopback(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.Trim(host, "[]")
		ip := net.ParseIP(host)
		if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			problem(w, http.StatusMisdirectedRequest, "this console answers only at a loopback address such as 127.0.0.1")
			return
		}
		h.ServeHTTP(w, r)
	})
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
