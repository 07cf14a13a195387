package bot_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/gonghui/qa/bot"
	"github.com/gonghui/qa/bot/telegramtest"
)

var (
	// staffGroup is the staff chat (STAFF_CHAT_ID).
	staffGroup = models.Chat{ID: -100900, Type: models.ChatTypeSupergroup, Title: "工会工作人员群"}
	// asker has a surname, a username and an ID: staff may see only the
	// first name.
	asker    = models.User{ID: 777123, FirstName: "小赵", LastName: "赵", Username: "zhao_worker77"}
	askerDM  = models.Chat{ID: 777123, Type: models.ChatTypePrivate}
	other    = models.User{ID: 502, FirstName: "小李"}
	otherDM  = models.Chat{ID: 502, Type: models.ChatTypePrivate}
	outsider = models.User{ID: 6060, FirstName: "路人"}
)

// The documents the handoff tests answer from: nothing on member cards.
var handoffCorpus = map[string]string{"lanzhou.md": lanzhou}

const (
	lostCard     = "工会会员证丢了怎么补办？"
	lostReworded = "会员证丢失了，怎么办理补办"
	lostAnswer   = "带上身份证到所在单位工会，填一张补办申请表，一周内就能拿到新证。"
)

// newHandoffEnv is newStaffEnv with a staff chat the bot is a member of.
func newHandoffEnv(t *testing.T, tweak func(*bot.Options)) *staffEnv {
	t.Helper()
	root := t.TempDir()
	e := &staffEnv{
		srv: newServer(t), corpusDir: filepath.Join(root, "corpus"), dataDir: filepath.Join(root, "data"),
		clock: &testClock{}, seen: map[int64]int{},
		tweak: func(o *bot.Options) {
			o.StaffChatID = staffGroup.ID
			if tweak != nil {
				tweak(o)
			}
		},
	}
	if err := os.MkdirAll(e.corpusDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range handoffCorpus {
		if err := os.WriteFile(filepath.Join(e.corpusDir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e.srv.AddChat(staffGroup, models.ChatMemberTypeMember)
	e.start(t)
	return e
}

// askIn sends a question from a user in a chat and returns the answer.
func (e *staffEnv) askIn(t *testing.T, chat models.Chat, from models.User, q string) (question *models.Message, answer telegramtest.Message) {
	t.Helper()
	question = e.srv.SendText(chat, from, q)
	return question, e.next(t, chat.ID)
}

// replyTo sends a message from a user replying to one of the bot's
// messages, and returns it.
func (e *staffEnv) replyTo(chat models.Chat, from models.User, to telegramtest.Message, text string) *models.Message {
	m := e.srv.NewMessage(chat, from, text)
	m.ReplyToMessage = e.srv.BotMessage(to, chat)
	e.srv.PushUpdate(models.Update{Message: m})
	return m
}

// handOver asks an unanswerable question and taps 转给工会工作人员; it
// returns the ticket posted to the staff chat and what the member was told.
func (e *staffEnv) handOver(t *testing.T, chat models.Chat, from models.User, q string) (ticket, told telegramtest.Message) {
	t.Helper()
	_, ans := e.askIn(t, chat, from, q)
	mustContain(t, "abstention", ans.Text, "没有找到")
	if got := strings.Join(buttons(ans), " "); got != "转给工会工作人员" {
		t.Fatalf("abstention buttons = %q", got)
	}
	told = e.press(t, from, chat, ans, "转给工会工作人员")
	return e.next(t, staffGroup.ID), told
}

func ticketNo(t *testing.T, ticket telegramtest.Message) int {
	t.Helper()
	var no int
	if _, err := fmt.Sscanf(ticket.Text[strings.Index(ticket.Text, "#"):], "#%d", &no); err != nil {
		t.Fatalf("no ticket number in %q", ticket.Text)
	}
	return no
}

// The whole flow in a private chat: an unanswerable question, the tap, the
// ticket in the staff chat with nothing but the first name, a staff reply
// relayed and reported, 存为问答, and another member asking in other words
// answered from the saved entry with its citation.
func TestHandoffPrivateChatToSavedAnswer(t *testing.T) {
	e := newHandoffEnv(t, nil)

	ticket, told := e.handOver(t, askerDM, asker, lostCard)
	no := ticketNo(t, ticket)
	mustContain(t, "the member's note", told.Text, "已经转给工会工作人员", fmt.Sprintf("工单 #%d", no), "在这里答复您")
	mustContain(t, "ticket", ticket.Text, fmt.Sprintf("工单 #%d", no), lostCard, "私聊", "小赵", "回复这条消息")
	for _, secret := range []string{strconv.FormatInt(asker.ID, 10), asker.Username, "@", asker.LastName + asker.FirstName} {
		if strings.Contains(ticket.Text, secret) {
			t.Errorf("the ticket shows %q:\n%s", secret, ticket.Text)
		}
	}
	if len(e.srv.Requests("editMessageReplyMarkup")) == 0 {
		t.Error("the handoff button was left under the abstention")
	}

	// The staff answer, relayed to the member and reported in the staff chat.
	e.replyTo(staffGroup, staff, ticket, lostAnswer)
	relayed := e.next(t, askerDM.ID)
	mustContain(t, "relayed answer", relayed.Text, "工会工作人员答复", fmt.Sprintf("工单 #%d", no), lostAnswer, lostCard)
	report := e.next(t, staffGroup.ID)
	mustContain(t, "report", report.Text, "✅ 已送达", "小赵")
	if got := strings.Join(buttons(report), " "); got != "存为问答 关闭工单" {
		t.Fatalf("report buttons = %q", got)
	}

	// A second reply, to the report this time, is relayed after the first.
	e.replyTo(staffGroup, staff2, report, "补办不收费。")
	mustContain(t, "second relayed answer", e.next(t, askerDM.ID).Text, "补办不收费。")
	mustContain(t, "second report", e.next(t, staffGroup.ID).Text, "✅ 已送达")

	saved := e.press(t, staff, staffGroup, report, "存为问答")
	mustContain(t, "saved", saved.Text, "已存为问答", lostCard, "qa-")
	id := saved.Text[strings.Index(saved.Text, "qa-"):]
	id = id[:strings.IndexAny(id, "<\n ")]

	// Another member, other words: answered from the saved entry at once.
	_, ans := e.askIn(t, otherDM, other, lostReworded)
	mustContain(t, "answer from the saved entry", ans.Text, lostAnswer, "[1]", "工会答复（"+time.Now().Format(time.DateOnly)+"）")
	if got := buttons(ans); len(got) == 0 || got[0] != "原文 1" {
		t.Errorf("answer buttons = %v", got)
	}
	// 原文 1 shows the saved question and answer; a 👎 on the saved answer
	// shows in /gaps as such.
	mustContain(t, "原文 1", e.press(t, other, otherDM, ans, "原文 1").Text, "工会答复", "问："+lostCard, lostAnswer)
	waitQuestions(t, e.run.store, 2)
	mustContain(t, "offer after 👎", e.press(t, other, otherDM, ans, "👎").Text, "转给工会工作人员")
	mustContain(t, "/gaps", e.command(t, staff, staffChat, "/gaps").Text, lostReworded, "其中 1 次是工会答复被点 👎", "💬 已有工会答复")

	// Listed by /docs, removable like any document.
	mustContain(t, "/docs", e.command(t, staff, staffChat, "/docs").Text, lostCard, id)
	confirm := e.command(t, staff, staffChat, "/remove "+id)
	mustContain(t, "removed", e.press(t, staff, staffChat, confirm, "确认删除").Text, "已删除")
	_, ans = e.askIn(t, otherDM, other, lostReworded)
	mustContain(t, "after removal", ans.Text, "没有找到")
}

// In a group: only the asker's tap counts, the ticket names the group, and
// the staff answer comes back to the group as a reply to the question.
func TestHandoffInAGroup(t *testing.T) {
	e := newHandoffEnv(t, nil)
	q, ans := e.askIn(t, grp, asker, "/ask "+lostCard)
	if ans.ReplyTo != q.ID || strings.Join(buttons(ans), " ") != "转给工会工作人员" {
		t.Fatalf("group abstention = %+v", ans)
	}
	pushCallback(e.srv, other, ans, grp, callbackData(ans, "转给工会工作人员"))
	if !e.srv.Wait(wait, func() bool {
		for _, r := range e.srv.Requests("answerCallbackQuery") {
			if strings.Contains(r.Params["text"], "只有提问的人") {
				return true
			}
		}
		return false
	}) {
		t.Fatal("another member's tap was not refused")
	}
	told := e.press(t, asker, grp, ans, "转给工会工作人员")
	mustContain(t, "the group's note", told.Text, "已经转给工会工作人员")
	if told.ReplyTo != q.ID {
		t.Errorf("the note replies to %d, not the question %d", told.ReplyTo, q.ID)
	}
	ticket := e.next(t, staffGroup.ID)
	mustContain(t, "ticket", ticket.Text, "群「职工群」", "小赵", lostCard)
	if n := len(e.srv.SentTo(staffGroup.ID)); n != 1 {
		t.Errorf("%d messages in the staff chat, want one ticket", n)
	}

	e.replyTo(staffGroup, staff, ticket, lostAnswer)
	relayed := e.next(t, grp.ID)
	mustContain(t, "relayed to the group", relayed.Text, "工会工作人员答复", lostAnswer)
	if relayed.ReplyTo != q.ID {
		t.Errorf("the staff answer replies to %d, not the question %d", relayed.ReplyTo, q.ID)
	}
	mustContain(t, "report", e.next(t, staffGroup.ID).Text, "✅ 已送达")
}

// In the staff chat the bot listens to staff only; replies to a closed
// ticket and to nothing it knows get a clear note; /tickets lists what is
// open.
func TestStaffChatTicketsAndClosing(t *testing.T) {
	e := newHandoffEnv(t, nil)
	ticket, _ := e.handOver(t, askerDM, asker, lostCard)
	no := ticketNo(t, ticket)

	// A member of the staff group who is not staff: ignored, not stored.
	e.replyTo(staffGroup, outsider, ticket, "我也想知道")
	e.srv.SendText(staffGroup, outsider, "/tickets")
	list := e.command(t, staff, staffGroup, "/tickets")
	mustContain(t, "/tickets", list.Text, "未处理的工单（1 个）", fmt.Sprintf("#%d", no), "私聊", "未答复", lostCard)
	if n := len(e.srv.SentTo(askerDM.ID)); n != 2 { // the abstention and the handoff note
		t.Errorf("the member got %d messages: a non-staff reply was relayed", n)
	}

	closed := e.press(t, staff, staffGroup, ticket, "关闭工单")
	mustContain(t, "closed", closed.Text, fmt.Sprintf("工单 #%d 已由工会小张关闭", no))
	e.replyTo(staffGroup, staff, ticket, lostAnswer)
	note := e.next(t, staffGroup.ID)
	mustContain(t, "reply to a closed ticket", note.Text, "已经关闭", "没有转发")
	mustContain(t, "reopened", e.press(t, staff, staffGroup, note, "重新打开").Text, "已重新打开")
	mustContain(t, "/close", e.command(t, staff, staffGroup, fmt.Sprintf("/close %d", no)).Text, "关闭")
	mustContain(t, "/tickets after closing", e.command(t, staff, staffGroup, "/tickets@qa_test_bot").Text, "没有未处理的工单")

	// A reply to a bot message that is about no ticket.
	e.replyTo(staffGroup, staff, list, "这条是什么？")
	mustContain(t, "reply to no ticket", e.next(t, staffGroup.ID).Text, "过期", "不存在")
	if n := len(e.srv.SentTo(askerDM.ID)); n != 2 {
		t.Errorf("the member got %d messages", n)
	}
}

// A staff reply sent while the bot is down is relayed after the restart,
// once, also after another restart.
func TestStaffReplyWhileDownRelayedOnce(t *testing.T) {
	e := newHandoffEnv(t, nil)
	ticket, _ := e.handOver(t, askerDM, asker, lostCard)
	if err := e.run.stop(); err != nil {
		t.Fatal(err)
	}
	e.replyTo(staffGroup, staff, ticket, lostAnswer)
	e.start(t)
	mustContain(t, "relayed after restart", e.next(t, askerDM.ID).Text, lostAnswer)
	mustContain(t, "report", e.next(t, staffGroup.ID).Text, "✅ 已送达")

	e.restart(t)
	mustContain(t, "/tickets", e.command(t, staff, staffGroup, "/tickets").Text, "已答复 1 次")
	relayed := 0
	for _, m := range e.srv.SentTo(askerDM.ID) {
		if strings.Contains(m.Text, lostAnswer) {
			relayed++
		}
	}
	if relayed != 1 {
		t.Errorf("the answer was relayed %d times", relayed)
	}
	// The handoff tap pressed again after the restarts finds the ticket.
	abstention := e.srv.SentTo(askerDM.ID)[0]
	pushCallback(e.srv, asker, abstention, askerDM, callbackData(abstention, "转给工会工作人员"))
	if !e.srv.Wait(wait, func() bool {
		rs := e.srv.Requests("answerCallbackQuery")
		return len(rs) > 0 && strings.Contains(rs[len(rs)-1].Params["text"], "已经转给工作人员了")
	}) {
		t.Error("a second tap opened another ticket")
	}
}

// Over the daily limit a member gets a friendly note and the hotline.
func TestHandoffDailyLimit(t *testing.T) {
	e := newHandoffEnv(t, func(o *bot.Options) { o.HandoffsPerDay = 2 })
	e.handOver(t, askerDM, asker, lostCard)
	e.handOver(t, askerDM, asker, "工会会员卡能在超市打折吗？")
	_, ans := e.askIn(t, askerDM, asker, "工会的职工之家周末开放吗？")
	note := e.press(t, asker, askerDM, ans, "转给工会工作人员")
	mustContain(t, "limit note", note.Text, "今天已经转交了 2 个问题", "12351")
	if n := len(e.srv.SentTo(staffGroup.ID)); n != 2 {
		t.Errorf("%d tickets posted, want 2", n)
	}
}

// A member who blocked the bot: staff are told the answer did not arrive.
func TestRelayToBlockedMemberReported(t *testing.T) {
	e := newHandoffEnv(t, nil)
	ticket, _ := e.handOver(t, askerDM, asker, lostCard)
	e.srv.Fail("sendMessage", telegramtest.Failure{Code: 403, Description: "Forbidden: bot was blocked by the user"})
	e.replyTo(staffGroup, staff, ticket, lostAnswer)
	report := e.next(t, staffGroup.ID)
	mustContain(t, "report", report.Text, "⚠️ 没能送达", "屏蔽了机器人")
	if strings.Contains(report.Text, "已送达小赵") {
		t.Error("reported as delivered")
	}
}

// A follow-up's ticket shows the question before it.
func TestHandoffOfFollowUp(t *testing.T) {
	e := newHandoffEnv(t, nil)
	if _, ans := e.askIn(t, askerDM, asker, "金秋助学给多少钱？"); strings.Contains(ans.Text, "没有找到") {
		t.Fatalf("not answered: %s", ans.Text)
	}
	ticket, _ := e.handOver(t, askerDM, asker, "那要交什么材料？")
	mustContain(t, "ticket", ticket.Text, "问：</b>那要交什么材料？", "接着上一个问题：金秋助学给多少钱？")
}

// 👎 under an answer offers the handoff to its asker.
func TestHandoffAfterThumbsDown(t *testing.T) {
	e := newHandoffEnv(t, nil)
	_, ans := e.askIn(t, askerDM, asker, "金秋助学给多少钱？")
	if strings.Contains(ans.Text, "没有找到") {
		t.Fatalf("not answered: %s", ans.Text)
	}
	offer := e.press(t, asker, askerDM, ans, "👎")
	mustContain(t, "offer", offer.Text, "转给工会工作人员")
	e.press(t, asker, askerDM, offer, "转给工会工作人员")
	mustContain(t, "ticket", e.next(t, staffGroup.ID).Text, "会员对回答点了 👎", "金秋助学给多少钱")
}

// /gaps shows which questions have a ticket; staff answer a gap group with
// /answer N and save it, with no member waiting; /stats and /metrics count
// it all.
func TestAnswerGapAndFigures(t *testing.T) {
	metricsAddr := freeAddr(t)
	e := newHandoffEnv(t, func(o *bot.Options) { o.MetricsAddr = metricsAddr })
	ticket, _ := e.handOver(t, askerDM, asker, lostCard)
	e.replyTo(staffGroup, staff, ticket, lostAnswer)
	e.next(t, askerDM.ID)
	e.next(t, staffGroup.ID)
	e.askIn(t, otherDM, other, "职工书屋几点开门？")
	waitQuestions(t, e.run.store, 2)

	gaps := e.command(t, staff, staffChat, "/gaps")
	mustContain(t, "/gaps", gaps.Text, lostCard, "🎫 工单 #1 已答复", "职工书屋几点开门", "/answer")
	n := ""
	for _, line := range strings.Split(gaps.Text, "\n") {
		if strings.Contains(line, "职工书屋") && strings.Contains(line, ". ") {
			n = strings.TrimSpace(line[:strings.Index(line, ".")])
		}
	}
	prompt := e.command(t, staff, staffChat, "/answer "+n)
	mustContain(t, "gap ticket", prompt.Text, "职工书屋几点开门", "回复这条消息")
	e.replyTo(staffChat, staff, prompt, "职工书屋每天上午9点到晚上8点开放。")
	report := e.next(t, staffChat.ID)
	mustContain(t, "gap reply", report.Text, "没有会员在等", "存为问答")
	mustContain(t, "saved", e.press(t, staff, staffChat, report, "存为问答").Text, "已存为问答")

	_, ans := e.askIn(t, otherDM, other, "职工书屋开放时间是什么时候")
	mustContain(t, "answer from the gap's saved entry", ans.Text, "上午9点到晚上8点", "工会答复")
	waitQuestions(t, e.run.store, 3)
	mustContain(t, "/gaps after", e.command(t, staff, staffChat, "/gaps").Text, "💬 已有工会答复")

	stats := e.command(t, staff, staffChat, "/stats")
	mustContain(t, "/stats", stats.Text, "转人工", "会员转交 1 个问题", "已答复 1 个", "答复送达 1 条", "首次答复用时", "直接答复 /gaps 里的问题 1 个", "存为问答 1 条", "工会答复回答了 1 次提问")

	resp, err := http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`qa_bot_tickets_total{event="opened"} 1`, `qa_bot_tickets_total{event="opened_gap"} 1`,
		`qa_bot_tickets_total{event="answered"} 1`, `qa_bot_tickets_total{event="reply_delivered"} 1`,
		`qa_bot_ticket_first_answer_seconds_count 1`, `qa_bot_saved_answers_total{event="saved"} 1`,
		`qa_bot_saved_answers_total{event="used"} 1`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// STAFF_CHAT_ID set, but the bot is not in that chat: a clear error at
// start, and the bot runs on without offering the handoff.
func TestStaffChatUnreachable(t *testing.T) {
	e := newStaffEnv(t, handoffCorpus, func(o *bot.Options) { o.StaffChatID = -100404 })
	mustContain(t, "log", e.run.logs.String(), "STAFF_CHAT_ID -100404", "cannot post to the staff chat", "chat not found")
	_, ans := e.askIn(t, askerDM, asker, lostCard)
	mustContain(t, "abstention", ans.Text, "没有找到")
	if len(ans.Buttons) != 0 {
		t.Errorf("handoff offered without a staff chat: %v", buttons(ans))
	}
}
