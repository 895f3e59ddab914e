package console

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

// serveStatic serves the embedded asset name, a path under assets/ such as "app.js". An asset
// stored compressed, as name+".gz" (the page's Graphviz, vendor/viz-global.js, is 1.3 MB and
// 480 KB so), goes out as it is to a client that accepts gzip, as every browser does, and is
// decompressed on the way for one that does not. Assets are no-cache with an ETag: a browser
// revalidates and gets 304 for what it has.
func (c *Console) serveStatic(w http.ResponseWriter, r *http.Request, name string) {
	if !fs.ValidPath(name) || strings.HasSuffix(name, ".html") || strings.HasSuffix(name, ".gz") {
		problem(w, http.StatusNotFound, "no such asset") // the page's template is no asset; nor is a folder
		return
	}
	f, gzipped, err := openAsset(name)
	if err != nil {
		problem(w, http.StatusNotFound, "no such asset")
		return
	}
	defer f.Close()
	content, ok := f.(io.ReadSeeker) // embed's files seek
	if !ok {
		problem(w, http.StatusInternalServerError, "the asset cannot be served")
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		h.Set("Content-Type", ct)
	}
	if gzipped {
		h.Add("Vary", "Accept-Encoding")
		if !acceptsGzip(r) {
			zr, err := gzip.NewReader(content)
			if err != nil {
				problem(w, http.StatusInternalServerError, "the asset cannot be served: "+err.Error())
				return
			}
			_, _ = io.Copy(w, zr)
			return
		}
		h.Set("Content-Encoding", "gzip")
	}
	if tag := etag(name, content); tag != "" {
		h.Set("ETag", tag) // http.ServeContent answers If-None-Match with 304
	}
	http.ServeContent(w, r, name, time.Time{}, content)
}

// openAsset opens assets/name, or else assets/name.gz and reports that it is compressed.
func openAsset(name string) (fs.File, bool, error) {
	if f, err := assets.Open("assets/" + name); err == nil {
		if st, err := f.Stat(); err == nil && !st.IsDir() {
			return f, false, nil
		}
		f.Close()
	}
	f, err := assets.Open("assets/" + name + ".gz")
	return f, err == nil, err
}

// acceptsGzip reports whether the request's Accept-Encoding takes gzip: named with a q above
// zero, or not named and "*" is.
func acceptsGzip(r *http.Request) bool {
	gz, star := -1, -1 // -1: not named; 0: refused (q=0); 1: accepted
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			accepted := 1
			if q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok && strings.Trim(q, "0.") == "" {
				accepted = 0
			}
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip":
				gz = accepted
			case "*":
				star = accepted
			}
		}
	}
	if gz >= 0 {
		return gz == 1
	}
	return star == 1
}

// etags holds each embedded asset's ETag, by name, once served: the set is the files embedded
// at build time, so it is bounded and never evicts.
var etags sync.Map

// etag returns the ETag of the asset name, hashing content (then rewinding it) the first time.
func etag(name string, content io.ReadSeeker) string {
	if tag, ok := etags.Load(name); ok {
		return tag.(string)
	}
	hash := sha256.New()
	if _, err := io.Copy(hash, content); err != nil {
		return ""
	}
	if _, err := content.Seek(0, io.SeekStart); err != nil {
		return ""
	}
	tag := `"` + hex.EncodeToString(hash.Sum(nil)[:16]) + `"`
	etags.Store(name, tag)
	return tag
}
