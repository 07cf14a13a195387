package bot_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gonghui/qa/bot"
	"github.com/gonghui/qa/bot/telegramtest"
	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/rag"
	"github.com/gonghui/qa/rag/ragtest"
)

// childEnv, when set, makes the test binary run the bot as a process of its
// own (see TestMain), which tests kill -9, crash and starve of disk space.
const childEnv = "BOT_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(runChild())
	}
	os.Exit(m.Run())
}

// runChild runs the bot against CHILD_API_URL with CHILD_DATA_DIR until
// SIGTERM. Its answers quote the question (so a test can tell which question
// an answer is for), take CHILD_ANSWER_MS, wait for CHILD_GATE (a file) to
// exist when it is set, and a question containing "毒" crashes the process
// the way no recover can catch. Each answer begun is announced on stdout as
// "begun <question>". While the file CHILD_FULL exists, the process may
// write no file past 16 KB (RLIMIT_FSIZE): a full disk, as far as bot.db is
// concerned.
func runChild() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if full := os.Getenv("CHILD_FULL"); full != "" {
		go fillDiskWhile(full)
	}
	delay, _ := strconv.Atoi(os.Getenv("CHILD_ANSWER_MS"))
	workers, _ := strconv.Atoi(os.Getenv("CHILD_WORKERS"))
	a := &childAnswerer{delay: time.Duration(delay) * time.Millisecond, gate: os.Getenv("CHILD_GATE")}
	err := bot.Run(ctx, bot.Options{
		Token: token, APIURL: os.Getenv("CHILD_API_URL"), DataDir: os.Getenv("CHILD_DATA_DIR"),
		PollTimeout: time.Second, RetryBase: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond,
		SendPerSecond: 100000, GroupPerMinute: 100000, RateBurst: 1000, Workers: workers,
		DrainTimeout: 2 * time.Second, TypingDelay: time.Hour,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}, a)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	return 0
}

// fillDiskWhile limits the size of files this process writes to 16 KB while
// the file full exists (Go ignores SIGXFSZ, so writes fail with EFBIG).
func fillDiskWhile(full string) {
	var orig syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &orig); err != nil {
		fmt.Fprintln(os.Stderr, "child: getrlimit:", err)
		return
	}
	limited := false
	for {
		_, err := os.Stat(full)
		switch exists := err == nil; {
		case exists && !limited:
			l := orig
			l.Cur = 16384
			if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &l); err != nil {
				fmt.Fprintln(os.Stderr, "child: setrlimit:", err)
				return
			}
			limited = true
			fmt.Println("disk full")
		case !exists && limited:
			if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &orig); err != nil {
				fmt.Fprintln(os.Stderr, "child: setrlimit:", err)
				return
			}
			limited = false
			fmt.Println("disk freed")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

type childAnswerer struct {
	delay time.Duration
	gate  string
	mu    sync.Mutex
}

