package fleet

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/switchboard-ivr/switchboard/framework/pgpolicy/pgpolicytest"
	"github.com/switchboard-ivr/switchboard/principals/principalstest"
)

// The fleet's settings: every replica checks signatures against one public URL, so a request
// signed once is valid on any of them, as behind a load balancer.
const (
	token     = "fleet-test-token-0123456789abcdef"
	stateKey  = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
	publicURL = "https://ivr.example.com"
	// authLimit is each replica's --failed-auth-limit: a burst of twice as many.
	authLimit = 5
	// blockedNumber is blocked by the built-in policy the test imports.
	blockedNumber = "+15555550199"
	// converge is how soon every replica must apply a change.
	converge = time.Second
	rounds   = 10 // policy changes measured (each a block and an unblock)
)

// env is what the fleet test needs from bench/fleet.sh.
type env struct {
	pg, redis, services string
	report              string
}

func fleetEnv(t *testing.T) env {
	e := env{pg: os.Getenv("SWITCHBOARD_TEST_PG"), redis: os.Getenv("SWITCHBOARD_TEST_REDIS"), services: os.Getenv("SWITCHBOARD_SERVICES"), report: os.Getenv("SWITCHBOARD_FLEET_REPORT")}
	if os.Getenv("SWITCHBOARD_FLEET") != "1" || e.pg == "" || e.redis == "" || e.services == "" {
		t.Skip("the fleet test stops and starts PostgreSQL and Redis, so it runs alone: bench/fleet.sh " +
			"(it needs SWITCHBOARD_FLEET=1, SWITCHBOARD_TEST_PG, SWITCHBOARD_TEST_REDIS and SWITCHBOARD_SERVICES, which it sets)")
	}
	return e
}

// replica is one serve process.
type replica struct {
	name string
	addr string
	cmd  *exec.Cmd
	log  string
	done chan error
	hits atomic.Int64
}

