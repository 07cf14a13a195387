package bot_test

import (
	"bytes"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gonghui/qa/bot"
)

// newConversation is the bot over the real library and engine, with the
// built-in report as the one document.
func newConversation(t *testing.T) *staffEnv {
	t.Helper()
	report, err := os.ReadFile("../corpus/default/lanzhou-2020-07-02.md")
	if err != nil {
		t.Fatal(err)
	}
	return newStaffEnv(t, map[string]string{"lanzhou-2020-07-02.md": string(report)}, func(o *bot.Options) { o.RateBurst = 100 })
}

func TestSmallTalkWarmRepliesAndNoGaps(t *testing.T) {
	c := newConversation(t)
	for _, tt := range []struct{ msg, want string }{
		{"谢谢啦", "不客气"},
		{"3q", "不客气"},
		{"好的", "好的"},
		{"拜拜", "再见"},
	} {
		c.srv.SendText(dm, member, tt.msg)
		got := c.next(t, dm.ID)
		if !strings.Contains(got.Text, tt.want) || len(got.Buttons) != 0 || strings.Contains(got.Text, "资料里没有") {
			t.Errorf("%q got %+v; want a warm reply with %q and no buttons", tt.msg, got, tt.want)
		}
	}
	// About the bot: what it knows, and examples as buttons.
	c.srv.SendText(dm, member, "你能干啥")
	about := c.next(t, dm.ID)
	mustContain(t, "about", about.Text, "问答助手", "我读过 1 份资料", "比如可以问")
	ex := buttons(about)
	if len(ex) == 0 || len(ex) > 3 {
		t.Fatalf("about: %d example buttons", len(ex))
	}
	// A mixed message is a question.
	c.srv.SendText(dm, member, "谢谢，那金秋助学每人资助多少钱？")
	mixed := c.next(t, dm.ID)
	mustContain(t, "mixed", mixed.Text, "2000至5000元", "来源")

	// Only the question is in the log; /gaps has no thanks in it.
	waitQuestions(t, c.run.store, 1)
	time.Sleep(50 * time.Millisecond) // anything else would be recorded by now
	qs, _ := c.run.store.Questions(time.Time{})
	if len(qs) != 1 || qs[0].Question != "谢谢，那金秋助学每人资助多少钱？" {
		t.Errorf("question log = %+v, want the mixed question only", qs)
	}
	c.srv.SendText(staffChat, staff, "/gaps")
	mustContain(t, "/gaps", c.next(t, staffChat.ID).Text, "近 7 天没有答不上的问题")
}

