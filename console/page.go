package console

import (
	"bytes"
	"html/template"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
)

// pageData is what the page's templates read.
type pageData struct {
	Flow, Policy, Model string // as the header shows them
	FlowPath            string
	Version             int64
	Status              *status
	HasDiagram          bool
	DOT                 string // the diagram, which the page's copy of Graphviz lays out
	Matrix              *matrix
	PolicyLines         []policyLine
	Nodes               []nodeView
	Now, Zone           string
	Keys                []string
	Recent              bool
}

var funcs = template.FuncMap{
	"join": strings.Join,
	"verdict": func(v string) string {
		switch v {
		case "allow":
			return "✓"
		case "deny":
			return "✗"
		}
		return "·"
	},
	"verdictWord": func(v string) string {
		switch v {
		case "allow":
			return "allowed"
		case "deny":
			return "denied"
		}
		return "not granted"
	},
}

func (c *Console) data() pageData {
	st := c.status.Load()
	d := pageData{
		Flow: "demo.yaml (built in)", FlowPath: or(c.opts.FlowFile, "built in"), Policy: or(c.opts.PolicyFile, "policy.csv (built in)"),
		Model:   or(c.opts.ModelFile, "model.conf (built in)"),
		Version: st.Version, Status: st, Zone: "UTC",
		Keys:   []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"},
		Recent: c.opts.Recent != nil,
	}
	if c.opts.FlowFile != "" {
		d.Flow = filepath.Base(c.opts.FlowFile)
	}
	if s := c.good.Load(); s != nil {
		d.HasDiagram, d.DOT, d.Matrix, d.PolicyLines, d.Nodes = true, s.dot, &s.matrix, s.policy, s.nodes
		d.Zone = s.zone.String()
		d.Now = c.opts.Now().In(s.zone).Format("2006-01-02T15:04")
	}
	return d
}

func (c *Console) servePage(w http.ResponseWriter, r *http.Request) {
	var b bytes.Buffer
	if err := c.page.Execute(&b, c.data()); err != nil {
		problem(w, http.StatusInternalServerError, "rendering the page: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b.Bytes())
}

// stateAnswer is the page's parts, rendered, once the version passed the one the page has.
type stateAnswer struct {
	Version int64             `json:"version"`
	OK      bool              `json:"ok"`
	Parts   map[string]string `json:"parts,omitempty"` // container id → its new HTML
}

func (c *Console) serveState(w http.ResponseWriter, r *http.Request) {
	since, _ := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
	d := c.data()
	ans := stateAnswer{Version: d.Version, OK: d.Status.OK}
	if since != d.Version {
		ans.Parts = map[string]string{}
		for id, tmpl := range map[string]string{"status": "status", "problems": "problems", "diagram": "diagram", "matrix": "matrix", "nodes": "nodes"} {
			var b bytes.Buffer
			if err := c.page.ExecuteTemplate(&b, tmpl, d); err != nil {
				problem(w, http.StatusInternalServerError, "rendering the page: "+err.Error())
				return
			}
			ans.Parts[id] = b.String()
		}
	}
	writeJSON(w, http.StatusOK, ans)
}
