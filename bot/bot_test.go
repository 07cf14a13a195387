package bot_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/gonghui/qa/bot"
	"github.com/gonghui/qa/bot/telegramtest"
	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/rag"
	"github.com/gonghui/qa/rag/ragtest"
)

const token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"

const wait = 10 * time.Second

// fakeAnswerer answers from two fixed passages; questions containing
// "没有" are not in the corpus, "panic" panics and "很长" gets a long answer.
type fakeAnswerer struct {
	slow      bool // every answer blocks until its context ends
	mu        sync.Mutex
	questions []string
	convs     []string
	started   chan string
}

var passages = map[string]rag.Citation{
	"p1": {PassageID: "p1", DocID: "d1", DocTitle: "兰州市总工会工作综述", Source: "甘肃工人报", Date: "2020-07-02", Page: "第04版:专题报道", Place: "第3部分 第2段", Text: "金秋助学活动为考上大学的困难职工子女每人发放助学金3000元。"},
	"p2": {PassageID: "p2", DocID: "d1", DocTitle: "兰州市总工会工作综述", Source: "甘肃工人报", Date: "2020-07-02", Page: "第04版:专题报道", Place: "第3部分 第3段", Text: "申请需提供录取通知书 <原件> & 困难证明。"},
}

func newFakeAnswerer() *fakeAnswerer { return &fakeAnswerer{started: make(chan string, 100)} }

func (f *fakeAnswerer) Answer(ctx context.Context, conv, q string) (rag.Answer, error) {
	f.mu.Lock()
	f.questions = append(f.questions, q)
	f.convs = append(f.convs, conv)
	f.mu.Unlock()
	select {
	case f.started <- q:
	default:
	}
	switch {
	case strings.Contains(q, "panic"):
		panic("boom")
	case f.slow:
		<-ctx.Done()
		return rag.Answer{}, ctx.Err()
	case strings.Contains(q, "没有"):
		return rag.Answer{Question: q, Abstained: true, Sentences: rag.ParseSentences("资料里没有找到相关内容，可以拨打 12351 问问。")}, nil
	case strings.Contains(q, "很长"):
		return rag.Answer{Question: q, Sentences: rag.ParseSentences(strings.Repeat("工会为困难职工子女发放助学金，标准是每人3000元[1]。", 400)), Citations: []rag.Citation{cite(1, "p1")}}, nil
	}
	return rag.Answer{Question: q, Sentences: rag.ParseSentences("考上大学的困难职工子女可领助学金3000元[1]，申请带录取通知书 <原件> [2]。"),
		Citations: []rag.Citation{cite(1, "p1"), cite(2, "p2")}}, nil
}

func cite(n int, id string) rag.Citation { c := passages[id]; c.N = n; return c }

func (f *fakeAnswerer) Passage(id string) (rag.Citation, bool) { c, ok := passages[id]; return c, ok }
func (f *fakeAnswerer) Documents() []corpus.Document {
	return []corpus.Document{{ID: "d1", Title: "兰州市总工会工作综述", Source: "甘肃工人报", Date: "2020-07-02"}}
}
func (f *fakeAnswerer) PassageCount() int { return 2 }

// Examples are what /start offers.
func (f *fakeAnswerer) Examples(n int) []string {
	return []string{"孩子考上大学，工会有助学金吗？", "送外卖累了哪里能歇脚？", "农民工被拖欠工资怎么办？"}[:n]
}

func (f *fakeAnswerer) asked() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.questions...)
}

// running is one bot under test.
type running struct {
	store *bot.Store
	logs  *ragtest.SyncBuffer
	stop  func() error
}

