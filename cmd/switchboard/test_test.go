package main

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestTestCommandGolden(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
	}{
		{"pass", []string{"test", "testdata/test/pass_test.yaml"}, 0},
		{"fail", []string{"test", "testdata/test/fail_test.yaml"}, 1},
		{"cover", []string{"test", "testdata/test/pass_test.yaml", "testdata/test/fail_test.yaml", "--cover"}, 1},
		{"bad", []string{"test", "testdata/test/bad_test.yaml", "testdata/test/pass_test.yaml"}, 1},
		{"demo", []string{"test", "--demo", "--cover"}, 0},
		{"no test file", []string{"test", "testdata/graph"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout, stderr)
			}
			golden(t, filepath.Join("testdata", "test", strings.ReplaceAll(tt.name, " ", "_")+".golden"), stdout+stderr)
		})
	}
}

func TestTestWritesJUnitXML(t *testing.T) {
	out := filepath.Join(t.TempDir(), "junit.xml")
	code, _, stderr := runCLI(t, "test", "--junit", out, "testdata/test/pass_test.yaml", "testdata/test/fail_test.yaml")
	if code != 1 {
		t.Fatalf("exit status %d, want 1\n%s", code, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, b)
	}
	if doc.Tests != 7 || doc.Failures != 3 || len(doc.Suites) != 2 || doc.Suites[1].Name != "testdata/test/fail_test.yaml" {
		t.Fatalf("tests=%d failures=%d suites=%d, want 7, 3 and 2:\n%s", doc.Tests, doc.Failures, len(doc.Suites), b)
	}
	f := doc.Suites[1].Cases[1].Failure
	if f == nil || !strings.Contains(f.Message, `say: "Please hold.": no SAY containing "Please hold."`) || !strings.Contains(f.Text, "SAY Orders are closed.") {
		t.Errorf("the failure of the closed-orders call: %+v", f)
	}
	// The rest is golden, with the times that vary taken out.
	golden(t, "testdata/test/junit.golden", regexp.MustCompile(`time="[0-9.]+"`).ReplaceAllString(string(b), `time="…"`))
}

func TestTestTakesFlagsAfterTheFiles(t *testing.T) {
	code, stdout, stderr := runCLI(t, "test", "testdata/test/pass_test.yaml", "--parallel", "1", "--cover")
	if code != 0 || !strings.Contains(stdout, "coverage of testdata/test/shop.yaml") {
		t.Errorf("exit status %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := runCLI(t, "test", "--parallel", "-1"); code != 2 || !strings.Contains(stderr, "--parallel must not be negative") {
		t.Errorf("--parallel -1: exit status %d\n%s", code, stderr)
	}
}

func TestABrokenTestFileStillWritesItsJUnitError(t *testing.T) {
	out := filepath.Join(t.TempDir(), "junit.xml")
	code, _, stderr := runCLI(t, "test", "--junit", out, "testdata/test/bad_test.yaml")
	if code != 1 || !strings.Contains(stderr, `unknown key "sayy"`) {
		t.Fatalf("exit status %d\n%s", code, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `errors="1"`) || !strings.Contains(string(b), `testdata/test/bad_test.yaml:6:9: calls[0].expect[0]: unknown key &#34;sayy&#34;`) &&
		!strings.Contains(string(b), `testdata/test/bad_test.yaml:6:9: calls[0].expect[0]: unknown key "sayy"`) {
		t.Errorf("the JUnit file does not report the broken test file:\n%s", b)
	}
}
