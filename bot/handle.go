package bot

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
	"golang.org/x/time/rate"

	"github.com/gonghui/qa/rag"
)

// What the bot says, in short and warm Chinese.
const (
	textGreeting = "你好！我是工会的问答助手 🙂\n" +
		"有关工会服务、职工权益的问题，直接用文字问我就行。我会根据工会的资料回答，并注明出处，点「原文」能看到原话。\n\n" +
		"比如可以这样问："
	textGroupStart = "大家好！在群里 @我，或用 /ask 加上问题，或者回复我的消息，我就来回答。"
	textGroupHello = "大家好，我是工会的问答助手！有问题请 @我，或用 /ask 加上问题，比如：/ask 农民工被拖欠工资怎么办？"
	textNonText    = "我现在只能看懂文字问题哦，请把问题用文字发给我吧。"
	textEmptyAsk   = "请把问题写在后面，比如：/ask 送外卖累了哪里能歇脚？"
	textNoText     = "没看到问题的文字，请用一句话说说想了解什么，比如：孩子考上大学，工会有助学金吗？"
	textRateLimit  = "问得有点快啦，请稍后再问。"
	textFailed     = "抱歉，我这会儿没能答上来，请稍后再问一次。"
	textPanic      = "抱歉，我这边出了点问题，请稍后再问一次。"
	textGone       = "这段原文已经不在资料库里了。"
	textThanksUp   = "谢谢反馈！"
	textThanksDown = "谢谢，我们会把这个问题转给工会的同事。"
	textTooEarly   = "请稍等，答案还在保存中。"
)

// exampleQuestions are shown by /start.
var exampleQuestions = []string{
	"孩子考上大学，工会有助学金吗？",
	"送外卖累了哪里能歇脚？",
	"农民工被拖欠工资怎么办？",
}