// start runs the bot against srv with data in dir until stop is called.
func start(t *testing.T, srv *telegramtest.Server, dir string, a bot.Answerer, tweak func(*bot.Options)) *running {
	t.Helper()
	logs := &ragtest.SyncBuffer{}
	opts := bot.Options{
		Token: token, APIURL: srv.URL(), DataDir: dir, Corpus: "test",
		PollTimeout: 2 * time.Second, RetryBase: 10 * time.Millisecond, RetryMax: 50 * time.Millisecond,
		SendPerSecond: 10000, GroupPerMinute: 100000, DrainTimeout: 2 * time.Second, TypingDelay: -1,
		Logger: slog.New(slog.NewTextHandler(io.MultiWriter(logs, testWriter{t}), &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if tweak != nil {
		tweak(&opts)
	}
	ready := make(chan *bot.Store, 1)
	opts.Ready = func(s *bot.Store) { ready <- s }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- bot.Run(ctx, opts, a) }()
	r := &running{logs: logs}
	select {
	case r.store = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("Run returned before ready: %v", err)
	case <-time.After(wait):
		cancel()
		t.Fatal("bot not ready")
	}
	stopped := false
	r.stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(12 * time.Second):
			t.Fatal("Run did not return after cancel")
			return nil
		}
	}
	t.Cleanup(func() {
		_ = r.stop()
		if strings.Contains(logs.String(), token) || strings.Contains(logs.String(), strings.Split(token, ":")[1]) {
			t.Error("the token appears in the logs")
		}
	})
	return r
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	if testing.Verbose() {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

var (
	member  = models.User{ID: 501, FirstName: "小王"}
	member2 = models.User{ID: 502, FirstName: "小李"}
	dm      = models.Chat{ID: 501, Type: models.ChatTypePrivate}
	grp     = models.Chat{ID: -100777, Type: models.ChatTypeSupergroup, Title: "职工群"}
)

// newServer starts a fake Bot API that outlives the bot under test (cleanups
// run last-registered first, and the bot is started after this).
func newServer(t *testing.T) *telegramtest.Server {
	srv := telegramtest.NewServer(token)
	t.Cleanup(srv.Close)
	return srv
}

func waitSent(t *testing.T, srv *telegramtest.Server, n int) []telegramtest.Message {
	t.Helper()
	sent, ok := srv.WaitSent(n, wait)
	if !ok {
		t.Fatalf("want %d messages sent, got %d: %+v", n, len(sent), sent)
	}
	return sent
}

// eventually polls cond until it holds or the test's wait passes.
func eventually(cond func() bool) bool {
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// waitQuestions waits until n questions are recorded (they are recorded
// just after the answer is sent) and returns what is recorded then.
func waitQuestions(t *testing.T, s *bot.Store, n int) []bot.QuestionRecord {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		qs, err := s.Questions(time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if len(qs) >= n || time.Now().After(deadline) {
			return qs
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func buttons(m telegramtest.Message) []string {
	var out []string
	for _, row := range m.Buttons {
		for _, b := range row {
			out = append(out, b.Text)
		}
	}
	return out
}

func callbackData(m telegramtest.Message, text string) string {
	for _, row := range m.Buttons {
		for _, b := range row {
			if b.Text == text {
				return b.CallbackData
			}
		}
	}
	return ""
}

func pushCallback(srv *telegramtest.Server, from models.User, msg telegramtest.Message, chat models.Chat, data string) {
	srv.PushUpdate(models.Update{CallbackQuery: &models.CallbackQuery{
		ID: fmt.Sprint(time.Now().UnixNano()), From: from, Data: data,
		Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: srv.BotMessage(msg, chat)},
	}})
}

func TestPrivateQuestionWithSourcesButtonsAndFeedback(t *testing.T) {
	srv := newServer(t)
	a := newFakeAnswerer()
	r := start(t, srv, t.TempDir(), a, nil)

	srv.SendText(dm, member, "孩子考上大学，工会有助学金吗？")
	sent := waitSent(t, srv, 1)
	ans := sent[0]
	if ans.ChatID != dm.ID || ans.ParseMode != "HTML" {
		t.Errorf("answer sent to %d with parse mode %q", ans.ChatID, ans.ParseMode)
	}
	for _, want := range []string{"3000元，[1]", "&lt;原件&gt;。[2]", "来源", "[1] 《兰州市总工会工作综述》 甘肃工人报 2020-07-02 第04版:专题报道 · 第3部分 第2段"} {
		if !strings.Contains(ans.Text, want) {
			t.Errorf("answer lacks %q:\n%s", want, ans.Text)
		}
	}
	if got := strings.Join(buttons(ans), " "); got != "原文 1 原文 2 👍 👎" {
		t.Errorf("buttons = %q", got)
	}
	if len(srv.Requests("sendChatAction")) == 0 {
		t.Error("no typing indicator")
	}
	if got := a.convs[0]; got != "501:501" {
		t.Errorf("conversation = %q", got)
	}
	if len(srv.Requests("setMyCommands")) != 1 {
		t.Error("command menu not registered")
	}

	// 原文 2 shows the passage in full with its document, date and page.
	pushCallback(srv, member, ans, dm, callbackData(ans, "原文 2"))
	sent = waitSent(t, srv, 2)
	for _, want := range []string{"兰州市总工会工作综述", "2020-07-02", "第04版:专题报道", "申请需提供录取通知书 &lt;原件&gt; &amp; 困难证明。"} {
		if !strings.Contains(sent[1].Text, want) {
			t.Errorf("passage lacks %q:\n%s", want, sent[1].Text)
		}
	}

	// 👎 is stored with the question.
	pushCallback(srv, member, ans, dm, callbackData(ans, "👎"))
	if !srv.Wait(wait, func() bool { return len(srv.Requests("answerCallbackQuery")) >= 2 }) {
		t.Fatal("feedback not acknowledged")
	}
	var qs []bot.QuestionRecord
	srv.Wait(wait, func() bool { qs, _ = r.store.Questions(time.Time{}); return len(qs) == 1 && qs[0].Feedback != 0 })
	if len(qs) != 1 {
		t.Fatalf("questions = %+v", qs)
	}
	if q := qs[0]; q.Question != "孩子考上大学，工会有助学金吗？" || q.Feedback != -1 || q.ChatType != "private" || q.Abstained {
		t.Errorf("question record = %+v", q)
	}
}

func TestStartHelpStickerAndAbstained(t *testing.T) {
	srv := newServer(t)
	a := newFakeAnswerer()
	r := start(t, srv, t.TempDir(), a, nil)

	srv.SendText(dm, member, "/start")
	sent := waitSent(t, srv, 1)
	if b := buttons(sent[0]); len(b) != 3 || b[2] != "农民工被拖欠工资怎么办？" || callbackData(sent[0], b[2]) != "q:农民工被拖欠工资怎么办？" {
		t.Errorf("/start buttons = %q", b)
	}
	if !strings.Contains(sent[0].Text, "我读过 1 份资料") || !strings.Contains(sent[0].Text, "最新的一份是") {
		t.Errorf("/start does not say what it knows: %s", sent[0].Text)
	}
	srv.SendText(dm, member, "/help")
	sent = waitSent(t, srv, 2)
	if !strings.Contains(sent[1].Text, "《兰州市总工会工作综述》（甘肃工人报 2020-07-02）") {
		t.Errorf("/help = %s", sent[1].Text)
	}
	srv.PushUpdate(models.Update{Message: &models.Message{ID: 9, From: &member, Chat: dm, Sticker: &models.Sticker{FileID: "s"}}})
	sent = waitSent(t, srv, 3)
	if !strings.Contains(sent[2].Text, "文字") {
		t.Errorf("sticker reply = %s", sent[2].Text)
	}
	srv.SendText(dm, member, "有没有免费体检？")
	sent = waitSent(t, srv, 4)
	if len(sent[3].Buttons) != 0 || strings.Contains(sent[3].Text, "来源") {
		t.Errorf("abstained answer has sources or buttons: %+v", sent[3])
	}
	qs := waitQuestions(t, r.store, 1)
	if len(qs) != 1 || !qs[0].Abstained || qs[0].Question != "有没有免费体检？" {
		t.Errorf("abstained question not recorded: %+v", qs)
	}
}

func TestGroupAddressing(t *testing.T) {
	srv := newServer(t)
	a := newFakeAnswerer()
	r := start(t, srv, t.TempDir(), a, nil)

	srv.SendText(grp, member, "今天食堂吃什么")
	srv.SendText(grp, member, "/ask@other_bot 有助学金吗")
	srv.SendText(grp, member2, "/start@other_bot")
	srv.PushUpdate(models.Update{Message: &models.Message{ID: 77, From: &member, Chat: grp, Sticker: &models.Sticker{}}})
	q1 := srv.SendText(grp, member, "请问@qa_test_bot 送外卖累了哪里能歇脚？")
	q2 := srv.SendText(grp, member2, "/ask@qa_test_bot 孩子考上大学有补助吗")
	q3 := srv.SendText(grp, member, "🙏👷 @qa_test_bot 工资被拖欠怎么办")

	sent := waitSent(t, srv, 3)
	for i, q := range []*models.Message{q1, q2, q3} {
		if sent[i].ReplyTo != q.ID || sent[i].ChatID != grp.ID {
			t.Errorf("answer %d replies to %d in %d, want %d in %d", i, sent[i].ReplyTo, sent[i].ChatID, q.ID, grp.ID)
		}
	}
	// Reply to the bot's answer is a follow-up question.
	follow := srv.NewMessage(grp, member, "那怎么申请？")
	follow.ReplyToMessage = srv.BotMessage(sent[0], grp)
	srv.PushUpdate(models.Update{Message: follow})
	sent = waitSent(t, srv, 4)
	if sent[3].ReplyTo != follow.ID {
		t.Errorf("follow-up answer replies to %d, want %d", sent[3].ReplyTo, follow.ID)
	}
	want := []string{"请问 送外卖累了哪里能歇脚？", "孩子考上大学有补助吗", "🙏👷 工资被拖欠怎么办", "那怎么申请？"}
	if got := a.asked(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("asked %q, want %q", got, want)
	}
	qs := waitQuestions(t, r.store, 4)
	if len(qs) != 4 {
		t.Errorf("stored %d questions, want 4 (chatter must not be stored)", len(qs))
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(srv.Sent()); n != 4 {
		t.Errorf("sent %d messages, want 4: %+v", n, srv.Sent())
	}
}

func TestGroupJoinHelloOnceAndMigration(t *testing.T) {
	srv := newServer(t)
	a := newFakeAnswerer()
	start(t, srv, t.TempDir(), a, nil)
	me := srv.Bot()
	small := models.Chat{ID: -300, Type: models.ChatTypeGroup, Title: "小组"}

	joined := &models.ChatMemberUpdated{Chat: small, From: member, Date: 1,
		OldChatMember: models.ChatMember{Type: models.ChatMemberTypeLeft, Left: &models.ChatMemberLeft{User: &me}},
		NewChatMember: models.ChatMember{Type: models.ChatMemberTypeMember, Member: &models.ChatMemberMember{User: &me}}}
	srv.PushUpdate(models.Update{MyChatMember: joined})
	srv.PushUpdate(models.Update{Message: &models.Message{ID: 5, From: &member, Chat: small, NewChatMembers: []models.User{me}}})
	sent := waitSent(t, srv, 1)
	if !strings.Contains(sent[0].Text, "@我") {
		t.Errorf("hello = %s", sent[0].Text)
	}

	// The group becomes a supergroup; Telegram refuses the old ID once.
	srv.PushUpdate(models.Update{Message: &models.Message{ID: 6, Chat: small, MigrateToChatID: -1000300}})
	srv.Fail("sendMessage", telegramtest.Failure{Code: 400, Description: "Bad Request: group chat was upgraded to a supergroup chat", MigrateTo: -1000300})
	srv.SendText(small, member, "/ask 有助学金吗")
	sent = waitSent(t, srv, 2)
	if sent[1].ChatID != -1000300 {
		t.Errorf("answer went to %d, want the supergroup", sent[1].ChatID)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(srv.Sent()); n != 2 {
		t.Errorf("hello said more than once: %+v", srv.Sent())
	}
}

func TestRetriesOn429And500(t *testing.T) {
	srv := newServer(t)
	a := newFakeAnswerer()
	start(t, srv, t.TempDir(), a, nil)

	srv.Fail("sendMessage", telegramtest.Failure{Code: 429, Description: "Too Many Requests: retry after 1", RetryAfter: 1})
	srv.SendText(dm, member, "有助学金吗")
	waitSent(t, srv, 1)
	reqs := srv.Requests("sendMessage")
	if len(reqs) != 2 {
		t.Fatalf("sendMessage called %d times, want 2", len(reqs))
	}
	if gap := reqs[1].Time.Sub(reqs[0].Time); gap < 900*time.Millisecond {
		t.Errorf("retried after %v, before retry_after", gap)
	}

	srv.Fail("sendMessage",
		telegramtest.Failure{Code: 500, Description: "Internal Server Error"},
		telegramtest.Failure{Code: 502, Description: "Bad Gateway"})
	srv.SendText(dm, member, "怎么申请")
	waitSent(t, srv, 2)
	if n := len(srv.Requests("sendMessage")); n != 5 {
		t.Errorf("sendMessage called %d times, want 5", n)
	}
}

func TestGivingUpIsLoggedWithChatAndReason(t *testing.T) {
	srv := newServer(t)
	r := start(t, srv, t.TempDir(), newFakeAnswerer(), func(o *bot.Options) { o.Retries = 2 })
	srv.Fail("sendMessage", telegramtest.Failure{Code: 403, Description: "Forbidden: bot was blocked by the user"})
	srv.SendText(dm, member, "有助学金吗")
	if !eventually(func() bool { return strings.Contains(r.logs.String(), "bot was blocked") }) {
		t.Fatalf("failure not logged:\n%s", r.logs.String())
	}
	if logs := r.logs.String(); !strings.Contains(logs, "chat=501") {
		t.Errorf("failure logged without the chat:\n%s", logs)
	}
}

func TestOversizedAnswerIsSplit(t *testing.T) {
	srv := newServer(t)
	start(t, srv, t.TempDir(), newFakeAnswerer(), nil)
	srv.SendText(dm, member, "说个很长的")
	if !srv.Wait(wait, func() bool {
		s := srv.Sent()
		return len(s) > 0 && len(s[len(s)-1].Buttons) > 0
	}) {
		t.Fatalf("no complete answer: %d messages", len(srv.Sent()))
	}
	sent := srv.Sent()
	if len(sent) < 3 {
		t.Fatalf("a %d-character answer came in %d messages", 400*27, len(sent))
	}
	for i, m := range sent {
		if i < len(sent)-1 && len(m.Buttons) > 0 {
			t.Errorf("buttons on message %d of %d", i+1, len(sent))
		}
	}
}

func TestPanicGetsApologyAndBotGoesOn(t *testing.T) {
	srv := newServer(t)
	dir := t.TempDir()
	r := start(t, srv, dir, newFakeAnswerer(), nil)
	srv.SendText(dm, member, "panic please")
	sent := waitSent(t, srv, 1)
	if !strings.Contains(sent[0].Text, "抱歉") {
		t.Errorf("apology = %s", sent[0].Text)
	}
	srv.SendText(dm, member, "有助学金吗")
	waitSent(t, srv, 2)
	if !strings.Contains(r.logs.String(), "handler panicked") || !strings.Contains(r.logs.String(), "goroutine") {
		t.Error("panic not logged with its stack")
	}
	// The panicking update is done: a restart does not retry it.
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	a2 := newFakeAnswerer()
	start(t, srv, dir, a2, nil)
	time.Sleep(100 * time.Millisecond)
	if len(a2.asked()) != 0 {
		t.Errorf("after restart asked %q again", a2.asked())
	}
}

func TestRateLimitNoticeOnce(t *testing.T) {
	srv := newServer(t)
	a := newFakeAnswerer()
	start(t, srv, t.TempDir(), a, func(o *bot.Options) { o.RateBurst = 2; o.RateEvery = time.Hour })
	for i := range 5 {
		srv.SendText(dm, member, fmt.Sprintf("问题%d", i))
	}
	srv.SendText(models.Chat{ID: 502, Type: models.ChatTypePrivate}, member2, "别人的问题")
	waitSent(t, srv, 4)
	time.Sleep(100 * time.Millisecond)
	sent := srv.Sent()
	notices := 0
	for _, m := range sent {
		if strings.Contains(m.Text, "请稍后再问") {
			notices++
		}
	}
	if len(sent) != 4 || notices != 1 || len(a.asked()) != 3 {
		t.Errorf("sent %d (notices %d), answered %d; want 4 (1), 3", len(sent), notices, len(a.asked()))
	}
}

func TestRestartFinishesUnansweredUpdate(t *testing.T) {
	srv := newServer(t)
	dir := t.TempDir()

	// The first run takes the question and stops in the middle of answering.
	a1 := newFakeAnswerer()
	a1.slow = true
	r1 := start(t, srv, dir, a1, func(o *bot.Options) { o.DrainTimeout = 100 * time.Millisecond })
	q := srv.SendText(dm, member, "慢慢说：有助学金吗")
	select {
	case <-a1.started:
	case <-time.After(wait):
		t.Fatal("question not taken")
	}
	srv.Wait(wait, func() bool { return srv.Offset() > 1 })
	if err := r1.stop(); err != nil {
		t.Fatal(err)
	}
	if len(srv.Sent()) != 0 {
		t.Fatalf("answered before restart: %+v", srv.Sent())
	}
	if srv.Offset() <= 1 {
		t.Fatalf("the update was not acknowledged (offset %d); the test needs it gone from Telegram", srv.Offset())
	}
	// Questions sent while the bot is down.
	srv.SendText(dm, member, "问题一")
	srv.SendText(models.Chat{ID: 502, Type: models.ChatTypePrivate}, member2, "问题二")

	a2 := newFakeAnswerer()
	start(t, srv, dir, a2, nil)
	sent := waitSent(t, srv, 3)
	time.Sleep(100 * time.Millisecond)
	if n := len(srv.Sent()); n != 3 {
		t.Errorf("sent %d answers, want 3", n)
	}
	got := strings.Join(a2.asked(), "|")
	if !strings.Contains(got, q.Text) || !strings.Contains(got, "问题一") || !strings.Contains(got, "问题二") {
		t.Errorf("after restart asked %q", got)
	}
	_ = sent

	// A redelivered update (same update_id) is not answered again.
	srv.PushUpdate(models.Update{ID: 1, Message: q})
	srv.SendText(dm, member, "最后一个")
	waitSent(t, srv, 4)
	time.Sleep(100 * time.Millisecond)
	if n := len(srv.Sent()); n != 4 {
		t.Errorf("a redelivered update was answered again: %d messages", n)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func TestWebhookSecretAndMetrics(t *testing.T) {
	srv := newServer(t)
	a := newFakeAnswerer()
	hook, metricsAddr := freeAddr(t), freeAddr(t)
	r := start(t, srv, t.TempDir(), a, func(o *bot.Options) {
		o.WebhookURL = "https://bot.example.org/tg/hook"
		o.ListenAddr = hook
		o.WebhookSecret = "s3cret-Token_value"
		o.MetricsAddr = metricsAddr
	})
	if reqs := srv.Requests("setWebhook"); len(reqs) != 1 || reqs[0].Params["secret_token"] != "s3cret-Token_value" || reqs[0].Params["url"] != "https://bot.example.org/tg/hook" {
		t.Fatalf("setWebhook = %+v", reqs)
	}
	if len(srv.Requests("getUpdates")) != 0 {
		t.Error("polling in webhook mode")
	}
	post := func(secret string, body []byte) int {
		req, _ := http.NewRequest(http.MethodPost, "http://"+hook+"/tg/hook", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	metrics := func() string {
		resp, err := http.Get("http://" + metricsAddr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		m, _ := io.ReadAll(resp.Body)
		return string(m)
	}
	// The webhook handler stores an update, and counts it, before it answers
	// 200: once a post has returned, what it took is in the metrics.
	const taken = `qa_bot_updates_total{source="webhook"}`
	body := srv.RawUpdate(models.Update{Message: srv.NewMessage(dm, member, "有助学金吗")})
	if code := post("wrong", body); code != http.StatusUnauthorized {
		t.Errorf("wrong secret: %d", code)
	}
	if code := post("", body); code != http.StatusUnauthorized {
		t.Errorf("missing secret: %d", code)
	}
	if m := metrics(); strings.Contains(m, taken) || len(a.asked()) != 0 {
		t.Fatal("an update with a wrong secret was processed")
	}
	if code := post("s3cret-Token_value", body); code != http.StatusOK {
		t.Errorf("right secret: %d", code)
	}
	waitSent(t, srv, 1)
	if code := post("s3cret-Token_value", body); code != http.StatusOK { // Telegram redelivers
		t.Errorf("redelivery: %d", code)
	}
	// The answer is counted just after it is sent: wait for that, then the
	// figures must be exactly one question, taken once.
	want := []string{`qa_bot_questions_total{chat_type="private",outcome="answered"} 1` + "\n", "qa_bot_answer_seconds_bucket", taken + " 1\n"}
	var m string
	eventually(func() bool {
		m = metrics()
		return !slices.ContainsFunc(want, func(w string) bool { return !strings.Contains(m, w) })
	})
	for _, w := range want {
		if !strings.Contains(m, w) {
			t.Errorf("metrics lack %q", w)
		}
	}
	if len(a.asked()) != 1 {
		t.Errorf("asked %d times, want 1", len(a.asked()))
	}
	_ = r

	resp, err := http.Get("http://" + metricsAddr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("healthz: %v %v", resp, err)
	}
}

func TestTokenNeverInErrors(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + l.Addr().String()
	l.Close()
	logs := &ragtest.SyncBuffer{}
	err := bot.Run(context.Background(), bot.Options{
		Token: token, APIURL: dead, DataDir: t.TempDir(), Retries: 1, RetryBase: time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
	}, newFakeAnswerer())
	if err == nil {
		t.Fatal("Run with an unreachable API succeeded")
	}
	secret := strings.Split(token, ":")[1]
	if strings.Contains(err.Error(), secret) || strings.Contains(logs.String(), secret) {
		t.Errorf("token leaked:\nerr: %v\nlogs: %s", err, logs.String())
	}
	if err := bot.Run(context.Background(), bot.Options{Token: "nonsense", DataDir: t.TempDir()}, newFakeAnswerer()); err == nil {
		t.Error("a malformed token was accepted")
	}
}

func TestValidToken(t *testing.T) {
	for tok, want := range map[string]bool{
		token: true, "": false, "123:abc": false, "abc:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1": false,
		"123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1 ": false, "123456789:AAHdqTcv/H1vGWJxfSeofSAs0K5PALDsaw1": false,
	} {
		if got := bot.ValidToken(tok); got != want {
			t.Errorf("ValidToken(%q) = %v", tok, got)
		}
	}
}
