package yamldoc

import (
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, given string
		wantLine    int
		wantCol     int
		wantMsg     string // "" for success
	}{
		{name: "one mapping", given: "a: 1\n"},
		{name: "empty text is empty", given: "", wantLine: 1, wantCol: 1, wantMsg: "the file is empty"},
		{name: "a comment alone is empty", given: "# nothing\n", wantLine: 1, wantCol: 1, wantMsg: "the file is empty"},
		{name: "a second document is refused where it starts", given: "a: 1\n---\nb: 2\n", wantLine: 2, wantCol: 1,
			wantMsg: `a flow file holds one YAML document; remove this "---" and what follows`},
		{name: "a scanner error keeps its line", given: "a: 1\nb: \"open\n", wantLine: 2, wantMsg: "invalid YAML: found unexpected end of stream"},
		{name: "a parser error's 0-based line is made 1-based", given: "a: 1\nb: [1, 2\nc: 3\n", wantLine: 2,
			wantMsg: "invalid YAML: did not find expected ',' or ']'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, err := Parse([]byte(tc.given), "flow file")
			if tc.wantMsg == "" {
				if err != nil || root == nil || root.Kind != yaml.MappingNode {
					t.Fatalf("Parse = %v, %v; want a mapping", root, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Parse = %v, nil; want %q", root, tc.wantMsg)
			}
			if err.Line != tc.wantLine || err.Col != tc.wantCol || err.Message != tc.wantMsg {
				t.Errorf("Parse error = %d:%d %q, want %d:%d %q", err.Line, err.Col, err.Message, tc.wantLine, tc.wantCol, tc.wantMsg)
			}
		})
	}
}

func FuzzParseNeverPanics(f *testing.F) {
	for _, s := range []string{"", "a: 1", "a: 1\n---\nb", "[", "&a [*a]", "\t"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		root, err := Parse(data, "file")
		if (root == nil) == (err == nil) {
			t.Fatalf("Parse = %v, %v: want exactly one of a root and an error", root, err)
		}
		if err != nil && err.Line < 1 {
			t.Fatalf("error %v has no line", err)
		}
	})
}

func TestDescribe(t *testing.T) {
	for _, tt := range []struct{ given, want string }{
		{"a: 1", "a mapping"},
		{"[1]", "a list"},
		{"~", "nothing"},
		{"42", "42"},
		{"true", "true"},
		{"hello", `"hello"`},
		{"/etc/secrets/keys-and-more", `"/etc/secrets/key..."`}, // cut after 16 runes
		{"ééééééééééééééééé", `"éééééééééééééééé..."`},          // runes, not bytes
	} {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(tt.given), &doc); err != nil {
			t.Fatal(err)
		}
		if got := Describe(doc.Content[0]); got != tt.want {
			t.Errorf("Describe(%s) = %s, want %s", tt.given, got, tt.want)
		}
	}
}