func TestFleet(t *testing.T) {
	e := fleetEnv(t)
	rep := &report{}
	defer func() { rep.write(t, e.report) }()

	bin := filepath.Join(t.TempDir(), "switchboard")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/switchboard").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	db := pgpolicytest.NewDatabase(t)
	sb := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, bin, append(args, "--policy-db", db)...).CombinedOutput()
		return string(out), err
	}
	if out, err := sb("policy", "import", "../../policy.csv"); err != nil {
		t.Fatalf("policy import: %v\n%s", err, out)
	}
	redisURL := freshRedis(t, e.redis)

	keys, monitorKey := monitoringKey(t, bin)
	var replicas []*replica
	for _, name := range []string{"A", "B", "C"} {
		replicas = append(replicas, startReplica(t, bin, name, db, redisURL, keys))
	}
	rep.line("replicas: 3 `switchboard serve` processes on 127.0.0.1 (%s), --policy-db on a fresh database, --state-redis, --replay-protection, --failed-auth-limit %d", addrs(replicas), authLimit)

	// Calls spread over the replicas for the whole test, checking what every caller hears.
	bg := startBackground(t, replicas)

	t.Run("PolicyChangesConvergeWithinOneSecond", func(t *testing.T) {
		var samples []time.Duration // per replica and change
		var worst []time.Duration   // per change, the slowest replica
		for i := range rounds {
			number := fmt.Sprintf("+1555555%04d", 1000+i)
			for _, want := range []string{"refused", "menu"} {
				cmd := "block"
				if want == "menu" {
					cmd = "unblock"
				}
				start := time.Now()
				if out, err := sb(cmd, number); err != nil {
					t.Fatalf("%s %s: %v\n%s", cmd, number, err, out)
				}
				committed := time.Now()
				times := untilAll(t, replicas, number, want, 5*time.Second, committed)
				samples = append(samples, times...)
				worst = append(worst, slices.Max(times))
				rep.cli = append(rep.cli, committed.Sub(start))
			}
		}
		rep.line("policy changes: %d (%d blocks, %d unblocks), each applied by 3 replicas; times from the command's exit to the replica's first answer under the new policy", len(worst), rounds, rounds)
		rep.line("  per replica (n=%d): p50 %s, p99 %s, max %s", len(samples), pct(samples, 50), pct(samples, 99), pct(samples, 100))
		rep.line("  every replica (slowest of three, n=%d): p50 %s, p99 %s, max %s", len(worst), pct(worst, 50), pct(worst, 99), pct(worst, 100))
		rep.line("  the command itself (start to exit, connecting included): p50 %s, max %s", pct(rep.cli, 50), pct(rep.cli, 100))
		if m := slices.Max(samples); m > converge {
			t.Errorf("a replica took %s to apply a change, want at most %s", m, converge)
		}
	})

	t.Run("AReplayAcceptedByOneReplicaIsRefusedByTheOthers", func(t *testing.T) {
		sid := callSID()
		first := call(t, replicas[0], "+15555550142", sid, "idem-"+sid)
		second := call(t, replicas[1], "+15555550142", sid, "idem-"+sid)
		third := call(t, replicas[2], "+15555550142", sid, "idem-"+sid)
		rep.line("replay: the same signed request (same signature and I-Twilio-Idempotency-Token) heard %s on A, %s on B, %s on C", first, second, third)
		if first != "menu" || second != "refused" || third != "refused" {
			t.Errorf("A %s, B %s, C %s; want menu, refused, refused", first, second, third)
		}
	})

	t.Run("AForgedFloodAcrossReplicasIsLimitedAsOne", func(t *testing.T) {
		const n = 150
		// A stranger hears the same flow whether or not the limit refused it (it learns nothing),
		// so the replicas' metrics tell which were limited.
		limitedBefore := rateLimited(t, replicas, monitorKey)
		start := time.Now()
		for i := range n {
			if got := forged(t, replicas[i%3]); got != "unverified" {
				t.Fatalf("forged request %d heard %s", i, got)
			}
		}
		elapsed := time.Since(start)
		passed := n - (rateLimited(t, replicas, monitorKey) - limitedBefore)
		budget := 2*authLimit + int(elapsed.Seconds()*authLimit) + 1
		rep.line("forged flood: %d forged requests from one address, round-robin over 3 replicas in %s: %d checked to the end, %d limited (one shared budget allows %d; three separate ones would allow %d)",
			n, elapsed.Round(time.Millisecond), passed, n-passed, budget, 3*budget)
		if passed > budget {
			t.Errorf("%d forged requests got past the limit, want at most %d: the replicas do not share it", passed, budget)
		}
	})

	t.Run("PostgreSQLStoppedAndStartedMidRun", func(t *testing.T) {
		blocked := "+15555552000"
		if out, err := sb("block", blocked); err != nil {
			t.Fatalf("block: %v\n%s", err, out)
		}
		untilAll(t, replicas, blocked, "refused", 5*time.Second, time.Now())
		bg.watch(blocked, "refused")
		before := bg.total()
		services(t, e, "pg", "stop")
		down := time.Now()
		degraded := untilReady(t, replicas, "policy-db", true, 10*time.Second, down)
		time.Sleep(3 * time.Second) // past a poll or two: every replica keeps serving
		served := bg.total() - before
		rep.line("PostgreSQL stopped: every replica's /readyz said degraded after %s (slowest); %d calls answered during the outage, a blocked caller refused throughout",
			slices.Max(degraded).Round(time.Millisecond), served)
		services(t, e, "pg", "start")
		back := time.Now()
		// The first change after the outage: the listeners may still be reconnecting, and the
		// version poll catches what their notifications missed.
		var out string
		var err error
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if out, err = sb("block", "+15555552001"); err == nil {
				break
			}
		}
		if err != nil {
			t.Fatalf("block after PostgreSQL returned: %v\n%s", err, out)
		}
		changed := time.Now()
		times := untilAll(t, replicas, "+15555552001", "refused", 10*time.Second, changed)
		healthy := untilReady(t, replicas, "policy-db", false, 10*time.Second, back)
		rep.line("PostgreSQL started again: a block made %s after it came back reached every replica %s after the command (slowest); /readyz healthy on all after %s",
			changed.Sub(back).Round(time.Millisecond), slices.Max(times).Round(time.Millisecond), slices.Max(healthy).Round(time.Millisecond))
		if served == 0 {
			t.Error("no call was answered while PostgreSQL was down")
		}
	})

	t.Run("RedisStoppedMidRun", func(t *testing.T) {
		before := bg.snapshot()
		bg.setRedisDown(true)
		services(t, e, "redis", "stop")
		down := time.Now()
		degraded := untilReady(t, replicas, "redis", true, 10*time.Second, down)
		got := map[string]int{}
		for i := range 30 {
			got[call(t, replicas[i%3], "+15555550142", callSID(), "")]++
		}
		blockedHeard := call(t, replicas[0], blockedNumber, callSID(), "")
		// Each replica falls back to its own limit: a burst of 2×authLimit per replica.
		limitedBefore := rateLimited(t, replicas, monitorKey)
		for range 3 * 4 * authLimit {
			for _, r := range replicas {
				forged(t, r)
			}
		}
		limited := rateLimited(t, replicas, monitorKey) - limitedBefore
		rep.line("Redis stopped: /readyz degraded on all after %s; 30 verified calls heard: %s (replay protection fails closed: the internal flow); a blocked caller heard %s; %d forged requests, %d to each replica: %d limited by the per-process limits",
			slices.Max(degraded).Round(time.Millisecond), tally(got), blockedHeard, 3*4*authLimit*3, 3*4*authLimit, limited)
		if limited == 0 || limited > 3*(3*4*authLimit-2*authLimit) {
			t.Errorf("with Redis down, %d forged requests were limited; want each replica to apply its own limit (at least 1, at most %d)", limited, 3*(3*4*authLimit-2*authLimit))
		}
		if got["internal"] != 30 {
			t.Errorf("with Redis down, replay-protected calls heard %v, want the internal flow every time", got)
		}
		if blockedHeard != "refused" {
			t.Errorf("with Redis down, a blocked caller heard %s, want the refusal", blockedHeard)
		}
		services(t, e, "redis", "start")
		back := time.Now()
		recovered := untilAll(t, replicas, "+15555550142", "menu", 10*time.Second, back)
		bg.setRedisDown(false)
		after := bg.snapshot()
		rep.line("Redis started again: every replica answered with the menu %s after it came back (slowest); during the outage the background calls heard %s",
			slices.Max(recovered).Round(time.Millisecond), after.minus(before))
	})

	bg.stop()
	rep.line("background calls: %s", bg.snapshot())
	for _, r := range replicas {
		rep.line("  replica %s answered %d requests", r.name, r.hits.Load())
	}
	for _, v := range bg.violations() {
		t.Errorf("background: %s", v)
	}
	if n := bg.count5xx.Load(); n > 0 {
		t.Errorf("%d answers were 5xx or not TwiML", n)
	}
	for _, r := range replicas {
		if err := r.stop(); err != nil {
			t.Errorf("replica %s did not stop cleanly: %v", r.name, err)
		}
	}
	rep.line("shutdown: every replica exited 0 on SIGTERM")
}

