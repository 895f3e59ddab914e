package diagram

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/goccy/go-graphviz"
)

// The layout engine is Graphviz compiled to WebAssembly and run by wazero inside this process:
// no cgo, no Graphviz install, the same picture everywhere. One instance serves the process,
// one render at a time; it is made on first use and lives as long as the process.
var engine struct {
	sync.Mutex
	gv *graphviz.Graphviz
}

// SVG lays the diagram out with Graphviz's dot and returns it as a standalone SVG document.
// Nodes and edges keep the ids and classes [Diagram.DOT] gives them.
func (d *Diagram) SVG(ctx context.Context) ([]byte, error) {
	var src bytes.Buffer
	if err := d.DOT(&src); err != nil {
		return nil, err
	}
	return renderSVG(ctx, src.Bytes())
}

func renderSVG(ctx context.Context, dot []byte) ([]byte, error) {
	engine.Lock()
	defer engine.Unlock()
	if engine.gv == nil {
		gv, err := graphviz.New(ctx)
		if err != nil {
			return nil, fmt.Errorf("diagram: starting Graphviz: %w", err)
		}
		engine.gv = gv
	}
	g, err := graphviz.ParseBytes(dot)
	if err != nil {
		return nil, fmt.Errorf("diagram: Graphviz refused the DOT it was given: %w", err)
	}
	defer g.Close()
	var out bytes.Buffer
	if err := engine.gv.Render(ctx, g, graphviz.SVG, &out); err != nil {
		return nil, fmt.Errorf("diagram: laying out: %w", err)
	}
	return out.Bytes(), nil
}
