package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
	"golang.org/x/time/rate"

	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/rag"
)

// What the bot says, in short and warm Chinese.
const (
	textGreeting    = "你好！我是工会的问答助手 🙂"
	textHowToAsk    = "有关工会服务、职工权益的问题，直接用文字问我就行。我会根据资料回答并注明出处，点「原文」能看到原话。"
	textTryExample  = "比如点下面的问题试试："
	textGroupStart  = "大家好！在群里 @我，或用 /ask 加上问题，或者回复我的消息，我就来回答。"
	textGroupHello  = "大家好，我是工会的问答助手！有问题请 @我，或用 /ask 加上问题，比如：/ask 农民工被拖欠工资怎么办？"
	textNonText     = "我现在只能看懂文字问题哦，请把问题用文字发给我吧。"
	textEmptyAsk    = "请把问题写在后面，比如：/ask 送外卖累了哪里能歇脚？"
	textNoText      = "没看到问题的文字，请用一句话说说想了解什么，比如：孩子考上大学，工会有助学金吗？"
	textRateLimit   = "问得有点快啦，请稍后再问。"
	textFailed      = "抱歉，我这会儿没能答上来，请稍后再问一次。"
	textPanic       = "抱歉，我这边出了点问题，请稍后再问一次。"
	textGone        = "这段原文已经不在资料库里了。"
	textThanksUp    = "谢谢反馈！"
	textThanksDown  = "谢谢，我们会把这个问题转给工会的同事。"
	textTooEarly    = "请稍等，答案还在保存中。"
	textThanksOther = "谢谢，已记下您的看法。"
	textNotAsker    = "只有提问的人可以评价这个回答。"
	textGivenUp     = "抱歉，这条消息我没能处理，请换个说法再问一次。"
)

// members serves the union's members: it answers their questions with
// citations and buttons, shows a cited passage (原文 n), takes 👍 / 👎, and
// says hello (/start, /help, a new group).
type members struct {
	out      *replier
	answerer Answerer
	// store keeps the question log (for the buttons and staff reports) and
	// which groups were greeted.
	store   *Store
	metrics *metrics
	log     *slog.Logger
	// timeout bounds one answer.
	timeout time.Duration
	// commands make /help's list of commands.
	commands commandSet
	// handoff offers 转给工会工作人员 under abstentions and after 👎.
	handoff *handoff
}

// start answers /start: a hint in a group; in a private chat a greeting,
// two lines on what the documents are and how current, and example
// questions the documents answer as buttons (tapping one asks it).
func (mb *members) start(ctx context.Context, m *models.Message) {
	if isGroup(m.Chat.Type) {
		mb.out.reply(ctx, m, esc(textGroupStart), nil)
		return
	}
	lines := append([]string{textGreeting}, rag.DescribeCorpus(mb.answerer.Documents())...)
	lines = append(lines, "", textHowToAsk)
	examples := mb.examples(3)
	var kb models.ReplyMarkup
	if b := askButtons(examples); b != nil {
		lines = append(lines, textTryExample)
		kb = b
	}
	mb.out.reply(ctx, m, esc(strings.Join(lines, "\n")), kb)
}

// help answers /help: the documents the answers come from and the
// commands; staff see theirs too, in a private chat.
func (mb *members) help(ctx context.Context, m *models.Message, staff bool) {
	group := isGroup(m.Chat.Type)
	help := renderHelp(mb.answerer.Documents(), group)
	if !group {
		help += "\n\n" + mb.commands.helpSection(false)
		if staff {
			help += "\n\n" + mb.commands.helpSection(true)
		}
	}
	mb.out.reply(ctx, m, help, nil)
}

// greetGroup says hello once per group.
func (mb *members) greetGroup(ctx context.Context, chatID int64) {
	first, err := mb.store.MarkGreeted(chatID)
	if err != nil {
		mb.log.Warn("cannot record group hello", "chat", chatID, "err", err)
	}
	if !first {
		return
	}
	if err := mb.out.send.send(ctx, outMessage{chatID: chatID, group: true, text: esc(textGroupHello)}); err != nil {
		mb.log.Error("message not queued", "chat", chatID, "reason", err)
	}
}

// answer answers a member's question (the rate limit was applied when the
// update was taken). It returns whether the update is done and the question
// to record with it; an update not done (the bot is shutting down
// mid-answer) stays in the inbox and is answered after the restart. The
// answer's messages go to the outbox with the update's Finish.
func (mb *members) answer(ctx context.Context, id int64, m *models.Message, q string) (done bool, rec *QuestionRecord) {
	return mb.answerAs(ctx, id, m, q, false)
}