func TestSmallTalkInAGroup(t *testing.T) {
	c := newConversation(t)
	c.srv.SendText(grp, member, "谢谢大家") // not addressed: ignored
	m := c.srv.SendText(grp, member, "@qa_test_bot 你是谁")
	got := c.next(t, grp.ID)
	if strings.Contains(got.Text, "\n") || got.ReplyTo != m.ID || len(got.Buttons) != 0 || !strings.Contains(got.Text, "问答助手") {
		t.Errorf("group small talk: %+v; want one line replying to %d", got, m.ID)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(c.srv.SentTo(grp.ID)); n != 1 {
		t.Errorf("%d messages to the group, want 1: %+v", n, c.srv.SentTo(grp.ID))
	}
}

// /start says what the documents are and offers examples the engine
// answers; tapping one asks it, and the answer says what was asked.
func TestStartExamplesAreAskedByTapping(t *testing.T) {
	c := newConversation(t)
	c.srv.SendText(dm, member, "/start")
	hello := c.next(t, dm.ID)
	lines := strings.Split(hello.Text, "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[1], "我读过 1 份资料") || !strings.Contains(lines[2], "2020-07-02") {
		t.Errorf("/start does not say in two lines what it knows:\n%s", hello.Text)
	}
	ex := buttons(hello)
	if len(ex) == 0 {
		t.Fatal("/start has no example buttons")
	}
	if want := c.eng.Examples(3); strings.Join(ex, "|") != strings.Join(want, "|") {
		t.Errorf("buttons %q, want the engine's examples %q", ex, want)
	}
	pushCallback(c.srv, member, hello, dm, callbackData(hello, ex[0]))
	ans := c.next(t, dm.ID)
	mustContain(t, "tapped example", ans.Text, "❓ "+ex[0], "[1]", "来源")
	if b := buttons(ans); len(b) < 3 || b[0] != "原文 1" {
		t.Errorf("tapped example's answer buttons = %q", b)
	}
	qs := waitQuestions(t, c.run.store, 1)
	if len(qs) != 1 || qs[0].Question != ex[0] || qs[0].Abstained || len(qs[0].PassageIDs) == 0 {
		t.Errorf("tapped question recorded as %+v", qs)
	}
}

// /stats sends a chart above its figures: a PNG Telegram takes, whose
// caption says in Chinese what the colours mean.
func TestStatsSendsAChartAboveTheFigures(t *testing.T) {
	c := newConversation(t)
	c.srv.SendText(staffChat, staff, "/stats")
	mustContain(t, "/stats with no questions", c.next(t, staffChat.ID).Text, "还没有人提问")
	if n := len(c.srv.Photos()); n != 0 {
		t.Errorf("%d charts with nothing to draw", n)
	}

	for _, q := range []string{"金秋助学每人资助多少钱？", "工会的食堂几点开门？"} {
		c.srv.SendText(dm, member, q)
		c.next(t, dm.ID)
	}
	waitQuestions(t, c.run.store, 2)
	c.srv.SendText(staffChat, staff, "/stats")
	figures := c.next(t, staffChat.ID)
	mustContain(t, "/stats", figures.Text, "共 2 问", "答上", "资料里没有")
	photos := c.srv.Photos()
	if len(photos) != 1 {
		t.Fatalf("%d photos sent, want the chart", len(photos))
	}
	p := photos[0]
	if p.ChatID != staffChat.ID || p.ID > figures.ID {
		t.Errorf("chart sent to %d as message %d, figures as %d: want the chart first, to staff", p.ChatID, p.ID, figures.ID)
	}
	mustContain(t, "chart caption", p.Caption, "近 7 天每天的提问", "共 2 问", "🟩 答上", "🟧 资料里没有", "👍", "👎")
	img, err := png.Decode(bytes.NewReader(p.Data))
	if err != nil {
		t.Fatalf("the chart is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 600 || b.Dy() < 300 || b.Dx() > 2560 || b.Dy() > 2560 {
		t.Errorf("chart is %v: too small to read or larger than Telegram keeps", b)
	}
}

// With the handoff to staff on, small talk is still never offered as a
// ticket: no 转给工会工作人员 under 谢谢 or 你好, while a question the
// documents miss gets it.
func TestSmallTalkIsNeverHandedToStaff(t *testing.T) {
	e := newHandoffEnv(t, func(o *bot.Options) { o.RateBurst = 100 })
	for _, msg := range []string{"谢谢", "你好", "答非所问", "👍"} {
		_, got := e.askIn(t, askerDM, asker, msg)
		for _, b := range buttons(got) {
			if strings.Contains(b, "工作人员") {
				t.Errorf("%q offered the handoff: %q", msg, buttons(got))
			}
		}
	}
	_, missed := e.askIn(t, askerDM, asker, lostCard)
	if !strings.Contains(strings.Join(buttons(missed), " "), "转给工会工作人员") {
		t.Errorf("a question the documents miss is not offered the handoff: %q", buttons(missed))
	}
}

// A near miss says the documents do not have it, offers questions they do
// answer as buttons, and a tap asks one.
func TestNearMissOffersRelatedQuestions(t *testing.T) {
	c := newConversation(t)
	c.srv.SendText(dm, member, "金秋助学今年什么时候申请？")
	got := c.next(t, dm.ID)
	mustContain(t, "near miss", got.Text, "资料里没有", "下面这些问题可以回答")
	suggested := buttons(got)
	if len(suggested) == 0 || len(suggested) > 3 {
		t.Fatalf("near miss: buttons %q, want 1–3 questions", suggested)
	}
	data := callbackData(got, suggested[0])
	if !strings.HasPrefix(data, "q:") {
		t.Fatalf("suggestion %q has data %q", suggested[0], data)
	}
	pushCallback(c.srv, member, got, dm, data)
	ans := c.next(t, dm.ID)
	mustContain(t, "tapped suggestion", ans.Text, "❓ "+suggested[0], "[1]", "来源")

	// An unrelated question gets the plain abstention, with nothing to tap.
	c.srv.SendText(dm, member, "今天兰州天气怎么样？")
	plain := c.next(t, dm.ID)
	if len(plain.Buttons) != 0 || strings.Contains(plain.Text, "下面这些问题") {
		t.Errorf("unrelated question got suggestions: %+v", plain)
	}
	// The near miss is still a gap for staff; the tapped question is not.
	qs := waitQuestions(t, c.run.store, 3)
	if len(qs) != 3 || !qs[0].Abstained || qs[1].Abstained || qs[1].Question != suggested[0] {
		t.Errorf("question log = %+v", qs)
	}
}
