package library

// Kill tests: a staff change (add, replace, remove, import) is run in a child
// process (this test binary, re-executed) that SIGKILLs itself at its N-th
// crash point (Options.fault; a no-op in production), optionally followed by
// a second child killed at the M-th point of the recovery. Then this process
// opens the library (recovering what is left) and checks that the four views
// agree: the files in CORPUS_DIR are exactly those before or exactly those
// after the step, Docs (the index's input) says the same, the audit log has
// the step's record exactly when the files are after it, and pressing the
// button again tells the truth (ErrDone once landed; a fresh, complete step
// otherwise), after which an unrelated upload changes nothing about it.
// TestKillStaffChanges runs a short series; TestFaultKillStaffChanges (build
// tag faults) runs every pair of crash points.

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// childEnv carries a childSpec to the re-executed test binary.
const childEnv = "GONGHUI_LIBRARY_CRASH_CHILD"

// childSpec tells a child process what to do and where to die.
type childSpec struct {
	Scenario string `json:"scenario"`
	Corpus   string `json:"corpus"`
	Data     string `json:"data"`
	Target   string `json:"target"`
	Now      string `json:"now"`
	// Step: run the scenario's step after Open; otherwise only Open (recovery).
	Step bool `json:"step"`
	// CrashAt is the crash point (1-based) at which the child kills itself;
	// 0 never.
	CrashAt int `json:"crash_at"`
	// Out is where the child writes its childResult when it is not killed.
	Out string `json:"out"`
}

// childResult is what a child that was not killed reports.
type childResult struct {
	Points []string `json:"points"`
	Err    string   `json:"err,omitempty"`
}