// answerAs is answer; echo repeats the question above the answer, for a
// question asked by tapping a button rather than typed.
func (mb *members) answerAs(ctx context.Context, id int64, m *models.Message, q string, echo bool) (done bool, rec *QuestionRecord) {
	start := time.Now()
	chatType := string(m.Chat.Type)
	var userID int64
	if m.From != nil {
		userID = m.From.ID
	}

	stopTyping := mb.out.keepTyping(ctx, m.Chat.ID)
	actx, cancel := context.WithTimeout(ctx, mb.timeout)
	ans, err := mb.answerer.Answer(actx, fmt.Sprintf("%d:%d", m.Chat.ID, userID), q)
	cancel()
	stopTyping()

	rec = &QuestionRecord{UpdateID: id, Time: start.UTC(), ChatType: chatType, Question: q, Asker: mb.store.userKey(userID)}
	outcome := outcomeAnswered
	if err != nil && ctx.Err() != nil {
		return false, nil // shutting down: the update stays in the inbox and is answered after restart
	}
	if errors.Is(err, rag.ErrEmptyQuestion) { // only invisible characters
		mb.out.reply(ctx, m, esc(textNoText), nil)
		return true, nil
	}
	if err != nil {
		mb.log.Error("cannot answer", "chat", m.Chat.ID, "err", err)
		mb.out.reply(ctx, m, esc(textFailed), nil)
		rec.Failed = true
		mb.count(chatType, outcomeError, start)
		return true, rec
	}
	if ans.SmallTalk != "" { // never a question of the log, never a gap
		mb.replySmallTalk(ctx, m, ans)
		mb.count(chatType, outcomeSmallTalk, start)
		return true, nil
	}
	rec.Abstained = ans.Abstained
	if ans.Abstained {
		outcome = outcomeAbstained
	} else {
		for _, c := range ans.Citations {
			rec.PassageIDs = append(rec.PassageIDs, c.PassageID)
			rec.Saved = rec.Saved || c.Kind == corpus.KindFAQ
		}
	}
	if rec.Saved {
		mb.metrics.saved.WithLabelValues("used").Inc()
	}
	if ans.Question == "" {
		ans.Question = q
	}
	handoffButton := mb.handoff.offer(m, id, ans)

	header := ""
	if echo {
		header = "❓ " + esc(q) + "\n\n"
	}
	texts := renderAnswer(ans, maxMessageUnits-utf16Len(header))
	if len(texts) == 0 {
		texts = []string{esc(textFailed)}
	}
	texts[0] = header + texts[0]
	group := isGroup(m.Chat.Type)
	for i, t := range texts {
		out := outMessage{chatID: m.Chat.ID, group: group, text: t, question: id}
		if i == 0 && group {
			out.replyTo = m.ID
		}
		if i == len(texts)-1 {
			switch {
			case !ans.Abstained && len(ans.Citations) > 0:
				out.markup = answerButtons(id, len(ans.Citations))
			case len(ans.Suggestions) > 0:
				if b := askButtons(ans.Suggestions); b != nil {
					out.markup = b
				}
			}
		}
		if i == len(texts)-1 && ans.Abstained && handoffButton != nil {
			// the suggested questions, if any, then 转给工会工作人员
			if kb, ok := out.markup.(*models.InlineKeyboardMarkup); ok && kb != nil {
				handoffButton.InlineKeyboard = append(kb.InlineKeyboard, handoffButton.InlineKeyboard...)
			}
			out.markup = handoffButton
		}
		if err := mb.out.send.send(ctx, out); err != nil {
			mb.log.Error("answer not queued", "chat", m.Chat.ID, "reason", err)
		}
	}
	mb.count(chatType, outcome, start)
	return true, rec
}

// count adds a question's outcome and time to the metrics.
func (mb *members) count(chatType, outcome string, start time.Time) {
	mb.metrics.questions.WithLabelValues(chatType, outcome).Inc()
	mb.metrics.latency.WithLabelValues(outcome).Observe(time.Since(start).Seconds())
}

