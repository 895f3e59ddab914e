package flowtest

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteText writes the report as `switchboard test` prints it: one line per call, "ok" or
// "FAIL" with the first unmet expectation and the events around it; then a file whose flow did
// not load, with its problems; then a summary line.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	for i := range r.Results {
		res := &r.Results[i]
		b.WriteString(res.Line())
		b.WriteByte('\n')
		if res.Failure != nil {
			for _, l := range res.Transcript() {
				b.WriteString("    " + l + "\n")
			}
		}
	}
	for _, e := range r.Errors {
		b.WriteString("FAIL " + e.File.Path + ": the calls did not run:\n")
		for _, l := range strings.Split(e.Err.Error(), "\n") {
			b.WriteString("    " + l + "\n")
		}
	}
	b.WriteString(r.summary())
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

func (r *Report) summary() string {
	calls := len(r.Results)
	files := map[*File]bool{}
	for _, res := range r.Results {
		files[res.File] = true
	}
	for _, e := range r.Errors {
		files[e.File] = true
		calls += len(e.File.Calls)
	}
	in := fmt.Sprintf("%s in %s", plural(calls, "call"), plural(len(files), "file"))
	failed := 0
	for _, res := range r.Results {
		if res.Failure != nil {
			failed++
		}
	}
	switch {
	case len(r.Errors) > 0 && failed > 0:
		return fmt.Sprintf("FAIL: %d failed and %s did not run, of %s", failed, plural(len(r.Errors), "file"), in)
	case len(r.Errors) > 0:
		return fmt.Sprintf("FAIL: %s did not run, of %s", plural(len(r.Errors), "file"), in)
	case failed > 0:
		return fmt.Sprintf("FAIL: %d of %s failed", failed, in)
	}
	return "ok: " + in
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// WriteCoverage writes, per flow, how many of its menus, options and error flows the calls
// reached, and names those they never did.
func (r *Report) WriteCoverage(w io.Writer) error {
	var b strings.Builder
	for _, c := range r.Coverage {
		fmt.Fprintf(&b, "coverage of %s: %d of %d menus, %d of %d options, %d of %d error flows\n", c.Flow,
			Reached(c.Menus), len(c.Menus), Reached(c.Options), len(c.Options), Reached(c.ErrorFlows), len(c.ErrorFlows))
		for _, l := range []struct {
			what  string
			items []Covered
		}{{"menus never reached", c.Menus}, {"options never chosen", c.Options}, {"error flows never heard", c.ErrorFlows}} {
			if never := Never(l.items); len(never) > 0 {
				fmt.Fprintf(&b, "    %s: %s\n", l.what, strings.Join(never, ", "))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// JUnit XML, as Jenkins, GitLab, GitHub and CircleCI read it: one testsuite per test file, one
// testcase per call.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// WriteJUnit writes the report as JUnit XML: a testsuite per test file, a testcase per call, a
// failure with the unmet expectation and the events around it; a file whose flow did not load
// is a suite with one error.
func (r *Report) WriteJUnit(w io.Writer) error {
	out := junitSuites{}
	var total time.Duration
	index := map[*File]int{}
	var times []time.Duration // by suite
	for i := range r.Results {
		res := &r.Results[i]
		si, ok := index[res.File]
		if !ok {
			si = len(out.Suites)
			index[res.File] = si
			out.Suites = append(out.Suites, junitSuite{Name: res.File.Path})
			times = append(times, 0)
		}
		s := &out.Suites[si]
		tc := junitCase{Name: res.Call.Name, Classname: res.File.Path, Time: seconds(res.Elapsed)}
		if res.Failure != nil {
			tc.Failure = &junitProblem{Message: strings.TrimPrefix(res.Line(), "FAIL "), Type: "expectation",
				Text: strings.Join(res.Transcript(), "\n")}
			s.Failures++
		}
		s.Tests++
		s.Cases = append(s.Cases, tc)
		total += res.Elapsed
		times[si] += res.Elapsed
		s.Time = seconds(times[si])
	}
	for _, e := range r.Errors {
		out.Suites = append(out.Suites, junitSuite{Name: e.File.Path, Tests: 1, Errors: 1, Time: seconds(0), Cases: []junitCase{{
			Name: "the calls run", Classname: e.File.Path, Time: seconds(0),
			Error: &junitProblem{Message: "the calls did not run", Type: "flow", Text: e.Err.Error()},
		}}})
	}
	for _, s := range out.Suites {
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
	}
	out.Time = seconds(total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