// handle runs one update. A panic is recovered: the member gets an apology,
// the stack is logged and the update is marked done so it is not retried
// forever.
func (r *runner) handle(j job) {
	defer r.metrics.inflight.Dec()
	u, ok := r.decode(j.update.Raw)
	if !ok {
		r.finish(j.update.ID, nil)
		return
	}
	defer func() {
		if p := recover(); p != nil {
			r.metrics.panics.Inc()
			r.log.Error("handler panicked", "update_id", j.update.ID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if chat := chatKey(u); chat != 0 {
				if _, err := r.send.send(r.hctx, outMessage{chatID: chat, text: esc(textPanic)}); err != nil {
					r.log.Warn("cannot send apology", "chat", chat, "err", err)
				}
			}
			r.finish(j.update.ID, nil)
		}
	}()
	ctx := r.hctx
	switch {
	case u.Message != nil:
		r.onMessage(ctx, j.update.ID, u.Message)
	case u.CallbackQuery != nil:
		r.onCallback(ctx, u.CallbackQuery)
		r.finish(j.update.ID, nil)
	case u.MyChatMember != nil:
		if joinedGroup(u.MyChatMember) {
			r.greetGroup(ctx, u.MyChatMember.Chat.ID)
		}
		r.finish(j.update.ID, nil)
	default:
		r.finish(j.update.ID, nil)
	}
}

func (r *runner) finish(id int64, q *QuestionRecord) {
	if err := r.store.Finish(id, q); err != nil {
		r.log.Error("cannot mark update answered", "update_id", id, "err", err)
	}
}

// reply sends HTML text to the message's chat; failures are logged with
// the chat and reason.
func (r *runner) reply(ctx context.Context, m *models.Message, html string, markup models.ReplyMarkup) {
	out := outMessage{chatID: m.Chat.ID, group: isGroup(m.Chat.Type), text: html, markup: markup}
	if out.group {
		out.replyTo = m.ID
	}
	if _, err := r.send.send(ctx, out); err != nil {
		r.log.Error("message not sent", "chat", m.Chat.ID, "reason", err)
	}
}

func (r *runner) onMessage(ctx context.Context, id int64, m *models.Message) {
	it, q := classify(m, r.me)
	group := isGroup(m.Chat.Type)
	switch it {
	case intentQuestion:
		r.answer(ctx, id, m, q)
		return
	case intentUpload:
		r.onUpload(ctx, m)
	case intentStaff:
		r.onStaff(ctx, m, q)
	case intentStart:
		if group {
			r.reply(ctx, m, esc(textGroupStart), nil)
		} else {
			if r.isStaff(m.From) {
				r.setStaffCommands(ctx, m.From.ID) // refused before the admin's first /start
			}
			kb := &models.ReplyKeyboardMarkup{ResizeKeyboard: true, OneTimeKeyboard: true}
			for _, q := range exampleQuestions {
				kb.Keyboard = append(kb.Keyboard, []models.KeyboardButton{{Text: q}})
			}
			r.reply(ctx, m, esc(textGreeting), kb)
		}
	case intentHelp:
		help := renderHelp(r.a.Documents(), group)
		if !group && r.isStaff(m.From) {
			help += textStaffHelp
		}
		r.reply(ctx, m, help, nil)
	case intentEmptyAsk:
		r.reply(ctx, m, esc(textEmptyAsk), nil)
	case intentNonText:
		r.reply(ctx, m, esc(textNonText), nil)
	case intentJoined:
		r.greetGroup(ctx, m.Chat.ID)
	case intentMigrated:
		if err := r.store.SetMigrated(m.Chat.ID, m.MigrateToChatID); err != nil {
			r.log.Warn("cannot record group migration", "chat", m.Chat.ID, "err", err)
		}
	}
	r.finish(id, nil)
}

// greetGroup says hello once per group.
func (r *runner) greetGroup(ctx context.Context, chatID int64) {
	first, err := r.store.MarkGreeted(chatID)
	if err != nil {
		r.log.Warn("cannot record group hello", "chat", chatID, "err", err)
	}
	if !first {
		return
	}
	if _, err := r.send.send(ctx, outMessage{chatID: chatID, group: true, text: esc(textGroupHello)}); err != nil {
		r.log.Error("message not sent", "chat", chatID, "reason", err)
	}
}

// answer answers a member's question and records it.
func (r *runner) answer(ctx context.Context, id int64, m *models.Message, q string) {
	start := time.Now()
	chatType := string(m.Chat.Type)
	var userID int64
	if m.From != nil {
		userID = m.From.ID
	}
	if ok, notify := r.limits.allow(userID, start); !ok {
		r.metrics.questions.WithLabelValues(chatType, outcomeRateLimited).Inc()
		if notify {
			r.reply(ctx, m, esc(textRateLimit), nil)
		}
		r.finish(id, nil)
		return
	}

	stopTyping := r.keepTyping(ctx, m.Chat.ID)
	actx, cancel := context.WithTimeout(ctx, r.opts.AnswerTimeout)
	ans, err := r.a.Answer(actx, fmt.Sprintf("%d:%d", m.Chat.ID, userID), q)
	cancel()
	stopTyping()

	rec := &QuestionRecord{UpdateID: id, Time: start.UTC(), ChatType: chatType, Question: q}
	outcome := outcomeAnswered
	if err != nil && r.hctx.Err() != nil {
		return // shutting down: the update stays in the inbox and is answered after restart
	}
	if errors.Is(err, rag.ErrEmptyQuestion) { // only invisible characters
		r.reply(ctx, m, esc(textNoText), nil)
		r.finish(id, nil)
		return
	}
	if err != nil {
		r.log.Error("cannot answer", "chat", m.Chat.ID, "err", err)
		r.reply(ctx, m, esc(textFailed), nil)
		rec.Failed = true
		r.finish(id, rec)
		r.metrics.questions.WithLabelValues(chatType, outcomeError).Inc()
		r.metrics.latency.WithLabelValues(outcomeError).Observe(time.Since(start).Seconds())
		return
	}
	rec.Abstained = ans.Abstained
	if ans.Abstained {
		outcome = outcomeAbstained
	} else {
		for _, c := range ans.Citations {
			rec.PassageIDs = append(rec.PassageIDs, c.PassageID)
		}
	}

	texts := renderAnswer(ans, maxMessageUnits)
	if len(texts) == 0 {
		texts = []string{esc(textFailed)}
	}
	group := isGroup(m.Chat.Type)
	for i, t := range texts {
		out := outMessage{chatID: m.Chat.ID, group: group, text: t}
		if i == 0 && group {
			out.replyTo = m.ID
		}
		if i == len(texts)-1 && !ans.Abstained && len(ans.Citations) > 0 {
			out.markup = answerButtons(id, len(ans.Citations))
		}
		if _, err := r.send.send(ctx, out); err != nil {
			if r.hctx.Err() != nil && i == 0 {
				return // shutting down before anything was sent: answer after restart
			}
			r.log.Error("answer not sent", "chat", m.Chat.ID, "reason", err)
			rec.Failed = true
			outcome = outcomeError
			break
		}
	}
	r.finish(id, rec)
	r.metrics.questions.WithLabelValues(chatType, outcome).Inc()
	r.metrics.latency.WithLabelValues(outcome).Observe(time.Since(start).Seconds())
}

// keepTyping shows the typing indicator once the answer has taken longer
// than TypingDelay (at once when it is negative), then every 4 s until
// stopped. A quick answer needs no indicator and saves a call. stop waits for
// an indicator in flight so that it cannot arrive after the answer.
func (r *runner) keepTyping(ctx context.Context, chatID int64) (stop func()) {
	quit := make(chan struct{})
	settled := make(chan struct{}) // the first indicator is sent, or never will be
	go func() {
		if d := r.opts.TypingDelay; d > 0 {
			t := time.NewTimer(d)
			select {
			case <-quit:
				t.Stop()
				close(settled)
				return
			case <-t.C:
			}
		}
		r.send.typing(ctx, chatID)
		close(settled)
		t := time.NewTicker(4 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				r.send.typing(ctx, chatID)
			}
		}
	}()
	return func() {
		close(quit)
		<-settled
	}
}

