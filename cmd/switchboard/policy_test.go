package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-ivr/switchboard"
	"github.com/switchboard-ivr/switchboard/framework/pgpolicy/pgpolicytest"
)

// sb runs the command line and returns its exit status, stdout and stderr.
func sb(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// importDefault fills a fresh database with the built-in policy and returns its URL.
func importDefault(t *testing.T) string {
	t.Helper()
	db := pgpolicytest.NewDatabase(t)
	path := filepath.Join(t.TempDir(), "policy.csv")
	if err := os.WriteFile(path, []byte(switchboard.DefaultPolicy), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := sb(t, "policy", "import", path, "--policy-db", db); code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, out, errs)
	}
	return db
}

func TestPolicyImportThenExportGivesBackTheRules(t *testing.T) {
	db := importDefault(t)
	code, out, errs := sb(t, "policy", "export", "--policy-db", db)
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, errs)
	}
	var want, got []string
	for _, l := range strings.Split(switchboard.DefaultPolicy, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			want = append(want, l)
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			got = append(got, l)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("exported %d rules, imported %d:\n%s", len(got), len(want), out)
	}
	for _, w := range want {
		if !strings.Contains(out, w+"\n") {
			t.Errorf("export lacks %q", w)
		}
	}
	// What export prints, import takes back without a change.
	path := filepath.Join(t.TempDir(), "exported.csv")
	os.WriteFile(path, []byte(out), 0o600)
	if code, out, errs := sb(t, "policy", "import", path, "--policy-db", db); code != 0 || !strings.Contains(out, "no change") {
		t.Errorf("re-importing the export: exit %d\n%s%s", code, out, errs)
	}
}

func TestPolicyImportOfABrokenFileNamesTheLineAndChangesNothing(t *testing.T) {
	db := importDefault(t)
	path := filepath.Join(t.TempDir(), "broken.csv")
	os.WriteFile(path, []byte("p, twilio, /ivr/*, view, allow\np, group:blocked, /ivr/*, *, dney\n"), 0o600)
	code, _, errs := sb(t, "policy", "import", path, "--policy-db", db)
	if code != 1 || !strings.Contains(errs, path+":2:") || !strings.Contains(errs, "nothing was imported") {
		t.Errorf("import of a broken file: exit %d, stderr:\n%s\nwant 1 and the file's line 2", code, errs)
	}
	_, out, _ := sb(t, "policy", "list", "--policy-db", db)
	if !strings.Contains(out, "p, group:operators, /calls, call, allow") {
		t.Errorf("a refused import changed the policy:\n%s", out)
	}
}

func TestPolicyAddAndRemoveByIDOrText(t *testing.T) {
	db := importDefault(t)
	const rule = "p, group:night, /ivr/*, view, allow"
	code, out, errs := sb(t, "policy", "add", rule, "--policy-db", db)
	if code != 0 || !strings.HasPrefix(out, "added   ") || !strings.Contains(out, rule) {
		t.Fatalf("add: exit %d\n%s%s", code, out, errs)
	}
	id := strings.Fields(out)[1]
	_, list, _ := sb(t, "policy", "list", "--policy-db", db)
	if !strings.Contains(list, id) || !strings.Contains(list, rule) {
		t.Errorf("list does not show the new rule with its id %s:\n%s", id, list)
	}
	if code, out, errs := sb(t, "policy", "remove", id[:8], "--policy-db", db); code != 0 || !strings.Contains(out, "removed "+id) {
		t.Errorf("remove by id prefix: exit %d\n%s%s", code, out, errs)
	}
	if code, _, errs := sb(t, "policy", "remove", rule, "--policy-db", db); code != 1 || !strings.Contains(errs, "no rule is") {
		t.Errorf("removing a rule that is gone: exit %d, %s", code, errs)
	}
	if code, _, errs := sb(t, "policy", "add", "p, group:x, /ivr/*, view, allow, extra", "--policy-db", db); code != 1 || !strings.Contains(errs, "4 fields") {
		t.Errorf("adding a malformed rule: exit %d, %s", code, errs)
	}
}