// freshRedis returns the URL of a Redis database the test empties first, so that no bucket or
// replay of an earlier run counts.
func freshRedis(t *testing.T, base string) string {
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/9"
	opts, err := redis.ParseURL(u.String())
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	defer c.Close()
	if err := c.FlushDB(context.Background()).Err(); err != nil {
		t.Fatalf("emptying Redis database 9: %v", err)
	}
	return u.String()
}

// monitoringKey makes an operator key in group:monitoring, which the built-in policy lets read
// /metrics, and returns the keys file that holds its hash, and the key.
func monitoringKey(t *testing.T, bin string) (file, key string) {
	t.Helper()
	out, err := exec.Command(bin, "key", "--name", "fleet-monitor", "--group", "monitoring").Output()
	if err != nil {
		t.Fatalf("switchboard key: %v", err)
	}
	var line string
	for l := range strings.Lines(string(out)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "key:"); ok {
			key = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "line:"); ok {
			line = strings.TrimSpace(v)
		}
	}
	file = filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(file, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return file, key
}

// rateLimited sums the requests every replica refused for the failed-auth limit.
func rateLimited(t *testing.T, rs []*replica, key string) int {
	t.Helper()
	total := 0.0
	for _, r := range rs {
		req, _ := http.NewRequest(http.MethodGet, "http://"+r.addr+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("replica %s /metrics: %d", r.name, resp.StatusCode)
		}
		for l := range strings.Lines(string(b)) {
			if strings.HasPrefix(l, "switchboard_requests_total{") && strings.Contains(l, `outcome="rate_limited"`) {
				var v float64
				fmt.Sscan(l[strings.LastIndexByte(l, ' ')+1:], &v)
				total += v
			}
		}
	}
	return int(total)
}