func (c *childAnswerer) Answer(ctx context.Context, _, q string) (rag.Answer, error) {
	c.mu.Lock()
	fmt.Printf("begun %s\n", q)
	c.mu.Unlock()
	if strings.Contains(q, "毒") {
		go func() { panic("poison question") }() // no recover reaches this
		time.Sleep(time.Minute)
	}
	for c.gate != "" {
		if _, err := os.Stat(c.gate); err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return rag.Answer{}, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
	select {
	case <-ctx.Done():
		return rag.Answer{}, ctx.Err()
	case <-time.After(c.delay):
	}
	return rag.Answer{Question: q, Sentences: rag.ParseSentences("答：" + q + "[1]"), Citations: []rag.Citation{cite(1, "p1")}}, nil
}
func (c *childAnswerer) Passage(id string) (rag.Citation, bool) { p, ok := passages[id]; return p, ok }
func (c *childAnswerer) Documents() []corpus.Document           { return nil }
func (c *childAnswerer) PassageCount() int                      { return 2 }

// child is the bot running as a process of its own.
type child struct {
	cmd    *exec.Cmd
	begun  chan string // questions whose answer began
	lines  chan string // other lines on stdout
	exited chan struct{}
	stderr *ragtest.SyncBuffer
}

func startChild(t *testing.T, srv *telegramtest.Server, dir string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", "CHILD_API_URL="+srv.URL(), "CHILD_DATA_DIR="+dir)
	cmd.Env = append(cmd.Env, env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, begun: make(chan string, 100000), lines: make(chan string, 100), exited: make(chan struct{}), stderr: &ragtest.SyncBuffer{}}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if q, ok := strings.CutPrefix(sc.Text(), "begun "); ok {
				c.begun <- q
			} else {
				c.lines <- sc.Text()
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		_ = cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(func() { c.kill() })
	return c
}

// kill ends the child with SIGKILL and waits for it.
func (c *child) kill() {
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.exited
}

// term stops the child with SIGTERM (a clean stop) and waits for it.
func (c *child) term(t *testing.T) {
	t.Helper()
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
	case <-time.After(wait):
		t.Fatal("the bot did not stop on SIGTERM")
	}
}

func (c *child) waitBegun(t *testing.T, n int) {
	t.Helper()
	for i := range n {
		select {
		case <-c.begun:
		case <-time.After(wait):
			t.Fatalf("%d of %d answers begun; log:\n%s", i, n, c.stderr.String())
		}
	}
}

func (c *child) waitLine(t *testing.T, line string) {
	t.Helper()
	for {
		select {
		case l := <-c.lines:
			if l == line {
				return
			}
		case <-time.After(wait):
			t.Fatalf("no %q from the bot", line)
		}
	}
}

// answerCounts counts the answers to each question (answers quote it).
func answerCounts(srv *telegramtest.Server) map[string]int {
	n := map[string]int{}
	for _, m := range srv.Sent() {
		if q, ok := strings.CutPrefix(m.Text, "答："); ok {
			q, _, _ = strings.Cut(q, "[1]")
			n[q]++
		}
	}
	return n
}

// Under kill -9 at random moments, every question is answered at least once
// and duplicates stay bounded by what was in flight at each kill. (Before,
// every start counted an attempt for every pending update, and questions
// that were never even begun were given up after three starts.)
func TestKilledRepeatedlyLosesNoQuestion(t *testing.T) {
	srv := newServer(t)
	dir := t.TempDir()
	const chats, perChat, kills, workers = 10, 4, 4, 4
	var questions []string
	for i := range chats * perChat {
		c, u := privateChat(i % chats)
		q := fmt.Sprintf("问题%03d", i)
		questions = append(questions, q)
		srv.SendText(c, u, q)
	}
	env := []string{"CHILD_ANSWER_MS=15", "CHILD_WORKERS=" + strconv.Itoa(workers)}
	for k := range kills {
		c := startChild(t, srv, dir, env...)
		c.waitBegun(t, 1+k) // killed while answering
		time.Sleep(time.Duration(10+17*k) * time.Millisecond)
		c.kill()
	}
	c := startChild(t, srv, dir, env...)
	if !srv.Wait(wait, func() bool { return len(answerCounts(srv)) == len(questions) }) {
		t.Fatalf("answered %d of %d questions after %d kills; log:\n%s", len(answerCounts(srv)), len(questions), kills, c.stderr.String())
	}
	time.Sleep(200 * time.Millisecond)
	dups := 0
	for _, q := range questions {
		dups += answerCounts(srv)[q] - 1
	}
	if bound := kills * 2 * workers; dups > bound {
		t.Errorf("%d duplicate answers after %d kills, more than %d", dups, kills, bound)
	}
	t.Logf("%d kills: %d questions answered, %d duplicates", kills, len(questions), dups)
	if strings.Contains(c.stderr.String(), "giving up") {
		t.Errorf("an update was given up:\n%s", c.stderr.String())
	}
}

// An update that crashes the process (a panic no recover can catch) is
// handled alone after each crash and given up once it has crashed the
// process alone twice: its sender is told, everyone else is answered, and
// the crash loop ends.
func TestPoisonUpdateIsQuarantined(t *testing.T) {
	srv := newServer(t)
	dir := t.TempDir()
	pc, pu := privateChat(1)
	srv.SendText(pc, pu, "毒")
	var others []string
	for i := range 6 {
		c, u := privateChat(10 + i)
		q := fmt.Sprintf("问题%d", i)
		others = append(others, q)
		srv.SendText(c, u, q)
	}
	// Restart the bot whenever it dies, as a supervisor would, until
	// everyone has had an answer.
	done := func() bool { return len(answerCounts(srv)) == len(others) && len(srv.SentTo(pc.ID)) > 0 }
	crashes := 0
	c := startChild(t, srv, dir, "CHILD_WORKERS=4")
	for deadline := time.Now().Add(60 * time.Second); !done(); {
		select {
		case <-c.exited:
			crashes++
			if crashes > 6 {
				t.Fatalf("still crashing after %d starts; log:\n%s", crashes, c.stderr.String())
			}
			c = startChild(t, srv, dir, "CHILD_WORKERS=4")
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("answered %v; poison chat got %d; log:\n%s", answerCounts(srv), len(srv.SentTo(pc.ID)), c.stderr.String())
		}
	}
	if got := srv.SentTo(pc.ID); len(got) != 1 || !strings.Contains(got[0].Text, "没能处理") {
		t.Errorf("the poison question's sender got %+v", got)
	}
	if crashes < 2 || crashes > 4 {
		t.Errorf("%d crashes before the poison update was given up", crashes)
	}
	t.Logf("poison update given up after %d crashes", crashes)
}

// A full disk while answering: answers already taken are still sent (from
// memory), and recorded once the disk has room again, so a later restart
// sends nothing twice; if the process is killed while the disk is still
// full, each such answer is sent at most once more after the restart.
func TestFullDiskWhileAnswering(t *testing.T) {
	for _, freed := range []bool{true, false} {
		t.Run(map[bool]string{true: "disk freed before the restart", false: "killed while full"}[freed], func(t *testing.T) {
			srv := newServer(t)
			dir := t.TempDir()
			gate, full := filepath.Join(t.TempDir(), "gate"), filepath.Join(t.TempDir(), "full")
			c := startChild(t, srv, dir, "CHILD_GATE="+gate, "CHILD_FULL="+full, "CHILD_WORKERS=16")
			const n = 10
			var questions []string
			for i := range n {
				ch, u := privateChat(i)
				q := fmt.Sprintf("问题%d", i)
				questions = append(questions, q)
				srv.SendText(ch, u, q)
			}
			c.waitBegun(t, n)
			if err := os.WriteFile(full, nil, 0o600); err != nil { // nothing past bot.db's first four pages can be written
				t.Fatal(err)
			}
			c.waitLine(t, "disk full")
			if err := os.WriteFile(gate, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			if !srv.Wait(wait, func() bool { return len(answerCounts(srv)) == n }) {
				t.Fatalf("with the disk full, %d of %d answers sent; log:\n%s", len(answerCounts(srv)), n, c.stderr.String())
			}
			if !strings.Contains(c.stderr.String(), "cannot record an answer") {
				t.Fatalf("the disk never filled up; log:\n%s", c.stderr.String())
			}
			if freed {
				if err := os.Remove(full); err != nil {
					t.Fatal(err)
				}
				if !eventually(func() bool { return strings.Count(c.stderr.String(), "recorded now") == n }) {
					t.Fatalf("answers not recorded once the disk had room; log:\n%s", c.stderr.String())
				}
				c.term(t)
			} else {
				c.kill()
			}
			c = startChild(t, srv, dir, "CHILD_WORKERS=16")
			time.Sleep(700 * time.Millisecond)
			total := 0
			for _, q := range questions {
				k := answerCounts(srv)[q]
				total += k
				if k < 1 || k > 2 || (freed && k != 1) {
					t.Errorf("%s answered %d times", q, k)
				}
			}
			t.Logf("%d answers for %d questions", total, n)
		})
	}
}
