package deps

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/switchboard-ivr/switchboard"

// rule says what the non-test files of a package (a directory under the module root) may import,
// beyond the standard library.
type rule struct {
	dir   string   // package directory, slash-separated, relative to the module root
	allow []string // import path prefixes allowed besides the standard library
}

// rules mirrors the package table in DESIGN.md at the repository root. A package not listed may import anything except
// what forbidden below keeps inside one place.
var rules = []rule{
	{dir: "twiml"},
	{dir: "dialallow"},
	{dir: "prompttext", allow: []string{module + "/twiml"}},
	{dir: "backend", allow: []string{module + "/principals", module + "/internal/varname"}},
	{dir: "callbacks", allow: []string{module + "/backend", module + "/framework", module + "/principals", "github.com/prometheus/client_golang/"}},
	{dir: "outbound", allow: []string{module + "/framework", module + "/dialallow", module + "/principals", "github.com/twilio/twilio-go", "golang.org/x/time/rate", "github.com/prometheus/client_golang/"}},
	{dir: "internal/budget"},
	{dir: "internal/didyoumean"},
	{dir: "internal/buildinfo"},
	{dir: "internal/joined"},
	{dir: "internal/connwatch"},
	{dir: "internal/exepages"},
	{dir: "internal/varname"},
	{dir: "internal/yamldoc", allow: []string{"go.yaml.in/yaml/v3"}},
	{dir: "callstate", allow: []string{module + "/internal/varname"}},
	{dir: "pin", allow: []string{"golang.org/x/crypto/bcrypt"}},
	{dir: "principals", allow: []string{module + "/principals", module + "/internal/budget", "github.com/twilio/twilio-go/client"}},
	{dir: "principals/principalstest", allow: []string{module + "/principals"}},
	{dir: "outbound/outboundtest", allow: []string{}},
	{dir: "framework/authz", allow: []string{"github.com/casbin/", module + "/principals"}},
	{dir: "caller", allow: []string{module + "/principals", module + "/twiml"}},
	{dir: "framework/flow", allow: []string{module + "/twiml", module + "/principals", module + "/dialallow", module + "/prompttext", module + "/internal/varname", "go.yaml.in/yaml/v3", "github.com/go-playground/", module + "/internal/didyoumean", module + "/internal/yamldoc"}},
	{dir: "flowtest", allow: []string{module + "/sandbox", module + "/framework", module + "/caller", module + "/principals", module + "/internal/didyoumean", module + "/internal/yamldoc", "go.yaml.in/yaml/v3"}},
	// The policy in PostgreSQL: its adapter and driver, the authorizer it validates with, and the
	// framework's source interfaces it implements.
	{dir: "framework/pgpolicy", allow: []string{module + "/framework", "github.com/jackc/", "github.com/pckhoi/casbin-pgx-adapter/", "github.com/casbin/casbin/v2/model"}},
	{dir: "framework/pgpolicy/pgpolicytest", allow: []string{"github.com/jackc/pgx/"}},
	// Shared call state in Redis, behind the framework's interfaces.
	{dir: "framework/redisstate", allow: []string{module + "/framework", "github.com/redis/go-redis/"}},
	// The App: everything below it, Echo, Prometheus, and the root package's built-in files
	// (module + "$": that package alone, not the module).
	{dir: "framework", allow: []string{module + "$", module + "/twiml", module + "/principals", module + "/callstate", module + "/pin",
		module + "/dialallow", module + "/framework/authz", module + "/framework/flow", module + "/internal/budget", module + "/internal/buildinfo", module + "/internal/joined", module + "/internal/connwatch",
		module + "/backend", module + "/prompttext",
		"github.com/labstack/echo/v4", "github.com/prometheus/client_golang/", "golang.org/x/time/rate"}},
	{dir: "console", allow: []string{module + "$", module + "/internal/joined", module + "/framework", module + "/diagram", module + "/sandbox", module + "/caller", module + "/principals"}},
	{dir: "diagram", allow: []string{module + "/framework/flow"}},
	{dir: "sandbox", allow: []string{module + "/framework", module + "/caller", module + "/principals", module + "/backend", module + "/internal/didyoumean"}},
}