func startReplica(t *testing.T, bin, name, db, redisURL, keys string) *replica {
	t.Helper()
	r := &replica{name: name, log: filepath.Join(t.TempDir(), "replica-"+name+".log"), done: make(chan error, 1)}
	f, err := os.Create(r.log)
	if err != nil {
		t.Fatal(err)
	}
	r.cmd = exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--policy-db", db, "--state-redis", redisURL,
		"--replay-protection", "--public-url", publicURL, "--failed-auth-limit", fmt.Sprint(authLimit), "--keys", keys, "--log-format", "json")
	r.cmd.Env = append(os.Environ(), "TWILIO_AUTH_TOKEN="+token, "SWITCHBOARD_STATE_KEY="+stateKey)
	r.cmd.Stdout, r.cmd.Stderr = io.Discard, f
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.done <- r.cmd.Wait(); f.Close() }()
	t.Cleanup(func() {
		_ = r.cmd.Process.Kill()
		if t.Failed() {
			b, _ := os.ReadFile(r.log)
			t.Logf("replica %s log (last 4 kB):\n%s", name, tail(b, 4096))
		}
	})
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if addr := listening(r.log); addr != "" {
			r.addr = addr
			return r
		}
		select {
		case err := <-r.done:
			b, _ := os.ReadFile(r.log)
			t.Fatalf("replica %s exited before listening: %v\n%s", name, err, b)
		default:
		}
	}
	t.Fatalf("replica %s did not listen within 20 s", name)
	return nil
}

// listening returns the address the "listening" line of a JSON log names.
func listening(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var l struct{ Msg, Addr string }
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == "listening" && l.Addr != "" {
			return l.Addr
		}
	}
	return ""
}

func (r *replica) stop() error {
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case err := <-r.done:
		return err
	case <-time.After(20 * time.Second):
		return fmt.Errorf("still running 20 s after SIGTERM")
	}
}

func addrs(rs []*replica) string {
	var s []string
	for _, r := range rs {
		s = append(s, r.name+" "+r.addr)
	}
	return strings.Join(s, ", ")
}

var client = &http.Client{Timeout: 10 * time.Second}

func callSID() string { return fmt.Sprintf("CA%016x%016x", rand.Uint64(), rand.Uint64()) }

// call sends the first webhook of a call from number, signed for the public URL, to r and
// returns what the caller hears: menu, refused, unverified, internal, or what went wrong.
func call(t *testing.T, r *replica, number, sid, idem string) string {
	return send(t, r, token, number, sid, idem)
}

// forged sends a webhook signed with the wrong token.
func forged(t *testing.T, r *replica) string {
	return send(t, r, "not-the-token", "+15555550142", callSID(), "")
}