// answerButtons are 原文 1…n (one per citation) and 👍 / 👎. Callback data
// refers to the question by its update ID: p:<id>:<n> and f:<id>:<±1>.
func answerButtons(id int64, n int) *models.InlineKeyboardMarkup {
	var rows [][]models.InlineKeyboardButton
	var row []models.InlineKeyboardButton
	for i := 1; i <= n; i++ {
		row = append(row, models.InlineKeyboardButton{Text: "原文 " + strconv.Itoa(i), CallbackData: fmt.Sprintf("p:%d:%d", id, i)})
		if len(row) == 4 {
			rows = append(rows, row)
			row = nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	rows = append(rows, []models.InlineKeyboardButton{
		{Text: "👍", CallbackData: fmt.Sprintf("f:%d:1", id)},
		{Text: "👎", CallbackData: fmt.Sprintf("f:%d:-1", id)},
	})
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// onCallback handles 原文 n and 👍 / 👎 presses.
func (r *runner) onCallback(ctx context.Context, cq *models.CallbackQuery) {
	kind, rest, _ := strings.Cut(cq.Data, ":")
	if kind == "u" || kind == "r" {
		r.onStaffCallback(ctx, cq, kind, rest)
		return
	}
	idText, arg, _ := strings.Cut(rest, ":")
	id, err1 := strconv.ParseInt(idText, 10, 64)
	n, err2 := strconv.Atoi(arg)
	if err1 != nil || err2 != nil {
		r.send.answerCallback(ctx, cq.ID, "")
		return
	}
	switch kind {
	case "p":
		q, ok, err := r.store.Question(id)
		if err != nil || !ok {
			r.send.answerCallback(ctx, cq.ID, textTooEarly)
			return
		}
		if n < 1 || n > len(q.PassageIDs) {
			r.send.answerCallback(ctx, cq.ID, textGone)
			return
		}
		c, ok := r.a.Passage(q.PassageIDs[n-1])
		if !ok {
			r.send.answerCallback(ctx, cq.ID, textGone)
			return
		}
		r.send.answerCallback(ctx, cq.ID, "")
		msg := cq.Message.Message
		if msg == nil {
			return
		}
		for i, t := range renderPassage(c, maxMessageUnits) {
			out := outMessage{chatID: msg.Chat.ID, group: isGroup(msg.Chat.Type), text: t}
			if i == 0 {
				out.replyTo = msg.ID
			}
			if _, err := r.send.send(ctx, out); err != nil {
				r.log.Error("passage not sent", "chat", msg.Chat.ID, "reason", err)
				return
			}
		}
	case "f":
		vote := 1
		if n < 0 {
			vote = -1
		}
		if _, err := r.store.SetFeedback(id, vote); err != nil {
			r.log.Warn("feedback not stored", "err", err)
			r.send.answerCallback(ctx, cq.ID, textTooEarly)
			return
		}
		if vote > 0 {
			r.send.answerCallback(ctx, cq.ID, textThanksUp)
		} else {
			r.send.answerCallback(ctx, cq.ID, textThanksDown)
		}
	default:
		r.send.answerCallback(ctx, cq.ID, "")
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
