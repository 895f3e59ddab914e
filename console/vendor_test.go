package console_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"io"
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
	js := vizJS(t)
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

// vizJS returns the vendored Viz.js, which is stored gzipped.
func vizJS(t *testing.T) []byte {
	t.Helper()
	f, err := os.Open("assets/vendor/viz-global.js.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	js, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func get(t *testing.T, c http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	c.ServeHTTP(w, r)
	return w
}

func TestTheVendoredGraphvizIsServedUnderTheCSP(t *testing.T) {
	c := newConsole(t, nil)
	js := vizJS(t)
	tests := []struct {
		name, acceptEncoding string
		gzipped              bool
	}{
		{"ABrowserGetsItGzipped", "gzip, deflate, br, zstd", true},
		{"AClientWithoutGzipGetsItPlain", "", false},
		{"GzipRefusedByQZero", "gzip;q=0, br", false},
		{"GzipTakenByStar", "*", true},
		{"GzipNamedOverStar", "*;q=0, gzip;q=0.5", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := get(t, c, "/static/vendor/viz-global.js", "Accept-Encoding", tt.acceptEncoding)
			body := w.Body.Bytes()
			if got := w.Header().Get("Content-Encoding") == "gzip"; got != tt.gzipped {
				t.Fatalf("Content-Encoding %q, want gzip: %v", w.Header().Get("Content-Encoding"), tt.gzipped)
			}
			if tt.gzipped {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			if w.Code != http.StatusOK || !bytes.Equal(body, js) || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/javascript") || w.Header().Get("Vary") != "Accept-Encoding" {
				t.Errorf("%d, %d bytes of %d, Content-Type %q, Vary %q", w.Code, len(body), len(js), w.Header().Get("Content-Type"), w.Header().Get("Vary"))
			}
		})
	}
	for _, path := range []string{"/static/vendor/viz-global.js", "/static/vendor/LICENSES.txt", "/static/app.js"} {
		w := get(t, c, path, "Accept-Encoding", "gzip")
		tag := w.Header().Get("ETag")
		if w.Code != http.StatusOK || w.Body.Len() < 1000 || len(tag) != 34 {
			t.Errorf("GET %s: %d, %d bytes, ETag %q", path, w.Code, w.Body.Len(), tag)
		}
		// A browser that has the file revalidates it (the assets are no-cache) and gets no body.
		if w = get(t, c, path, "Accept-Encoding", "gzip", "If-None-Match", tag); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
			t.Errorf("GET %s again with its ETag: %d, %d bytes; want 304 and none", path, w.Code, w.Body.Len())
		}
	}
	for _, path := range []string{"/static/vendor/viz-global.js.gz", "/static/vendor", "/static/", "/static/../console.go"} {
		if w := get(t, c, path); w.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, w.Code)
		}
	}
	w := get(t, c, "/")
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
