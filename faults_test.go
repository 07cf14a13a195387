//go:build faults

package main

// The bot's fault-injection suite, against the built binary and a loopback
// fake Bot API (opt-in, a few minutes):
//
//	go test -tags faults -run Fault -v .
//
// Each test logs its results as FIGURE lines, which .ci/figures collects
// into BENCHMARKS.md.

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tgmodels "github.com/go-telegram/bot/models"

	"github.com/gonghui/qa/bot/telegramtest"
	"github.com/gonghui/qa/rag/ragtest"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds gonghui-qa once for the suite.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gonghui-qa-faults")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "gonghui-qa")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// serveProc is `gonghui-qa serve` running as a process.
type serveProc struct {
	cmd  *exec.Cmd
	done chan struct{}
	logs *ragtest.SyncBuffer
}

func startServe(t *testing.T, srv *telegramtest.Server, dataDir string) *serveProc {
	t.Helper()
	cmd := exec.Command(binary(t), "serve")
	cmd.Env = append(os.Environ(), "TELEGRAM_BOT_TOKEN="+testToken, "TELEGRAM_API_URL="+srv.URL(), "DATA_DIR="+dataDir,
		"SEND_PER_SECOND=10000", "RATE_BURST=1000", "RATE_EVERY=1s")
	p := &serveProc{cmd: cmd, done: make(chan struct{}), logs: &ragtest.SyncBuffer{}}
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(p.done) }()
	t.Cleanup(p.kill)
	return p
}

func (p *serveProc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

func (p *serveProc) term(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not stop on SIGTERM; log:\n%s", p.logs.String())
	}
}

// memberQuestions are asked in turn, in groups, addressed to the bot.
var memberQuestions = []string{
	"孩子考上大学，工会有助学金吗？", "送外卖累了哪里能歇脚？", "农民工被拖欠工资怎么办？", "试用期最长多久？",
	"职工累计工作满一年，年休假几天？", "工伤了怎么申请认定？", "工会能提供法律援助吗？", "加班费怎么算？",
}

// asked is a set of questions pushed to the fake Bot API: each is a group
// message addressed to the bot, so that its answer replies to it.
type asked struct {
	srv *telegramtest.Server
	ids map[int]int64 // question message ID -> chat
}

func askGroups(srv *telegramtest.Server, chats, perChat int) *asked {
	a := &asked{srv: srv, ids: map[int]int64{}}
	for q := range perChat {
		for c := range chats {
			chat := tgmodels.Chat{ID: -1001000000000 - int64(c), Type: tgmodels.ChatTypeSupergroup, Title: "职工群"}
			from := tgmodels.User{ID: int64(5000 + c), FirstName: "职工"}
			m := srv.SendText(chat, from, "@qa_test_bot "+memberQuestions[(q+c)%len(memberQuestions)])
			a.ids[m.ID] = chat.ID
		}
	}
	return a
}

// tally counts the questions answered (an answer replies to its question)
// and the answers sent more than once.
func (a *asked) tally() (answered, duplicates int) {
	per := map[int]int{}
	for _, m := range a.srv.Sent() {
		if chat, ok := a.ids[m.ReplyTo]; ok && chat == m.ChatID {
			per[m.ReplyTo]++
		}
	}
	for _, n := range per {
		answered++
		duplicates += n - 1
	}
	return answered, duplicates
}