// answerButtons are 原文 1…n (one per citation) and 👍 / 👎; they refer to
// the question by its update ID.
func answerButtons(id int64, n int) *models.InlineKeyboardMarkup {
	var rows [][]models.InlineKeyboardButton
	var row []models.InlineKeyboardButton
	for i := 1; i <= n; i++ {
		row = append(row, models.InlineKeyboardButton{Text: "原文 " + strconv.Itoa(i), CallbackData: passageButton(id, i)})
		if len(row) == 4 {
			rows = append(rows, row)
			row = nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	rows = append(rows, []models.InlineKeyboardButton{
		{Text: "👍", CallbackData: feedbackButton(id, 1)},
		{Text: "👎", CallbackData: feedbackButton(id, -1)},
	})
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// showPassage answers 原文 n: the cited passage in full, as a reply to the
// answer.
func (mb *members) showPassage(ctx context.Context, cq *models.CallbackQuery, c callback) {
	q, ok, err := mb.store.Question(c.Question)
	if err != nil || !ok {
		mb.out.ack(ctx, cq, textTooEarly)
		return
	}
	if c.N > len(q.PassageIDs) {
		mb.out.ack(ctx, cq, textGone)
		return
	}
	p, ok := mb.answerer.Passage(q.PassageIDs[c.N-1])
	if !ok {
		mb.out.ack(ctx, cq, textGone)
		return
	}
	mb.out.ack(ctx, cq, "")
	msg := cq.Message.Message
	if msg == nil {
		return
	}
	for i, t := range renderPassage(p, maxMessageUnits) {
		out := outMessage{chatID: msg.Chat.ID, group: isGroup(msg.Chat.Type), text: t}
		if i == 0 {
			out.replyTo = msg.ID
		}
		if err := mb.out.send.send(ctx, out); err != nil {
			mb.log.Error("passage not queued", "chat", msg.Chat.ID, "reason", err)
			return
		}
	}
}

// feedback stores 👍 / 👎 with the question: the asker's as theirs, another
// group member's as their own view (see Store.SetFeedback).
func (mb *members) feedback(ctx context.Context, cq *models.CallbackQuery, c callback) {
	q, err := mb.store.SetFeedback(c.Question, cq.From.ID, c.N)
	switch {
	case errors.Is(err, ErrNotAsker):
		mb.out.ack(ctx, cq, textNotAsker)
		return
	case err != nil:
		mb.log.Warn("feedback not stored", "err", err)
		mb.out.ack(ctx, cq, textTooEarly)
		return
	}
	switch {
	case q.Asker != mb.store.userKey(cq.From.ID) && q.Asker != "":
		mb.out.ack(ctx, cq, textThanksOther)
	case c.N > 0:
		mb.out.ack(ctx, cq, textThanksUp)
	case mb.handoff.afterDown(ctx, cq, c.Question), mb.handoff.offered():
		// with the handoff, nothing is passed on without the asker's tap
		mb.out.ack(ctx, cq, textThanksDownOffer)
	default:
		mb.out.ack(ctx, cq, textThanksDown)
	}
}

// userLimits is the per-user question rate limit: a burst, then one per
// interval; a limited user is told once until they may ask again.
type userLimits struct {
	every rate.Limit
	burst int

	mu    sync.Mutex
	users map[int64]*userLimit
}

type userLimit struct {
	l        *rate.Limiter
	notified bool
	seen     time.Time
}

func newUserLimits(every rate.Limit, burst int) *userLimits {
	return &userLimits{every: every, burst: burst, users: map[int64]*userLimit{}}
}

// allow reports whether the user may ask now and, if not, whether to tell
// them (only the first time in a row).
func (u *userLimits) allow(user int64, now time.Time) (ok, notify bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	ul, found := u.users[user]
	if !found {
		if len(u.users) > 50000 {
			u.forgetIdle(now)
		}
		ul = &userLimit{l: rate.NewLimiter(u.every, u.burst)}
		u.users[user] = ul
	}
	ul.seen = now
	if ul.l.AllowN(now, 1) {
		ul.notified = false
		return true, false
	}
	if ul.notified {
		return false, false
	}
	ul.notified = true
	return false, true
}

// forgetIdle drops users whose bucket has refilled (they are back to a
// fresh limiter anyway).
func (u *userLimits) forgetIdle(now time.Time) {
	full := time.Duration(float64(u.burst) / float64(u.every) * float64(time.Second))
	for id, ul := range u.users {
		if now.Sub(ul.seen) > full {
			delete(u.users, id)
		}
	}
}
