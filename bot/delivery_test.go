package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/gonghui/qa/bot"
	"github.com/gonghui/qa/bot/telegramtest"
	"github.com/gonghui/qa/rag"
)

// gateAnswerer holds every answer until release is called (or the answer's
// context ends), then answers as fakeAnswerer does. started receives each
// question as its answer begins.
type gateAnswerer struct {
	*fakeAnswerer
	gate    chan struct{}
	once    sync.Once
	started chan string
}

func newGate() *gateAnswerer {
	return &gateAnswerer{fakeAnswerer: newFakeAnswerer(), gate: make(chan struct{}), started: make(chan string, 10000)}
}

func (g *gateAnswerer) release() { g.once.Do(func() { close(g.gate) }) }

func (g *gateAnswerer) Answer(ctx context.Context, conv, q string) (rag.Answer, error) {
	g.started <- q
	select {
	case <-g.gate:
	case <-ctx.Done():
		return rag.Answer{}, ctx.Err()
	}
	return g.fakeAnswerer.Answer(ctx, conv, q)
}

// waitStarted waits until n answers have begun.
func (g *gateAnswerer) waitStarted(t *testing.T, n int) {
	t.Helper()
	for i := range n {
		select {
		case <-g.started:
		case <-time.After(wait):
			t.Fatalf("%d of %d answers began", i, n)
		}
	}
}

func privateChat(i int) (models.Chat, models.User) {
	id := int64(7000 + i)
	return models.Chat{ID: id, Type: models.ChatTypePrivate}, models.User{ID: id, FirstName: "职工"}
}

// wantOneAnswerEach waits for a message to each of the first chats
// privateChat makes and checks that none got more than one.
func wantOneAnswerEach(t *testing.T, srv *telegramtest.Server, chats int) {
	t.Helper()
	waitSent(t, srv, chats)
	time.Sleep(100 * time.Millisecond)
	perChat := map[int64]int{}
	for _, m := range srv.Sent() {
		perChat[m.ChatID]++
	}
	for i := range chats {
		c, _ := privateChat(i)
		if n := perChat[c.ID]; n != 1 {
			t.Errorf("chat %d got %d messages, want one answer", c.ID, n)
		}
	}
}