func (a *asked) waitAll(t *testing.T, p *serveProc, timeout time.Duration) {
	t.Helper()
	if !a.srv.Wait(timeout, func() bool { n, _ := a.tally(); return n == len(a.ids) }) {
		n, _ := a.tally()
		t.Errorf("%d of %d questions answered; log tail:\n%s", n, len(a.ids), tail(p.logs.String(), 30))
	}
	time.Sleep(500 * time.Millisecond) // let stray duplicates arrive
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// TestFaultKillLoop: 200 questions from 50 group chats, and the bot killed
// with SIGKILL at a random moment within two seconds of each of 5 starts,
// twice over; then it runs until everything is answered.
func TestFaultKillLoop(t *testing.T) {
	const rounds, kills = 2, 5
	lost, dups, total := 0, 0, 0
	rnd := rand.New(rand.NewSource(10))
	for round := range rounds {
		srv := telegramtest.NewServer(testToken)
		dir := t.TempDir()
		q := askGroups(srv, 50, 4)
		for range kills {
			p := startServe(t, srv, dir)
			time.Sleep(time.Duration(300+rnd.Intn(1700)) * time.Millisecond)
			p.kill()
		}
		p := startServe(t, srv, dir)
		q.waitAll(t, p, 120*time.Second)
		n, d := q.tally()
		lost += len(q.ids) - n
		dups += d
		total += len(q.ids)
		p.term(t)
		srv.Close()
		t.Logf("round %d: %d answered, %d duplicates", round, n, d)
	}
	t.Logf("FIGURE kill -9 loop, questions lost (%d rounds of %d kills within 2 s of each start, 200 questions from 50 chats): %d/%d", rounds, kills, lost, total)
	t.Logf("FIGURE kill -9 loop, duplicate answers (those being sent, or sent and not yet recorded, at a kill): %d over %d kills", dups, rounds*kills)
}

// TestFaultSigtermRestarts: 3 clean restarts 1 s apart while 200 questions
// are being answered.
func TestFaultSigtermRestarts(t *testing.T) {
	srv := telegramtest.NewServer(testToken)
	defer srv.Close()
	dir := t.TempDir()
	q := askGroups(srv, 50, 4)
	for range 3 {
		p := startServe(t, srv, dir)
		time.Sleep(time.Second)
		p.term(t)
	}
	p := startServe(t, srv, dir)
	q.waitAll(t, p, 120*time.Second)
	n, d := q.tally()
	p.term(t)
	t.Logf("FIGURE SIGTERM restarts 1 s apart, questions lost (3 restarts, 200 questions from 50 chats): %d/%d, duplicates %d", len(q.ids)-n, len(q.ids), d)
}

// outagePhase is a stretch of time in which calls fail one way.
type outagePhase struct {
	d       time.Duration
	f       telegramtest.Failure
	methods []string // none: every call
	restart bool     // SIGTERM and start again half-way through
}

// outageRun answers questions taken before an outage of phases, with a
// restart in the middle, and reports the questions lost and duplicated.
func outageRun(t *testing.T, questions int, phases []outagePhase) (lost, dups int, seconds float64) {
	srv := telegramtest.NewServer(testToken)
	defer srv.Close()
	dir := t.TempDir()
	p := startServe(t, srv, dir)
	// Warm up: the bot is polling and has answered once.
	warm := askGroups(srv, 1, 1)
	warm.waitAll(t, p, 60*time.Second)
	srv.Outage(time.Hour, phases[0].f, phases[0].methods...)
	q := askGroups(srv, questions, 1)
	start := time.Now()
	for _, ph := range phases {
		srv.Outage(ph.d, ph.f, ph.methods...)
		if ph.restart {
			time.Sleep(ph.d / 2)
			p.term(t)
			p = startServe(t, srv, dir)
			time.Sleep(ph.d / 2)
		} else {
			time.Sleep(ph.d)
		}
	}
	seconds = time.Since(start).Seconds()
	srv.Outage(0, telegramtest.Failure{})
	q.waitAll(t, p, 120*time.Second)
	n, d := q.tally()
	p.term(t)
	return len(q.ids) - n, d, seconds
}

var (
	fail429  = telegramtest.Failure{Code: 429, Description: "Too Many Requests: retry after 1", RetryAfter: 1}
	fail500  = telegramtest.Failure{Code: 500, Description: "Internal Server Error"}
	fail502  = telegramtest.Failure{Code: 502, Description: "Bad Gateway"}
	failDrop = telegramtest.Failure{Drop: true}
)

// TestFaultOutages: the outage (4 s of 429s on sends, then 3 s of
// 500s on every call with a restart in the middle, then 2 s of dropped
// connections), and a 60-second one of every kind with a restart.
func TestFaultOutages(t *testing.T) {
	lost, dups, secs := outageRun(t, 30, []outagePhase{
		{d: 4 * time.Second, f: fail429, methods: []string{"sendMessage"}},
		{d: 3 * time.Second, f: fail500, restart: true},
		{d: 2 * time.Second, f: failDrop},
	})
	t.Logf("FIGURE outage of 4 s 429s + 3 s 500s + 2 s dropped connections with a restart, answers lost: %d/30, duplicates %d (%.0f s)", lost, dups, secs)
	lost, dups, secs = outageRun(t, 20, []outagePhase{
		{d: 20 * time.Second, f: fail429, methods: []string{"sendMessage"}},
		{d: 20 * time.Second, f: fail502, restart: true},
		{d: 20 * time.Second, f: failDrop},
	})
	t.Logf("FIGURE outage of 60 s (20 s each of 429s, 502s, dropped connections) with a restart, answers lost: %d/20, duplicates %d (%.0f s)", lost, dups, secs)
}

// TestFaultDamagedStoreStarts: a bot.db with history has one page
// overwritten with random bytes, 30 times (a different page and bytes each
// time); each time the bot must start and answer.
func TestFaultDamagedStoreStarts(t *testing.T) {
	srv := telegramtest.NewServer(testToken)
	defer srv.Close()
	template := t.TempDir()
	p := startServe(t, srv, template)
	q := askGroups(srv, 20, 10)
	q.waitAll(t, p, 120*time.Second)
	p.term(t)
	db, err := os.ReadFile(filepath.Join(template, "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(template)
	const trials = 30
	started, recovered := 0, 0
	rnd := rand.New(rand.NewSource(30))
	for trial := range trials {
		dir := t.TempDir()
		for _, e := range entries { // the index, so that no start rebuilds it
			if strings.HasPrefix(e.Name(), "index") {
				data, _ := os.ReadFile(filepath.Join(template, e.Name()))
				_ = os.WriteFile(filepath.Join(dir, e.Name()), data, 0o600)
			}
		}
		damaged := append([]byte(nil), db...)
		page := 2 + rnd.Intn(len(damaged)/4096-2)
		rnd.Read(damaged[page*4096 : (page+1)*4096])
		if err := os.WriteFile(filepath.Join(dir, "bot.db"), damaged, 0o600); err != nil {
			t.Fatal(err)
		}
		p := startServe(t, srv, dir)
		one := askGroups(srv, 1, 1)
		if srv.Wait(60*time.Second, func() bool { n, _ := one.tally(); return n == 1 }) {
			started++
		} else {
			t.Errorf("trial %d (page %d damaged): no answer; log tail:\n%s", trial, page, tail(p.logs.String(), 20))
		}
		if strings.Contains(p.logs.String(), "store was damaged") {
			recovered++
		}
		p.term(t)
	}
	t.Logf("FIGURE damaged-store starts, started and answered (a random page of a %d KB bot.db overwritten with random bytes): %d/%d", len(db)>>10, started, trials)
	t.Logf("FIGURE damaged-store starts, damage detected, file moved aside and salvaged: %d/%d (the rest hit free pages)", recovered, trials)
}