// confined lists imports that only the named directories (or files) may use.
var confined = []struct {
	prefix string
	only   []string // directories or file paths, slash-separated
}{
	// Echo stays inside framework, so that moving to Echo v5 is one package's work.
	// bench/bare is the bare Echo server the load script measures Switchboard against.
	{prefix: "github.com/labstack/echo", only: []string{"framework", "bench/bare"}},
	// One file imports Casbin, and one its PostgreSQL adapter (which writes the rules' table).
	{prefix: "github.com/casbin/", only: []string{"framework/authz/casbin.go", "framework/pgpolicy/adapter.go"}},
	{prefix: "github.com/pckhoi/casbin-pgx-adapter/", only: []string{"framework/pgpolicy/adapter.go"}},
	// The database and Redis drivers stay in the packages that keep the policy and the call state.
	{prefix: "github.com/jackc/", only: []string{"framework/pgpolicy", "framework/pgpolicy/pgpolicytest"}},
	{prefix: "github.com/redis/", only: []string{"framework/redisstate"}},
	// The WebSocket library serves the example agent; the framework never holds a socket.
	{prefix: "github.com/coder/websocket", only: []string{"examples/agent"}},
}

func TestImportsPointDownThePackageTable(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	imports := map[string][]string{} // file (slash path) → its imports
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		for _, is := range f.Imports {
			ip, _ := strconv.Unquote(is.Path.Value)
			imports[rel] = append(imports[rel], ip)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(imports) < 10 {
		t.Fatalf("found only %d Go files; is the walk rooted at the module?", len(imports))
	}
	for file, ips := range imports {
		dir := path.Dir(file)
		for _, ip := range ips {
			for _, r := range rules {
				if dir == r.dir && !isStd(ip) && !hasAnyPrefix(ip, r.allow) {
					t.Errorf("%s imports %s; package %s may import only the standard library and %v", file, ip, r.dir, r.allow)
				}
			}
			for _, c := range confined {
				if strings.HasPrefix(ip, c.prefix) && !inside(file, c.only) {
					t.Errorf("%s imports %s, which only %v may import", file, ip, c.only)
				}
			}
		}
	}
}

func TestEveryRuleNamesAPackageThatExists(t *testing.T) {
	for _, r := range rules {
		if _, err := os.Stat(filepath.Join("../..", filepath.FromSlash(r.dir))); err != nil {
			t.Errorf("rule for %s: %v", r.dir, err)
		}
	}
}

// linkedNowhere lists modules no switchboard binary may link, with the reason. The command is
// checked with everything it links, so a dependency that pulls one in is caught too.
var linkedNowhere = []struct{ prefix, why string }{
	// Graphviz as WebAssembly compiled itself at init in every process (20 MiB each, serve
	// included) and cached native code in $TMPDIR; the console's page lays diagrams out instead
	// (DESIGN.md, "Graphviz left the binary").
	{"github.com/goccy/go-graphviz", "its init compiles Graphviz's WebAssembly in every process"},
	{"github.com/tetratelabs/wazero", "a WebAssembly runtime: memory and a code cache no command needs"},
}

func TestTheCommandLinksNoLayoutEngine(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-test=false", module+"/cmd/switchboard").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, module+"/console") {
		t.Fatalf("go list -deps names no console among %d packages; is it listing the command?", len(deps))
	}
	for _, dep := range deps {
		for _, n := range linkedNowhere {
			if hasAnyPrefix(dep, []string{n.prefix}) {
				t.Errorf("cmd/switchboard links %s: %s", dep, n.why)
			}
		}
	}
}

func isStd(ip string) bool { return !strings.Contains(strings.SplitN(ip, "/", 2)[0], ".") }

// hasAnyPrefix reports whether s is one of prefixes or below one; a prefix ending in "$" matches
// only itself.
func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if exact, ok := strings.CutSuffix(p, "$"); ok {
			if s == exact {
				return true
			}
			continue
		}
		if s == p || strings.HasPrefix(s, p) && (strings.HasSuffix(p, "/") || s[len(p)] == '/') {
			return true
		}
	}
	return false
}

// inside reports whether file is one of only, or in one of the directories of only (not below).
func inside(file string, only []string) bool {
	for _, o := range only {
		if file == o || path.Dir(file) == o {
			return true
		}
	}
	return false
}

func TestHasAnyPrefix(t *testing.T) {
	for _, tt := range []struct {
		s        string
		prefixes []string
		want     bool
	}{
		{module + "/framework/flow", []string{module + "/framework"}, true},
		{module + "/frameworks", []string{module + "/framework"}, false},
		{module, []string{module + "$"}, true},
		{module + "/console", []string{module + "$"}, false}, // "$" allows the root package only
		{"github.com/redis/go-redis/v9", []string{"github.com/redis/go-redis/"}, true},
	} {
		if got := hasAnyPrefix(tt.s, tt.prefixes); got != tt.want {
			t.Errorf("hasAnyPrefix(%q, %q) = %v, want %v", tt.s, tt.prefixes, got, tt.want)
		}
	}
}
