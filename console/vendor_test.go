package console_test

import (
	"crypto/sha512"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
)

// The page runs the vendored Viz.js only if its bytes are the ones page.html pins; its license
// file names the versions the file holds. console/vendor-viz.sh keeps the three in step.
func TestTheVendoredGraphvizIsPinnedAndLicensed(t *testing.T) {
	js, err := os.ReadFile("assets/vendor/viz-global.js")
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile("assets/page.html")
	if err != nil {
		t.Fatal(err)
	}
	licenses, err := os.ReadFile("assets/vendor/LICENSES.txt")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha512.Sum384(js)
	want := `<script src="static/vendor/viz-global.js" integrity="sha384-` + base64.StdEncoding.EncodeToString(sum[:]) + `" defer></script>`
	if !strings.Contains(string(page), want) {
		t.Errorf("page.html does not pin viz-global.js as it is; want\n%s\n(console/vendor-viz.sh writes it)", want)
	}
	viz := regexp.MustCompile(`^/\*!\s*Viz\.js (\d+\.\d+\.\d+)`).FindSubmatch(js)
	gv := regexp.MustCompile(`graphvizVersion="(\d+\.\d+\.\d+)"`).FindSubmatch(js)
	if viz == nil || gv == nil {
		t.Fatalf("viz-global.js names no Viz.js or Graphviz version; is it Viz.js's dist/viz-global.js?")
	}
	head, _, _ := strings.Cut(string(licenses), "\n\n")
	for _, v := range []string{"Viz.js " + string(viz[1]), "Graphviz " + string(gv[1])} {
		if !strings.Contains(strings.Join(strings.Fields(head), " "), v) {
			t.Errorf("LICENSES.txt's first paragraph does not name %s:\n%s", v, head)
		}
	}
	for _, license := range []string{"Viz.js — MIT License", "Expat — MIT License", "Graphviz — Eclipse Public License 1.0", "5. NO WARRANTY"} {
		if !strings.Contains(string(licenses), license) {
			t.Errorf("LICENSES.txt lacks %q", license)
		}
	}
}

func TestTheVendoredGraphvizIsServedUnderTheCSP(t *testing.T) {
	c := newConsole(t, nil)
	for _, path := range []string{"/static/vendor/viz-global.js", "/static/vendor/LICENSES.txt", "/static/app.js"} {
		w := httptest.NewRecorder()
		c.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		tag := w.Header().Get("ETag")
		if w.Code != http.StatusOK || w.Body.Len() < 1000 || len(tag) != 34 {
			t.Errorf("GET %s: %d, %d bytes, ETag %q", path, w.Code, w.Body.Len(), tag)
		}
		// A browser that has the file revalidates it (the assets are no-cache) and gets no body.
		again := httptest.NewRequest(http.MethodGet, path, nil)
		again.Header.Set("If-None-Match", tag)
		w = httptest.NewRecorder()
		c.ServeHTTP(w, again)
		if w.Code != http.StatusNotModified || w.Body.Len() != 0 {
			t.Errorf("GET %s again with its ETag: %d, %d bytes; want 304 and none", path, w.Code, w.Body.Len())
		}
	}
	w := httptest.NewRecorder()
	c.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	csp := map[string]string{}
	for _, d := range strings.Split(w.Header().Get("Content-Security-Policy"), ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		csp[name] = value
	}
	// WebAssembly may compile (Graphviz is WebAssembly); JavaScript may not be eval'd, nor come
	// from anywhere but the console itself.
	if csp["script-src"] != "'self' 'wasm-unsafe-eval'" || csp["default-src"] != "'self'" {
		t.Errorf("the page's CSP is %q", w.Header().Get("Content-Security-Policy"))
	}
}