// TestCrashChild is the child process; it does nothing in a normal run.
func TestCrashChild(t *testing.T) {
	raw := os.Getenv(childEnv)
	if raw == "" {
		t.Skip("runs only as the child of a kill test")
	}
	var spec childSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		t.Fatal(err)
	}
	now, err := time.Parse(time.RFC3339, spec.Now)
	if err != nil {
		t.Fatal(err)
	}
	var res childResult
	fault := func(point string) error {
		res.Points = append(res.Points, point)
		if len(res.Points) == spec.CrashAt {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // the signal is on its way
		}
		return nil
	}
	l, err := OpenWith(spec.Corpus, spec.Data, Options{Now: func() time.Time { return now }, fault: fault, LockWait: 5 * time.Second})
	if err == nil && spec.Step {
		err = scenarioNamed(spec.Scenario).do(l, spec.Target)
	}
	if err != nil {
		res.Err = err.Error()
	}
	out, _ := json.Marshal(res)
	if err := os.WriteFile(spec.Out, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// scenario is one kind of staff change, from a fixed starting corpus.
type scenario struct {
	name string
	// setup builds the corpus before the step and returns its target (a
	// pending upload's or a document's ID).
	setup func(t *testing.T, f *fixture, l *Library) string
	// do runs the step; pressing the button again runs it again.
	do func(l *Library, target string) error
	// cancel, when set, is the other button (取消) of the same preview.
	cancel func(l *Library, target string) error
	// done is what staff pressing again are told once the step landed.
	done string
}

const (
	goldV1 = "关于金秋助学的通知\n\n今年金秋助学每人资助3000元，报名到8月底。\n"
	goldV2 = "关于金秋助学的通知\n\n今年金秋助学每人资助5000元，报名延长到9月15日。\n"
)

func commitTarget(l *Library, target string) error {
	_, err := l.Commit(target, "tg:7")
	return err
}

func cancelTarget(l *Library, target string) error { return l.Cancel(target) }

func prepare(t *testing.T, l *Library, name, text string) string {
	t.Helper()
	p, err := l.Prepare(name, []byte(text), Meta{}, "tg:7")
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

func add(t *testing.T, l *Library, name, text string) string {
	t.Helper()
	doc, _, err := l.Add(name, []byte(text), Meta{}, "cli:op")
	if err != nil {
		t.Fatal(err)
	}
	return doc.ID
}

func scenarios() []scenario {
	return []scenario{
		{
			name: "add",
			setup: func(t *testing.T, f *fixture, l *Library) string {
				f.write(t, "lanzhou.md", handCopied)
				add(t, l, "gold.txt", goldV1)
				return prepare(t, l, "notice.txt", notice)
			},
			do: commitTarget, cancel: cancelTarget, done: "已经入库",
		},
		{
			// A new original with another extension: the old one is dropped.
			name: "replace",
			setup: func(t *testing.T, f *fixture, l *Library) string {
				f.write(t, "lanzhou.md", handCopied)
				add(t, l, "gold.html", "<html><body><h1>关于金秋助学的通知</h1><p>今年金秋助学每人资助3000元。</p></body></html>")
				return prepare(t, l, "gold.txt", goldV2)
			},
			do: commitTarget, cancel: cancelTarget, done: "已经替换",
		},
		{
			// The same extension: the original is replaced in place.
			name: "replace-same-file",
			setup: func(t *testing.T, f *fixture, l *Library) string {
				add(t, l, "gold.txt", goldV1)
				return prepare(t, l, "gold2.txt", goldV2)
			},
			do: commitTarget, done: "已经替换",
		},
		{
			name: "remove",
			setup: func(t *testing.T, f *fixture, l *Library) string {
				f.write(t, "lanzhou.md", handCopied)
				add(t, l, "gold.txt", goldV1)
				return add(t, l, "notice.txt", notice)
			},
			do:   func(l *Library, target string) error { return l.Remove(target, "tg:7") },
			done: "已经删除",
		},
		{
			// An operator's hand-copied file, converted and moved to originals/.
			name: "import",
			setup: func(t *testing.T, f *fixture, l *Library) string {
				add(t, l, "gold.txt", goldV1)
				f.write(t, "hotline.html", "<html><body><h1>职工服务热线</h1><p>职工服务热线改为12351，全天有人接听。</p></body></html>")
				return ""
			},
			do: func(l *Library, _ string) error {
				got, err := l.Import("cli:op")
				for _, im := range got {
					err = errors.Join(err, im.Err)
				}
				return err
			},
		},
	}
}

func scenarioNamed(name string) scenario {
	for _, s := range scenarios() {
		if s.name == name {
			return s
		}
	}
	panic("no scenario " + name)
}

// state is what the four views show, minus staff's answer.
type state struct {
	files map[string]string // CORPUS_DIR, as snapshot
	docs  []string          // Docs(): ID, title and hash of each
	audit []string          // the audit log: action and document of each
}

func (f *fixture) state(t *testing.T, l *Library) state {
	t.Helper()
	docs, skipped, err := l.Docs()
	if err != nil || len(skipped) > 0 {
		t.Fatalf("docs: %v, skipped %v", err, skipped)
	}
	st := state{files: snapshot(t, f.corpusDir)}
	for _, d := range docs {
		st.docs = append(st.docs, d.ID+" "+d.Title+" "+d.Hash)
	}
	recs, err := l.Audit()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		st.audit = append(st.audit, r.Action+" "+r.DocID+" "+r.Who)
	}
	return st
}

func (s state) equal(o state) bool {
	if len(s.files) != len(o.files) || !slices.Equal(s.docs, o.docs) || !slices.Equal(s.audit, o.audit) {
		return false
	}
	for k, v := range s.files {
		if w, ok := o.files[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func (s state) String() string {
	var names []string
	for k := range s.files {
		names = append(names, k)
	}
	slices.Sort(names)
	return fmt.Sprintf("files %v\ndocs %v\naudit %v", names, s.docs, s.audit)
}

// killRig runs kill trials of scenarios in one scratch folder.
type killRig struct {
	t     *testing.T
	root  string
	n     int
	ref   map[string][2]state // scenario → state before and after the step
	stats killStats
}

// killStats are the figures of a series of trials.
type killStats struct {
	trials, consistent, landed, rolledBack, recoveryKills int
	points                                                map[string]int
}

func newKillRig(t *testing.T) *killRig {
	return &killRig{t: t, root: scratchDir(t), ref: map[string][2]state{}, stats: killStats{points: map[string]int{}}}
}

// scratchDir is a folder for many trials, in memory (/dev/shm) when the
// machine has one: a kill -9 loses nothing a process wrote, only what it
// had yet to do, so these tests need ordering, not the disk's fsync latency
// (which made them ten times slower).
func scratchDir(t *testing.T) string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		if dir, err := os.MkdirTemp("/dev/shm", "library-test-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return t.TempDir()
}

// fixture makes a fresh pair of folders for one trial.
func (r *killRig) fixture() *fixture {
	r.n++
	dir := filepath.Join(r.root, fmt.Sprint(r.n))
	return &fixture{
		corpusDir: filepath.Join(dir, "corpus"),
		dataDir:   filepath.Join(dir, "data"),
		clock:     &clock{t: time.Date(2024, 5, 2, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))},
	}
}

// child runs the test binary as a child; killed reports whether it died of
// SIGKILL, res what it reported otherwise.
func (r *killRig) child(f *fixture, sc scenario, target string, step bool, crashAt int) (killed bool, res childResult) {
	t := r.t
	t.Helper()
	out := filepath.Join(filepath.Dir(f.corpusDir), fmt.Sprintf("child-%v-%d.json", step, crashAt))
	spec, _ := json.Marshal(childSpec{Scenario: sc.name, Corpus: f.corpusDir, Data: f.dataDir, Target: target,
		Now: f.clock.Now().Format(time.RFC3339), Step: step, CrashAt: crashAt, Out: out})
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	// A race-enabled child would sleep a second at exit (atexit_sleep_ms).
	cmd.Env = append(os.Environ(), childEnv+"="+string(spec), "GORACE="+os.Getenv("GORACE")+" atexit_sleep_ms=0")
	output, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return true, res
		}
	}
	if err != nil {
		t.Fatalf("child: %v\n%s", err, output)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("child wrote no result: %v\n%s", err, output)
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatal(err)
	}
	return false, res
}

// reference returns the states before and after a step that nothing
// interrupted, and the step's crash points.
func (r *killRig) reference(sc scenario) (before, after state, points []string) {
	t := r.t
	f := r.fixture()
	l := f.open(t, nil)
	target := sc.setup(t, f, l)
	before = f.state(t, l)
	killed, res := r.child(f, sc, target, true, 0)
	if killed || res.Err != "" {
		t.Fatalf("%s: uninterrupted step failed: %s", sc.name, res.Err)
	}
	after = f.state(t, f.open(t, nil))
	if before.equal(after) {
		t.Fatalf("%s: the step changed nothing", sc.name)
	}
	if len(after.audit) != len(before.audit)+1 {
		t.Fatalf("%s: audit %v after %v", sc.name, after.audit, before.audit)
	}
	r.ref[sc.name] = [2]state{before, after}
	return before, after, res.Points
}

// trial kills the step at its crashStep-th point, then (when crashRecover
// > 0) a recovering child at its crashRecover-th point, and checks what is
// left. It reports whether the recovering child was killed (false: the
// recovery has fewer points).
func (r *killRig) trial(sc scenario, crashStep, crashRecover int, pressCancel bool) (recoveryKilled bool) {
	t := r.t
	t.Helper()
	name := fmt.Sprintf("%s kill@%d", sc.name, crashStep)
	if crashRecover > 0 {
		name += fmt.Sprintf(" recovery kill@%d", crashRecover)
	}
	bad := false
	errorf := func(format string, args ...any) {
		t.Helper()
		bad = true
		t.Errorf(format, args...)
	}
	ref := r.ref[sc.name]
	before, after := ref[0], ref[1]
	f := r.fixture()
	l := f.open(t, nil)
	target := sc.setup(t, f, l)
	if st := f.state(t, l); !st.equal(before) {
		t.Fatalf("%s: setup not deterministic:\n%v\nwant\n%v", name, st, before)
	}
	killed, res := r.child(f, sc, target, true, crashStep)
	if !killed {
		t.Fatalf("%s: child not killed (%d points)", name, len(res.Points))
	}
	if crashRecover > 0 {
		recoveryKilled, _ = r.child(f, sc, target, false, crashRecover)
		if recoveryKilled {
			r.stats.recoveryKills++
		}
	}
	r.stats.trials++

	// A restart.
	l = f.open(t, nil)
	got := f.state(t, l)
	landed := got.equal(after)
	if !landed && !got.equal(before) {
		errorf("%s: neither before nor after the step:\n%v\nbefore\n%v\nafter\n%v", name, got, before, after)
		return recoveryKilled
	}
	// Staff press the button again: the answer must match what happened.
	pressed := sc.do
	if pressCancel && sc.cancel != nil {
		pressed = sc.cancel
	}
	err := pressed(l, target)
	again := f.state(t, l)
	switch {
	case landed && sc.done != "":
		if !errors.Is(err, ErrDone) || !strings.Contains(UserMessage(err), sc.done) {
			errorf("%s: landed, but pressing again says %v (%s)", name, err, UserMessage(err))
		}
		if !again.equal(after) {
			errorf("%s: pressing again changed the corpus:\n%v", name, again)
		}
	case landed:
		if err != nil || !again.equal(after) {
			errorf("%s: landed, but running again: %v\n%v", name, err, again)
		}
	case pressCancel && sc.cancel != nil:
		if err != nil || !again.equal(before) {
			errorf("%s: not landed, cancel: %v\n%v", name, err, again)
		}
		if err := sc.do(l, target); !errors.Is(err, ErrNotFound) {
			errorf("%s: 确认 after 取消: %v", name, err)
		}
	default:
		if err != nil || !again.equal(after) {
			errorf("%s: not landed, but pressing again did not land it: %v\n%v", name, err, again)
		}
	}
	// The next, unrelated upload neither brings back nor drops anything.
	add(t, l, "canteen.md", "# 食堂通知\n\n食堂每天中午供应职工午餐，每餐补贴8元。\n")
	final := f.state(t, l)
	want := again.docs
	if pressCancel && sc.cancel != nil && !landed {
		want = before.docs
	}
	if len(final.docs) != len(want)+1 || len(final.audit) != len(again.audit)+1 {
		errorf("%s: unrelated upload changed other documents: %v, was %v", name, final.docs, want)
	}
	for _, d := range want {
		if !slices.Contains(final.docs, d) {
			errorf("%s: unrelated upload lost %s", name, d)
		}
	}
	if !bad {
		r.stats.consistent++
	}
	if landed {
		r.stats.landed++
	} else {
		r.stats.rolledBack++
	}
	os.RemoveAll(filepath.Dir(f.corpusDir))
	return recoveryKilled
}

// run runs trials of sc: a kill at each point of the step that pick
// returns (all when pick is nil), and for each, kills during recovery at
// every one of its points (recoverAll) or only at its first.
func (r *killRig) run(sc scenario, pick func(points []string) []int, recoverAll bool) {
	_, _, points := r.reference(sc)
	r.stats.points[sc.name] = len(points)
	var steps []int
	if pick != nil {
		steps = pick(points)
	} else {
		for i := range points {
			steps = append(steps, i+1)
		}
	}
	for _, n := range steps {
		if n < 1 || n > len(points) {
			continue
		}
		r.trial(sc, n, 0, n%2 == 0)
		for m := 1; ; m++ {
			if !r.trial(sc, n, m, m%2 == 1) || !recoverAll {
				break
			}
		}
	}
}

// TestKillStaffChanges kills each kind of step at a few of its points (the
// first, and either side of the commit point), each also once more during
// recovery; TestFaultKillStaffChanges (build tag faults) kills at all.
func TestKillStaffChanges(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	r := newKillRig(t)
	for _, sc := range scenarios() {
		r.run(sc, func(points []string) []int {
			commit := slices.Index(points, "audit-written") + 1 // 1-based
			if commit < 1 {
				t.Fatalf("%s: no commit point in %v", sc.name, points)
			}
			return []int{1, commit - 1, commit, commit + 1}
		}, false)
	}
	t.Logf("%d kill trials, %d consistent (%d landed, %d rolled back; %d kills during recovery)",
		r.stats.trials, r.stats.consistent, r.stats.landed, r.stats.rolledBack, r.stats.recoveryKills)
}

// TestFailureAtEveryPoint fails each step in process at every one of its
// points: before the commit point the step is rolled back (corpus and audit
// as before, the upload still pending, the error says so, a retry lands);
// from it on the step has happened.
func TestFailureAtEveryPoint(t *testing.T) {
	injected := errors.New("injected failure")
	r := newKillRig(t)
	for _, sc := range scenarios() {
		before, after, points := r.reference(sc)
		commit := slices.Index(points, "audit-written")
		for n := 1; n <= len(points); n++ {
			name := fmt.Sprintf("%s fail@%d(%s)", sc.name, n, points[n-1])
			f := r.fixture()
			target := sc.setup(t, f, f.open(t, nil))
			calls := 0
			l := f.open(t, func(string) error {
				if calls++; calls == n {
					return injected
				}
				return nil
			})
			err := sc.do(l, target)
			l = f.open(t, nil) // clean-up left to recovery happens here
			got := f.state(t, l)
			if n-1 < commit {
				if !errors.Is(err, injected) || !errors.Is(err, ErrIncomplete) || !strings.Contains(UserMessage(err), "没有完成") {
					t.Errorf("%s: err %v (%s)", name, err, UserMessage(err))
				}
				if !got.equal(before) {
					t.Errorf("%s: not as before:\n%v", name, got)
				}
				if err := sc.do(l, target); err != nil {
					t.Errorf("%s: retry: %v", name, err)
				}
				got = f.state(t, l)
			} else if err != nil {
				t.Errorf("%s: committed step reported %v", name, err)
			}
			if !got.equal(after) {
				t.Errorf("%s: not as after:\n%v", name, got)
			}
		}
	}
}