// Restarts are not attempts: a question that no worker could finish before a
// clean stop is answered after any number of restarts. (Before, every start
// counted as an attempt for every pending update, and after three starts
// they were given up unanswered.)
func TestRestartsAreNotAttempts(t *testing.T) {
	srv := newServer(t)
	dir := t.TempDir()
	const chats = 4
	for i := range chats {
		c, u := privateChat(i)
		srv.SendText(c, u, fmt.Sprintf("问题%d：有助学金吗", i))
	}
	for range 5 {
		a := newGate() // never released: each run stops with everything unanswered
		r := start(t, srv, dir, a, func(o *bot.Options) { o.Workers = 1; o.DrainTimeout = 20 * time.Millisecond })
		a.waitStarted(t, 1)
		if err := r.stop(); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.SentCount(); n != 0 {
		t.Fatalf("%d messages sent by runs that answered nothing", n)
	}
	r := start(t, srv, dir, newFakeAnswerer(), nil)
	wantOneAnswerEach(t, srv, chats)
	if strings.Contains(r.logs.String(), "giving up") {
		t.Errorf("an update was given up:\n%s", r.logs.String())
	}
}

// Outages are waited out: answers that meet 429s, then 5xx, then closed
// connections, with a restart in the middle, are all delivered once Telegram
// is back, each once. (Before, each answer had one budget of retries and was
// marked done, unsent, when it ran out.)
func TestOutageWithRestartLosesNothing(t *testing.T) {
	srv := newServer(t)
	dir := t.TempDir()
	a := newGate()
	r1 := start(t, srv, dir, a, func(o *bot.Options) { o.DrainTimeout = 200 * time.Millisecond })
	const chats = 5
	for i := range chats {
		c, u := privateChat(i)
		srv.SendText(c, u, fmt.Sprintf("问题%d：有助学金吗", i))
	}
	a.waitStarted(t, chats)
	phase := 700 * time.Millisecond
	srv.Outage(phase, telegramtest.Failure{Code: 429, Description: "Too Many Requests: retry after 1", RetryAfter: 1})
	a.release() // the answers are ready now and meet the outage
	time.Sleep(phase)
	srv.Outage(phase, telegramtest.Failure{Code: 502, Description: "Bad Gateway"})
	time.Sleep(phase / 2)
	if err := r1.stop(); err != nil { // a restart in the middle of the outage
		t.Fatal(err)
	}
	if n := srv.SentCount(); n != 0 {
		t.Fatalf("%d messages got through the outage", n)
	}
	r2 := start(t, srv, dir, newFakeAnswerer(), nil)
	time.Sleep(phase / 2)
	srv.Outage(phase, telegramtest.Failure{Drop: true})
	time.Sleep(phase)
	wantOneAnswerEach(t, srv, chats)
	_ = r2
}

// An answer Telegram says it will never take (403: the member blocked the
// bot) is tried once, not for a day, and the question is recorded as failed;
// other members are answered.
func TestRefusedAnswerIsGivenUpAtOnce(t *testing.T) {
	srv := newServer(t)
	r := start(t, srv, t.TempDir(), newFakeAnswerer(), nil)
	blocked, bu := privateChat(1)
	other, ou := privateChat(2)
	srv.Refuse(blocked.ID, telegramtest.Failure{Code: 403, Description: "Forbidden: bot was blocked by the user"})
	srv.SendText(blocked, bu, "有助学金吗")
	srv.SendText(other, ou, "有助学金吗")
	waitSent(t, srv, 1)
	qs := waitQuestions(t, r.store, 2)
	if !eventually(func() bool {
		qs, _ = r.store.Questions(time.Time{})
		for _, q := range qs {
			if q.Failed {
				return true
			}
		}
		return false
	}) {
		t.Errorf("the refused answer's question is not marked failed: %+v", qs)
	}
	time.Sleep(100 * time.Millisecond)
	tries := 0
	for _, req := range srv.Requests("sendMessage") {
		if req.Params["chat_id"] == fmt.Sprint(blocked.ID) {
			tries++
		}
	}
	if tries != 1 {
		t.Errorf("a blocked chat was tried %d times, want 1", tries)
	}
}

// getUpdates items that are not updates (no update_id, not an object, a
// message that does not decode) are skipped, the offset moves past them, and
// the bot neither polls in a hot loop nor floods its log. (Before, a lone
// item without an update_id was fetched again at once, forever.)
func TestMalformedUpdatesAreSkippedWithBackoff(t *testing.T) {
	srv := newServer(t)
	r := start(t, srv, t.TempDir(), newFakeAnswerer(), func(o *bot.Options) { o.RetryMax = 200 * time.Millisecond })
	polls := len(srv.Requests("getUpdates"))
	srv.PushRaw(json.RawMessage(`{"message":{"message_id":1,"chat":{"id":501,"type":"private"},"text":"没有编号"}}`))
	time.Sleep(time.Second)
	if n := len(srv.Requests("getUpdates")) - polls; n > 30 {
		t.Errorf("%d getUpdates in a second with a malformed item pending: a hot loop", n)
	}
	srv.PushRaw(json.RawMessage(`42`))
	bad := srv.PushRaw(json.RawMessage(`"x"`)) + 1
	srv.PushRaw(json.RawMessage(fmt.Sprintf(`{"update_id":%d,"message":"不是对象"}`, bad)))
	srv.SendText(dm, member, "有助学金吗")
	sent := waitSent(t, srv, 1)
	if sent[0].ChatID != dm.ID {
		t.Errorf("answer went to %d", sent[0].ChatID)
	}
	if !srv.Wait(wait, func() bool { return srv.Offset() > bad+1 }) {
		t.Errorf("offset %d did not move past the malformed items", srv.Offset())
	}
	if n := strings.Count(r.logs.String(), "skipped"); n == 0 || n > 6 {
		t.Errorf("malformed items logged %d times, want a few:\n%s", n, r.logs.String())
	}
}

// A second serve on the same DATA_DIR says that another instance holds it.
func TestSecondInstanceSaysDataDirIsHeld(t *testing.T) {
	srv := newServer(t)
	dir := t.TempDir()
	start(t, srv, dir, newFakeAnswerer(), nil)
	err := bot.Run(context.Background(), bot.Options{Token: token, APIURL: srv.URL(), DataDir: dir,
		Logger: discardLogger()}, newFakeAnswerer())
	if err == nil || !strings.Contains(err.Error(), "another instance") {
		t.Errorf("second instance: %v", err)
	}
}

// One member's flood does not hold up anyone else: what is over the limit
// is dropped before it is queued, with one notice, so another member's
// question is taken and answered while the flooder's allowed answers are
// still being worked on. (Before, the flood filled the queue and the poller
// stopped taking updates until the flood had drained.)
func TestFloodIsDroppedBeforeQueueing(t *testing.T) {
	srv := newServer(t)
	flood := newGate()
	start(t, srv, t.TempDir(), flood, func(o *bot.Options) { o.RateBurst = 3; o.RateEvery = time.Hour })
	fc, fu := privateChat(1)
	for i := range 2000 {
		srv.SendText(fc, fu, fmt.Sprintf("刷屏%d", i))
	}
	flood.waitStarted(t, 1)
	oc, ou := privateChat(2)
	srv.SendText(oc, ou, "另一位会员的问题")
	// The other member's answer also waits at the gate: seeing it start
	// means the flood did not keep it out of the queue.
	deadline := time.After(wait)
	for seen := false; !seen; {
		select {
		case q := <-flood.started:
			seen = q == "另一位会员的问题"
		case <-deadline:
			t.Fatal("another member's question was not taken while one member flooded")
		}
	}
	flood.release()
	time.Sleep(300 * time.Millisecond)
	waitSent(t, srv, 5)
	notices, answers := 0, 0
	for _, m := range srv.SentTo(fc.ID) {
		if strings.Contains(m.Text, "请稍后再问") {
			notices++
		} else {
			answers++
		}
	}
	if notices != 1 || answers != 3 {
		t.Errorf("flooder got %d answers and %d notices, want 3 and 1", answers, notices)
	}
	if n := len(srv.SentTo(oc.ID)); n != 1 {
		t.Errorf("the other member got %d messages", n)
	}
}

// Feedback belongs to the asker: in a private chat only the asker's vote
// counts; in a group another member's vote is their own view, never the
// asker's; each user has one vote (pressing again replaces it).
func TestFeedbackBelongsToTheAsker(t *testing.T) {
	srv := newServer(t)
	r := start(t, srv, t.TempDir(), newFakeAnswerer(), nil)
	stranger := models.User{ID: 999, FirstName: "路人"}

	srv.SendText(dm, member, "有助学金吗")
	ans := waitSent(t, srv, 1)[0]
	pushCallback(srv, member, ans, dm, callbackData(ans, "👍"))
	if !srv.Wait(wait, func() bool { return len(srv.Requests("answerCallbackQuery")) >= 1 }) {
		t.Fatal("press not acknowledged")
	}
	for range 4 {
		pushCallback(srv, stranger, ans, dm, callbackData(ans, "👎")) // presses the asker did not make
	}
	if !srv.Wait(wait, func() bool { return len(srv.Requests("answerCallbackQuery")) >= 5 }) {
		t.Fatal("presses not acknowledged")
	}
	qs := waitQuestions(t, r.store, 1)
	if qs[0].Feedback != 1 {
		t.Errorf("private chat: feedback %+d, want the asker's +1 (strangers' 👎 must not count)", qs[0].Feedback)
	}

	srv.SendText(grp, member, "/ask 有助学金吗")
	gans := waitSent(t, srv, 2)[1]
	gdown := callbackData(gans, "👎")
	pushCallback(srv, member2, gans, grp, gdown)
	pushCallback(srv, member2, gans, grp, gdown) // one vote per user
	pushCallback(srv, stranger, gans, grp, callbackData(gans, "👍"))
	if !srv.Wait(wait, func() bool { return len(srv.Requests("answerCallbackQuery")) >= 8 }) {
		t.Fatal("group presses not acknowledged")
	}
	time.Sleep(50 * time.Millisecond)
	qs = waitQuestions(t, r.store, 2)
	g := qs[1]
	if g.Feedback != 0 {
		t.Errorf("group: other members' votes counted as the asker's: feedback %+d", g.Feedback)
	}
	if g.OthersUp != 1 || g.OthersDown != 1 {
		t.Errorf("group: others' votes up %d down %d, want 1 and 1 (one per user)", g.OthersUp, g.OthersDown)
	}
}

// A store with a damaged page never stops the bot: the file is moved aside,
// what can be read is salvaged, the bot starts on a fresh store and says so
// once, in the log and in /metrics. (Before, many such files made bbolt panic
// at every start.)
func TestDamagedStoreNeverStopsTheBot(t *testing.T) {
	srv := newServer(t)
	template := t.TempDir()
	// A store with some history and one question left unanswered.
	r := start(t, srv, template, newFakeAnswerer(), nil)
	for i := range 30 {
		c, u := privateChat(i)
		srv.SendText(c, u, fmt.Sprintf("问题%d：%s", i, strings.Repeat("助学金", 40)))
	}
	waitQuestions(t, r.store, 30)
	_ = r.stop()
	a := newGate()
	r = start(t, srv, template, a, func(o *bot.Options) { o.DrainTimeout = 10 * time.Millisecond })
	pc, pu := privateChat(99)
	srv.SendText(pc, pu, "没答完的问题")
	a.waitStarted(t, 1)
	_ = r.stop()
	data, err := os.ReadFile(filepath.Join(template, "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	pages := len(data) / 4096
	for seed := range 4 { // the fault suite (TestFaultDamagedStoreStarts) tries many more
		page := 2 + (1+2*seed)*(pages-2)/8
		dir := t.TempDir()
		damaged := append([]byte(nil), data...)
		rnd := rand.New(rand.NewSource(int64(seed)))
		for i := page * 4096; i < (page+1)*4096 && i < len(damaged); i++ {
			damaged[i] = byte(rnd.Intn(256))
		}
		if err := os.WriteFile(filepath.Join(dir, "bot.db"), damaged, 0o600); err != nil {
			t.Fatal(err)
		}
		metricsAddr := freeAddr(t)
		r := start(t, srv, dir, newFakeAnswerer(), func(o *bot.Options) { o.MetricsAddr = metricsAddr })
		srv.SendText(dm, member, fmt.Sprintf("损坏%d", seed))
		if !eventually(func() bool {
			qs, _ := r.store.Questions(time.Time{})
			for _, q := range qs {
				if q.Question == fmt.Sprintf("损坏%d", seed) {
					return true
				}
			}
			return false
		}) {
			t.Fatalf("page %d damaged: the bot does not answer", page)
		}
		aside, _ := filepath.Glob(filepath.Join(dir, "bot.db.damaged-*"))
		recovered := strings.Contains(r.logs.String(), "store was damaged")
		if recovered != (len(aside) == 1) {
			t.Errorf("page %d: logged recovery %v but %d files moved aside", page, recovered, len(aside))
		}
		if recovered {
			if n := strings.Count(r.logs.String(), "store was damaged"); n != 1 {
				t.Errorf("page %d: recovery logged %d times", page, n)
			}
			if m := getMetrics(t, metricsAddr); !strings.Contains(m, "qa_bot_store_recoveries_total 1") {
				t.Errorf("page %d: recovery not in /metrics", page)
			}
		}
		_ = r.stop()
	}
}

func getMetrics(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