func TestPolicyChangeWithAFlowIsRefusedWhenReplicasWouldRefuseIt(t *testing.T) {
	db := importDefault(t)
	const twilio = "p, twilio, /ivr/*, view, allow"
	// Without the line, the policy is valid on its own, but every call would hear the forbidden
	// flow, so a replica refuses it: with --flow, so does the command.
	code, _, errs := sb(t, "policy", "remove", twilio, "--policy-db", db, "--flow", "../../demo.yaml")
	if code != 1 || !strings.Contains(errs, "the replicas would refuse the policy") || !strings.Contains(errs, "refuses every voice route") {
		t.Errorf("removing Twilio's line with --flow: exit %d, stderr:\n%s\nwant a refusal that says why", code, errs)
	}
	if _, list, _ := sb(t, "policy", "list", "--policy-db", db); !strings.Contains(list, twilio) {
		t.Errorf("a refused change removed the line:\n%s", list)
	}
	if code, out, errs := sb(t, "block", "+15555550142", "--policy-db", db, "--flow", "../../demo.yaml"); code != 0 {
		t.Errorf("a block checked with the flow: exit %d\n%s%s", code, out, errs)
	}
}

func TestBlockAndUnblockAddAndRemoveTheBlocklistLine(t *testing.T) {
	db := importDefault(t)
	code, out, errs := sb(t, "block", "+15555550142", "--policy-db", db)
	if code != 0 || !strings.Contains(out, "g, caller:+15555550142, group:blocked") {
		t.Fatalf("block: exit %d\n%s%s", code, out, errs)
	}
	if _, out, _ := sb(t, "block", "+15555550142", "--policy-db", db); !strings.Contains(out, "no change") {
		t.Errorf("blocking twice changed something:\n%s", out)
	}
	code, out, errs = sb(t, "unblock", "+15555550142", "--policy-db", db)
	if code != 0 || !strings.Contains(out, "removed") {
		t.Fatalf("unblock: exit %d\n%s%s", code, out, errs)
	}
	if _, list, _ := sb(t, "policy", "list", "--policy-db", db); strings.Contains(list, "+15555550142") {
		t.Errorf("the number is still in the policy after unblock:\n%s", list)
	}
}

func TestBlockRefusesWhatWouldBlockNothing(t *testing.T) {
	db := importDefault(t)
	tests := []struct {
		name   string
		args   []string
		code   int
		expect string
	}{
		{"a number that is not E.164", []string{"block", "555-0142"}, 2, "not an E.164 number"},
		{"a group no deny line names", []string{"block", "+15555550142", "--group", "group:nobody"}, 1, "no deny line names the group group:nobody"},
		{"no number", []string{"block"}, 2, "at least one number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := sb(t, append(tt.args, "--policy-db", db)...)
			if code != tt.code || !strings.Contains(errs, tt.expect) {
				t.Errorf("exit %d, stderr:\n%s\nwant %d and %q", code, errs, tt.code, tt.expect)
			}
		})
	}
}

func TestPolicyCommandsNeedADatabase(t *testing.T) {
	t.Setenv(envPolicyDB, "")
	for _, args := range [][]string{{"policy", "list"}, {"block", "+15555550142"}} {
		if code, _, errs := sb(t, args...); code != 2 || !strings.Contains(errs, "--policy-db") {
			t.Errorf("%v without a database: exit %d, %s", args, code, errs)
		}
	}
	if code, _, errs := sb(t, "policy", "list", "--policy-db", "postgres://u:hunter2@127.0.0.1:1/db?connect_timeout=1"); code != 1 || strings.Contains(errs, "hunter2") {
		t.Errorf("an unreachable database: exit %d, %s", code, errs)
	}
}

func TestExplainAndRoutesReadThePolicyDatabaseAndNameRulesByID(t *testing.T) {
	db := importDefault(t)
	_, list, _ := sb(t, "policy", "list", "--policy-db", db)
	var denyID string
	for l := range strings.Lines(list) {
		if strings.Contains(l, "p, group:blocked, /ivr/*, *, deny") {
			denyID = strings.Fields(l)[0]
		}
	}
	code, out, errs := sb(t, "explain", "--principal", "twilio", "--principal", "caller:+15555550199", "--route", "/ivr/welcome", "--policy-db", db)
	if code != 1 || !strings.Contains(out, `denied by policy-db rule `+denyID+` "p, group:blocked, /ivr/*, *, deny"`) {
		t.Errorf("explain against the database: exit %d\n%s%s\nwant a denial naming rule %s", code, out, errs, denyID)
	}
	code, out, errs = sb(t, "routes", "--policy-db", db)
	if code != 0 || !strings.Contains(out, "/ivr/staff") || !strings.Contains(out, "group:blocked") {
		t.Errorf("routes against the database: exit %d\n%s%s", code, out, errs)
	}
	if code, _, errs := sb(t, "explain", "--principal", "twilio", "--route", "/ivr/welcome", "--policy-db", db, "--policy", "policy.csv"); code != 2 || !strings.Contains(errs, "both set") {
		t.Errorf("explain with both policies: exit %d, %s", code, errs)
	}
}