func send(t *testing.T, r *replica, tok, number, sid, idem string) string {
	req := principalstest.NewPOST(tok, publicURL+"/ivr/welcome", principalstest.CallParams(number, "CallSid", sid))
	req.URL.Scheme, req.URL.Host, req.RequestURI = "http", r.addr, ""
	if idem != "" {
		req.Header.Set("I-Twilio-Idempotency-Token", idem)
	}
	r.hits.Add(1)
	resp, err := client.Do(req)
	if err != nil {
		return "error: " + err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return heard(resp.StatusCode, resp.Header.Get("Content-Type"), string(b))
}

// heard classifies an answer by the demo flow's words.
func heard(status int, contentType, body string) string {
	switch {
	case status != http.StatusOK || !strings.HasPrefix(contentType, "text/xml"):
		return fmt.Sprintf("bad: %d %s", status, contentType)
	case strings.Contains(body, "<Gather"):
		return "menu"
	case strings.Contains(body, "could not verify"):
		return "unverified"
	case strings.Contains(body, "something went wrong"):
		return "internal"
	case strings.Contains(body, "<Response"):
		return "refused" // the forbidden flow, or a flow that hangs up on a denied caller
	}
	return "bad: " + body
}

// untilAll asks every replica, every 5 ms, what number hears, until it hears want, and returns
// how long after since each took. It fails the test past limit.
func untilAll(t *testing.T, rs []*replica, number, want string, limit time.Duration, since time.Time) []time.Duration {
	t.Helper()
	out := make([]time.Duration, len(rs))
	var wg sync.WaitGroup
	for i, r := range rs {
		wg.Go(func() {
			for {
				got := call(t, r, number, callSID(), "")
				if got == want {
					out[i] = time.Since(since)
					return
				}
				if time.Since(since) > limit {
					t.Errorf("replica %s: %s still hears %s %s after the change, want %s", r.name, number, got, limit, want)
					out[i] = limit
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
	wg.Wait()
	return out
}

// untilReady polls every replica's /readyz until dependency dep is degraded (or healthy again),
// and returns how long after since each took.
func untilReady(t *testing.T, rs []*replica, dep string, degraded bool, limit time.Duration, since time.Time) []time.Duration {
	t.Helper()
	out := make([]time.Duration, len(rs))
	for i, r := range rs {
		for {
			if d := readyz(r); strings.Contains(d, dep) == degraded {
				out[i] = time.Since(since)
				break
			}
			if time.Since(since) > limit {
				t.Errorf("replica %s: /readyz still says %q %s later", r.name, readyz(r), limit)
				out[i] = limit
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return out
}

// readyz returns the body of a replica's /readyz.
func readyz(r *replica) string {
	resp, err := client.Get("http://" + r.addr + "/readyz")
	if err != nil {
		return "error: " + err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func services(t *testing.T, e env, what, action string) {
	t.Helper()
	start := time.Now()
	out, err := exec.Command(e.services, what, action).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s %s: %v\n%s", e.services, what, action, err, out)
	}
	t.Logf("%s %s took %s", what, action, time.Since(start).Round(time.Millisecond))
}

// background sends calls round-robin over the replicas until stopped: an ordinary caller, the
// number the built-in policy blocks, and any number watch adds with what it must hear.
type background struct {
	t        *testing.T
	rs       []*replica
	quit     chan struct{}
	wg       sync.WaitGroup
	mu       sync.Mutex
	heard    map[string]int // "caller: outcome" → count
	expect   map[string]string
	bad      []string
	count5xx atomic.Int64
	sent     atomic.Int64
	redis    atomic.Bool // Redis is down: ordinary callers may hear the internal flow
}

func startBackground(t *testing.T, rs []*replica) *background {
	b := &background{t: t, rs: rs, quit: make(chan struct{}), heard: map[string]int{},
		expect: map[string]string{"+15555550142": "menu", blockedNumber: "refused"}}
	for w := range 2 {
		b.wg.Go(func() {
			for i := w; ; i++ {
				select {
				case <-b.quit:
					return
				case <-time.After(10 * time.Millisecond):
				}
				b.mu.Lock()
				numbers := make([]string, 0, len(b.expect))
				for n := range b.expect {
					numbers = append(numbers, n)
				}
				b.mu.Unlock()
				slices.Sort(numbers)
				n := numbers[i%len(numbers)]
				got := call(t, rs[i%len(rs)], n, callSID(), "")
				b.record(rs[i%len(rs)].name, n, got)
			}
		})
	}
	return b
}

func (b *background) record(replica, number, got string) {
	b.sent.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	want := b.expect[number]
	kind := "ordinary caller"
	if want == "refused" {
		kind = "blocked caller"
	}
	b.heard[kind+": "+got]++
	ok := got == want || want == "menu" && got == "internal" && b.redis.Load()
	if strings.HasPrefix(got, "bad") {
		b.count5xx.Add(1)
	}
	if !ok && len(b.bad) < 20 {
		b.bad = append(b.bad, fmt.Sprintf("replica %s: %s (%s) heard %s, want %s", replica, number, kind, got, want))
	}
}

func (b *background) watch(number, want string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.expect[number] = want
}

func (b *background) setRedisDown(down bool) {
	if !down {
		time.Sleep(200 * time.Millisecond) // calls in flight when Redis came back
	}
	b.redis.Store(down)
}

func (b *background) total() int64 { return b.sent.Load() }

func (b *background) stop() { close(b.quit); b.wg.Wait() }

func (b *background) violations() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.bad)
}

// tally is the background's outcomes at one moment.
type tally map[string]int

func (b *background) snapshot() tally {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := tally{}
	for k, v := range b.heard {
		out[k] = v
	}
	return out
}

func (a tally) minus(b tally) tally {
	out := tally{}
	for k, v := range a {
		if d := v - b[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

func (a tally) String() string {
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var s []string
	for _, k := range keys {
		s = append(s, fmt.Sprintf("%s %d", k, a[k]))
	}
	return strings.Join(s, ", ")
}

// report collects the lines of the fleet report.
type report struct {
	lines []string
	cli   []time.Duration
}

func (r *report) line(format string, args ...any) {
	r.lines = append(r.lines, fmt.Sprintf(format, args...))
}

func (r *report) write(t *testing.T, path string) {
	text := strings.Join(r.lines, "\n") + "\n"
	t.Logf("fleet report:\n%s", text)
	if path != "" {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Error(err)
		}
	}
}

// pct returns the p-th percentile of ds (nearest rank), rounded for the report.
func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (p*len(s)+99)/100 - 1
	i = max(0, min(i, len(s)-1))
	return s[i].Round(100 * time.Microsecond)
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
