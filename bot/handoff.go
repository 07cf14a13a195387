package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/gonghui/qa/corpus"
	"github.com/gonghui/qa/corpus/library"
	"github.com/gonghui/qa/rag"
)

// The handoff: when the documents do not answer (or a member presses 👎),
// the member may hand the question to union staff with one tap. The
// question becomes a ticket, posted to the staff chat (STAFF_CHAT_ID); a
// staff member answers by replying to it, and the reply is relayed to the
// member in the chat where they asked, marked 工会工作人员答复, with the
// delivery reported back to staff. Under that report 存为问答 saves the
// question and the answer as a Q&A entry in the corpus, which answers the
// next member who asks the same in other words. Staff can also answer a
// /gaps group directly (/answer N), with no member waiting. Tickets live in
// the bot's store, so every step survives a restart.

// What the bot says to members about the handoff.
const (
	textHandoffButton   = "转给工会工作人员"
	textHandoffOffer    = "需要的话，可以把这个问题转给工会工作人员，他们会在这里答复您。"
	textHandoffOff      = "现在没有开通转人工服务。急事请联系您所在单位的工会，或拨打 12351 职工服务热线。"
	textHandoffExpired  = "这个问题时间太久了，请重新问一次，再点「转给工会工作人员」。"
	textHandoffNotYours = "只有提问的人可以转给工作人员哦。"
	textHandoffFailed   = "抱歉，暂时没能转给工作人员，请稍后再点一次。急事请拨打 12351 职工服务热线。"
	textHandoffLimit    = "今天已经转交了 %d 个问题，工作人员会尽快答复。其他问题明天可以再转；急事请拨打 12351 职工服务热线，或问问您所在单位的工会。"
	textHandoffAlready  = "已经转给工作人员了（工单 #%d），请耐心等待答复。"
	textHandedOver      = "好的，已经转给工会工作人员（工单 #%d）🙂\n他们看到后会在这里答复您，请留意消息。"
	textThanksDownOffer = "谢谢反馈！"
)

// What the bot says to staff about tickets.
const (
	textTicketGone     = "这个工单已经过期（超过保存期限）或不存在，这条答复没有转发。"
	textTicketTextOnly = "目前只能转发文字答复，请用文字回复工单。"
	textTicketNoOpen   = "现在没有未处理的工单 👍"
	textCloseUsage     = "请写上工单号，比如：/close 12。未处理的工单可以用 /tickets 查看。"
	textAnswerUsage    = "请先发 /gaps 看看没答上的问题，再发 /answer 编号，比如：/answer 1。"
	textSavedAlready   = "这条答复已经存为问答了。"
	textNoStaffChat    = "没有设置工作人员群（STAFF_CHAT_ID），会员不能转人工；/gaps 里的问题仍可以用 /answer 直接答复。"
)

// Callback origins of the handoff button (callback.N).
const (
	handoffUnderAbstention = 0
	handoffAfterDown       = 1
)

// answerShelf is what the handoff needs of the library: saving a Q&A entry.
type answerShelf interface {
	SaveAnswer(a library.Answer, by string) (corpus.Document, bool, error)
}

// savedLookup finds the saved answer a question would be given, for /gaps;
// *rag.Engine is one.
type savedLookup interface {
	SavedAnswer(question string) (rag.Citation, bool)
}

// handoff is the desk for tickets: offers under answers, the member's tap,
// staff replies relayed and reported, closing, listing, and saving answers.
type handoff struct {
	out   *replier
	store *Store
	staff *staffGate
	me    identity
	// commands run in the staff chat (those marked staffChat).
	commands commandSet
	// staffChat is STAFF_CHAT_ID, 0 when there is none.
	staffChat int64
	perDay    int
	tz        *time.Location
	lib       answerShelf   // nil without a CORPUS_DIR
	corpus    corpusWatcher // with lib
	saved     savedLookup   // nil when the answerer has no saved answers
	metrics   *metrics
	log       *slog.Logger
	// open is set once the staff chat is known to take the bot's
	// messages: only then are members offered the handoff.
	open atomic.Bool

	mu   sync.Mutex
	gaps map[int64][]gapGroup // each staff member's last /gaps, for /answer N
}

// isStaffChat reports whether chatID is the staff chat (or the supergroup
// it became).
func (h *handoff) isStaffChat(chatID int64) bool {
	return h.staffChat != 0 && (chatID == h.staffChat || chatID == h.store.MigratedTo(h.staffChat))
}

// check makes sure at start that the bot can post to the staff chat: the
// chat exists, the bot is in it and may send messages. Only then are
// members offered the handoff; otherwise the error says what to fix, and
// the bot runs without it.
func (h *handoff) check(ctx context.Context) error {
	if h.staffChat == 0 {
		return nil
	}
	send := h.out.send
	var chat *models.ChatFullInfo
	err := send.call(ctx, "getChat", 0, false, func(ctx context.Context, _ int64) error {
		var err error
		chat, err = send.b.GetChat(ctx, &tg.GetChatParams{ChatID: h.staffChat})
		return err
	})
	if err == nil && chat.Type != models.ChatTypePrivate {
		var member *models.ChatMember
		err = send.call(ctx, "getChatMember", 0, false, func(ctx context.Context, _ int64) error {
			var err error
			member, err = send.b.GetChatMember(ctx, &tg.GetChatMemberParams{ChatID: h.staffChat, UserID: h.me.ID})
			return err
		})
		if err == nil {
			switch {
			case member.Type == models.ChatMemberTypeLeft || member.Type == models.ChatMemberTypeBanned:
				err = fmt.Errorf("the bot is not a member of %q", chat.Title)
			case member.Type == models.ChatMemberTypeRestricted && !member.Restricted.CanSendMessages:
				err = fmt.Errorf("the bot may not send messages in %q", chat.Title)
			}
		}
	}
	if err != nil {
		return fmt.Errorf("STAFF_CHAT_ID %d: the bot cannot post to the staff chat (%w): add the bot to the staff group and let it send messages, then restart; until then members are not offered %s", h.staffChat, err, textHandoffButton)
	}
	h.open.Store(true)
	h.log.Info("questions can be handed to staff", "staff_chat", h.staffChat, "title", chat.Title)
	return nil
}

// offered reports whether members are offered the handoff.
func (h *handoff) offered() bool { return h != nil && h.open.Load() }

// offer records, for an answer about to be sent, what a tap of
// 转给工会工作人员 would hand over, and returns the button for an
// abstention (nil for an answer, which gets it after 👎, and when the
// handoff is off).
func (h *handoff) offer(m *models.Message, updateID int64, ans rag.Answer) *models.InlineKeyboardMarkup {
	if h == nil || !h.open.Load() || m.From == nil || m.From.IsBot {
		return nil
	}
	o := handoffOffer{
		Time: time.Now().UTC(), Question: ans.Question, Standalone: ans.Standalone,
		ChatID: m.Chat.ID, ChatType: string(m.Chat.Type), ChatTitle: m.Chat.Title, MessageID: m.ID,
		UserID: m.From.ID, FirstName: m.From.FirstName, Abstained: ans.Abstained,
	}
	if err := h.store.SetOffer(updateID, o); err != nil {
		h.log.Warn("handoff offer not recorded; the member cannot hand this question over", "err", err)
		return nil
	}
	if !ans.Abstained {
		return nil
	}
	return handoffMarkup(updateID, handoffUnderAbstention)
}

func handoffMarkup(updateID int64, origin int) *models.InlineKeyboardMarkup {
	return &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{
		{Text: textHandoffButton, CallbackData: handoffButton(updateID, origin)},
	}}}
}

// afterDown offers the handoff under an answer its asker pressed 👎 on,
// once; it reports whether it did.
func (h *handoff) afterDown(ctx context.Context, cq *models.CallbackQuery, updateID int64) bool {
	if h == nil || !h.open.Load() || cq.Message.Message == nil {
		return false
	}
	o, ok, err := h.store.Offer(updateID)
	if err != nil || !ok || o.UserID != cq.From.ID {
		return false
	}
	if first, err := h.store.MarkDownOffered(updateID); err != nil || !first {
		return false
	}
	msg := cq.Message.Message
	out := outMessage{chatID: msg.Chat.ID, group: isGroup(msg.Chat.Type), text: esc(textHandoffOffer),
		replyTo: msg.ID, markup: handoffMarkup(updateID, handoffAfterDown)}
	if _, err := h.out.send.sendNow(ctx, out); err != nil {
		h.log.Error("handoff offer not sent", "chat", msg.Chat.ID, "reason", err)
		return false
	}
	return true
}

// tap hands a question over: a ticket is opened and posted to the staff
// chat, and the member is told its number. Only the asker's tap counts; a
// tap again (or after a restart) finds the same ticket.
func (h *handoff) tap(ctx context.Context, cq *models.CallbackQuery, c callback) {
	if !h.open.Load() {
		h.out.ack(ctx, cq, textHandoffOff)
		return
	}
	o, ok, err := h.store.Offer(c.Question)
	switch {
	case err != nil:
		h.log.Error("cannot read handoff offer", "err", err)
		h.out.ack(ctx, cq, textHandoffFailed)
		return
	case !ok:
		h.out.ack(ctx, cq, textHandoffExpired)
		return
	case o.UserID != cq.From.ID:
		h.out.ack(ctx, cq, textHandoffNotYours)
		return
	}
	origin := originAbstained
	if c.N == handoffAfterDown {
		origin = originDisliked
	}
	now := time.Now()
	t, existing, err := h.store.OpenTicket(Ticket{
		Opened: now.UTC(), Origin: origin, Question: o.Question, Standalone: o.Standalone, QuestionID: c.Question,
		ChatID: o.ChatID, ChatType: o.ChatType, ChatTitle: o.ChatTitle, MessageID: o.MessageID,
		UserID: o.UserID, FirstName: o.FirstName,
	}, h.perDay, dayStart(now, h.tz))
	member := outMessage{chatID: o.ChatID, group: isGroup(models.ChatType(o.ChatType)), replyTo: o.MessageID}
	switch {
	case errors.Is(err, ErrHandoffLimit):
		h.metrics.tickets.WithLabelValues("limited").Inc()
		h.out.ack(ctx, cq, "")
		member.text = esc(fmt.Sprintf(textHandoffLimit, h.perDay))
		h.sendLogged(ctx, member, "handoff limit note")
		return
	case err != nil:
		h.log.Error("cannot open ticket", "err", err)
		h.out.ack(ctx, cq, textHandoffFailed)
		return
	case existing && t.PostedMsg != 0:
		h.out.ack(ctx, cq, fmt.Sprintf(textHandoffAlready, t.No))
		return
	}
	if t, err = h.post(ctx, t); err != nil {
		h.log.Error("ticket not posted to the staff chat", "ticket", t.No, "reason", err)
		if derr := h.store.DeleteTicket(t.No); derr != nil {
			h.log.Error("cannot forget the ticket that was not posted", "ticket", t.No, "err", derr)
		}
		h.out.ack(ctx, cq, textHandoffFailed)
		return
	}
	h.out.ack(ctx, cq, "")
	h.out.send.dropButtons(ctx, cq.Message.Message)
	h.metrics.tickets.WithLabelValues("opened").Inc()
	h.log.Info("question handed to staff", "ticket", t.No, "origin", origin, "chat_type", o.ChatType)
	member.text = esc(fmt.Sprintf(textHandedOver, t.No))
	h.sendLogged(ctx, member, "handoff confirmation")
}

// dayStart is the start of now's day in loc: the daily limit counts from it.
func dayStart(now time.Time, loc *time.Location) time.Time {
	n := now.In(loc)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)
}

// post sends a member's ticket to the staff chat and records where.
func (h *handoff) post(ctx context.Context, t Ticket) (Ticket, error) {
	id, err := h.out.send.sendNow(ctx, outMessage{
		chatID: h.staffChat, group: true, text: renderTicket(t, h.tz),
		markup: h.ticketButtons(t.No, 0),
	})
	if err != nil {
		return t, err
	}
	return h.posted(t, h.staffChat, id)
}

// posted records the ticket's message to staff.
func (h *handoff) posted(t Ticket, chat int64, msgID int) (Ticket, error) {
	if to := h.store.MigratedTo(chat); to != 0 {
		chat = to
	}
	if err := h.store.MapTicketMessage(chat, msgID, t.No); err != nil {
		return t, err
	}
	return h.store.UpdateTicket(t.No, func(t *Ticket) error {
		t.PostedChat, t.PostedMsg = chat, msgID
		return nil
	})
}

// ticketButtons are the staff's buttons: 存为问答 under a reply (reply n,
// from 1; 0 for none, and never without a CORPUS_DIR) and 关闭工单.
func (h *handoff) ticketButtons(no int64, reply int) *models.InlineKeyboardMarkup {
	var row []models.InlineKeyboardButton
	if reply > 0 && h.lib != nil {
		row = append(row, models.InlineKeyboardButton{Text: "存为问答", CallbackData: saveButton(no, reply)})
	}
	row = append(row, models.InlineKeyboardButton{Text: "关闭工单", CallbackData: closeButton(no, true)})
	return &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{row}}
}

// renderTicket is a ticket as staff see it: its number, the question (and
// how it was understood, for a follow-up), where it was asked, the
// member's first name and the time — never their user ID, username or
// phone number.
func renderTicket(t Ticket, loc *time.Location) string {
	var b strings.Builder
	why := "资料里没有答案"
	if t.Origin == originDisliked {
		why = "会员对回答点了 👎"
	}
	fmt.Fprintf(&b, "🙋 <b>工单 #%d</b>（%s）\n<b>问：</b>%s\n", t.No, why, esc(t.Question))
	if prev, ok := strings.CutSuffix(t.Standalone, " "+t.Question); ok && prev != "" {
		fmt.Fprintf(&b, "<i>接着上一个问题：%s</i>\n", esc(prev))
	} else if t.Standalone != "" {
		fmt.Fprintf(&b, "<i>理解为：%s</i>\n", esc(t.Standalone))
	}
	where := "私聊"
	if isGroup(models.ChatType(t.ChatType)) {
		where = "群「" + t.ChatTitle + "」"
	}
	name := cmp.Or(t.FirstName, "会员")
	fmt.Fprintf(&b, "来自：%s · %s · %s\n\n", esc(where), esc(name), t.Opened.In(loc).Format("01-02 15:04"))
	b.WriteString("直接<b>回复这条消息</b>，答复就会转给会员。")
	return b.String()
}

// takes reports whether a message is for the ticket desk: anything in the
// staff chat (only staff are listened to there), and a staff member's
// reply in their private chat to the bot's message about a ticket.
func (h *handoff) takes(m *models.Message) bool {
	if h == nil || m == nil {
		return false
	}
	if h.isStaffChat(m.Chat.ID) {
		return true
	}
	rt := m.ReplyToMessage
	if m.Chat.Type != models.ChatTypePrivate || !h.staff.is(m.From) || rt == nil || rt.From == nil || rt.From.ID != h.me.ID {
		return false
	}
	no, _ := h.store.TicketOf(m.Chat.ID, rt.ID)
	return no != 0
}

// wants reports whether a message in the staff chat is kept in the inbox:
// staff replies to the bot's messages and staff commands. Everything else
// said there is neither stored nor answered.
func (h *handoff) wants(m *models.Message) bool {
	if !h.staff.is(m.From) {
		return false
	}
	if rt := m.ReplyToMessage; rt != nil && rt.From != nil && rt.From.ID == h.me.ID {
		return true
	}
	name, _, ok := h.staffChatCommand(m)
	return ok && name != ""
}

// staffChatCommand reads a command of the table meant for the staff chat
// (/tickets, /close 12), addressed to the bot or bare.
func (h *handoff) staffChatCommand(m *models.Message) (name, arg string, ok bool) {
	// Read as in a private chat: there a bare command is for this bot.
	pm := *m
	pm.Chat.Type = models.ChatTypePrivate
	if it, text := classify(&pm, h.me, h.commands); it == intentCommand && strings.HasPrefix(m.Text, "/") {
		name, arg, _ = strings.Cut(text, " ")
		if c, found := h.commands.find(name); found && c.staffChat {
			return name, strings.TrimSpace(arg), true
		}
	}
	return "", "", false
}

// fromStaff handles a message the ticket desk takes (see takes): a staff
// reply to a ticket, or a staff command in the staff chat.
func (r *router) fromStaff(ctx context.Context, m *models.Message) {
	h := r.handoff
	if !h.staff.is(m.From) {
		return // the staff chat is for staff; the bot listens to no one else there
	}
	if name, arg, ok := h.staffChatCommand(m); ok {
		c, _ := r.commands.find(name)
		c.run(r, ctx, m, arg)
		return
	}
	rt := m.ReplyToMessage
	if rt == nil || rt.From == nil || rt.From.ID != h.me.ID {
		return
	}
	no, err := h.store.TicketOf(m.Chat.ID, rt.ID)
	if err != nil {
		h.log.Error("cannot look up the ticket replied to", "err", err)
		r.out.reply(ctx, m, esc(textFailed), nil)
		return
	}
	if no == 0 {
		r.out.reply(ctx, m, esc(textTicketGone), nil)
		return
	}
	h.reply(ctx, m, no)
}

// staffReply sends text as a reply to a staff member's message (in the
// staff chat or their private chat) and returns the sent message's ID.
func (h *handoff) staffReply(ctx context.Context, m *models.Message, text string, markup models.ReplyMarkup) int {
	id, err := h.out.send.sendNow(ctx, outMessage{chatID: m.Chat.ID, group: isGroup(m.Chat.Type), text: text, replyTo: m.ID, markup: markup})
	if err != nil {
		h.log.Error("message to staff not sent", "chat", m.Chat.ID, "reason", err)
	}
	return id
}

func (h *handoff) sendLogged(ctx context.Context, m outMessage, what string) {
	if _, err := h.out.send.sendNow(ctx, m); err != nil {
		h.log.Error(what+" not sent", "chat", m.chatID, "reason", err)
	}
}

// reply takes a staff member's reply to ticket no: it is recorded, relayed
// to the member (a gap ticket has none) and reported under the reply. The
// same message handled again after a crash is not relayed twice.
func (h *handoff) reply(ctx context.Context, m *models.Message, no int64) {
	text := strings.TrimSpace(m.Text)
	t, err := h.store.Ticket(no)
	switch {
	case errors.Is(err, ErrNoTicket):
		h.staffReply(ctx, m, esc(textTicketGone), nil)
		return
	case err != nil:
		h.log.Error("cannot read ticket", "ticket", no, "err", err)
		h.staffReply(ctx, m, esc(textFailed), nil)
		return
	case t.closed():
		h.staffReply(ctx, m, esc(fmt.Sprintf("工单 #%d 已经关闭，这条答复没有转发给会员。需要的话可以重新打开。", no)),
			&models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "重新打开", CallbackData: closeButton(no, false)}}}})
		return
	case text == "":
		h.staffReply(ctx, m, esc(textTicketTextOnly), nil)
		return
	}
	n := 0 // the reply's number, from 1
	t, err = h.store.UpdateTicket(no, func(t *Ticket) error {
		for i, r := range t.Replies {
			if r.StaffChat == m.Chat.ID && r.StaffMsg == m.ID {
				n = i + 1
				return nil
			}
		}
		t.Replies = append(t.Replies, TicketReply{StaffChat: m.Chat.ID, StaffMsg: m.ID, By: actor(m.From), ByName: m.From.FirstName, Text: text, Time: time.Now().UTC()})
		n = len(t.Replies)
		return nil
	})
	if err != nil {
		h.log.Error("staff reply not recorded", "ticket", no, "err", err)
		h.staffReply(ctx, m, esc(textFailed), nil)
		return
	}
	rep := t.Replies[n-1]
	if rep.Outcome == "" {
		outcome := outcomeNoMember
		if t.Origin != originGap {
			outcome = h.relay(ctx, t, text)
		}
		_, answeredBefore := t.answered()
		firstAnswer := !answeredBefore && outcome == outcomeDelivered
		t, err = h.store.UpdateTicket(no, func(t *Ticket) error {
			t.Replies[n-1].Outcome = outcome
			if outcome == outcomeDelivered {
				t.Replies[n-1].Delivered = time.Now().UTC()
			}
			return nil
		})
		if err != nil {
			h.log.Error("relay outcome not recorded", "ticket", no, "err", err)
		}
		h.metrics.tickets.WithLabelValues("reply_" + outcome).Inc()
		if firstAnswer {
			h.metrics.tickets.WithLabelValues("answered").Inc()
			h.metrics.firstAnswer.Observe(time.Since(t.Opened).Seconds())
		}
		h.log.Info("staff reply", "ticket", no, "reply", n, "outcome", outcome)
		rep = t.Replies[n-1]
	}
	if rep.ReportMsg != 0 {
		return // reported before a crash
	}
	id := h.staffReply(ctx, m, renderOutcome(t, rep), h.ticketButtons(no, n))
	if id == 0 {
		return
	}
	if err := h.store.MapTicketMessage(m.Chat.ID, id, no); err != nil {
		h.log.Warn("report not linked to its ticket", "err", err)
	}
	if _, err := h.store.UpdateTicket(no, func(t *Ticket) error { t.Replies[n-1].ReportMsg = id; return nil }); err != nil {
		h.log.Warn("report not recorded", "ticket", no, "err", err)
	}
}

// relay sends a staff reply to the member, in the chat where they asked (a
// reply to their question), and says how it went.
func (h *handoff) relay(ctx context.Context, t Ticket, text string) string {
	segs := []string{fmt.Sprintf("💬 <b>工会工作人员答复</b>（工单 #%d）\n", t.No)}
	for _, s := range sentences(text) {
		segs = append(segs, esc(s))
	}
	segs = append(segs, "\n\n<i>您的问题："+esc(shorten(t.Question, 60))+"</i>")
	group := isGroup(models.ChatType(t.ChatType))
	for i, part := range pack(segs, maxMessageUnits) {
		out := outMessage{chatID: t.ChatID, group: group, text: part}
		if i == 0 {
			out.replyTo = t.MessageID
		}
		if _, err := h.out.send.sendNow(ctx, out); err != nil {
			h.log.Warn("staff answer not delivered", "ticket", t.No, "reason", err)
			return undelivered(err, group)
		}
	}
	return outcomeDelivered
}

// undelivered names why a message to a member failed: they blocked the
// bot, the group is gone (or the bot left it), or Telegram kept failing.
func undelivered(err error, group bool) string {
	desc := strings.ToLower(err.Error())
	switch classifyErr(err) {
	case kindForbidden:
		if group {
			return outcomeGone
		}
		return outcomeBlocked
	case kindBadRequest:
		if strings.Contains(desc, "chat not found") || strings.Contains(desc, "deactivated") || strings.Contains(desc, "peer_id_invalid") {
			return outcomeGone
		}
	}
	return outcomeFailed
}

// renderOutcome is the report under a staff reply.
func renderOutcome(t Ticket, r TicketReply) string {
	who := esc(cmp.Or(t.FirstName, "会员"))
	switch r.Outcome {
	case outcomeDelivered:
		return fmt.Sprintf("✅ 已送达%s（工单 #%d）。可以继续回复，或点「存为问答」以后直接回答同样的问题。", who, t.No)
	case outcomeBlocked:
		return fmt.Sprintf("⚠️ 没能送达（工单 #%d）：%s已经屏蔽了机器人，收不到消息。", t.No, who)
	case outcomeGone:
		return fmt.Sprintf("⚠️ 没能送达（工单 #%d）：群「%s」已经解散，或机器人已被移出群。", t.No, esc(t.ChatTitle))
	case outcomeNoMember:
		return fmt.Sprintf("📝 已记下对工单 #%d 的答复。这个问题没有会员在等；点「存为问答」就存入资料库，以后会员问到会直接得到这个答复。", t.No)
	}
	return fmt.Sprintf("⚠️ 暂时没能送达（工单 #%d）：Telegram 出错了，请稍后再回复一次。", t.No)
}

// shorten cuts s to n characters, with an ellipsis.
func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// decideClose handles 关闭工单 and 重新打开; the caller checked that staff
// pressed it.
func (h *handoff) decideClose(ctx context.Context, cq *models.CallbackQuery, c callback) {
	h.out.ack(ctx, cq, "")
	h.setClosed(ctx, cq.Message.Message, &cq.From, c.Ticket, c.OK)
}

// setClosed closes ticket no (or reopens it) and says so under msg.
func (h *handoff) setClosed(ctx context.Context, msg *models.Message, by *models.User, no int64, closing bool) {
	t, err := h.store.UpdateTicket(no, func(t *Ticket) error {
		if closing && !t.closed() {
			t.ClosedAt, t.ClosedBy = time.Now().UTC(), cmp.Or(by.FirstName, actor(by))
		} else if !closing {
			t.ClosedAt, t.ClosedBy = time.Time{}, ""
		}
		return nil
	})
	var text string
	switch {
	case errors.Is(err, ErrNoTicket):
		text = esc(fmt.Sprintf("没有找到工单 #%d（可能已经过期）。", no))
	case err != nil:
		h.log.Error("cannot close ticket", "ticket", no, "err", err)
		text = esc(textFailed)
	case closing:
		h.metrics.tickets.WithLabelValues("closed").Inc()
		text = esc(fmt.Sprintf("🔒 工单 #%d 已由%s关闭。之后对它的回复不会再转发。", no, t.ClosedBy))
	default:
		text = esc(fmt.Sprintf("🔓 工单 #%d 已重新打开，回复它就会转给会员。", no))
	}
	if msg == nil {
		return
	}
	id, err := h.out.send.sendNow(ctx, outMessage{chatID: msg.Chat.ID, group: isGroup(msg.Chat.Type), text: text, replyTo: msg.ID})
	if err != nil {
		h.log.Error("message to staff not sent", "chat", msg.Chat.ID, "reason", err)
		return
	}
	if t.No != 0 {
		_ = h.store.MapTicketMessage(msg.Chat.ID, id, t.No)
	}
}

// closeCommand answers /close N.
func (h *handoff) closeCommand(ctx context.Context, m *models.Message, arg string) {
	no, err := strconv.ParseInt(strings.TrimPrefix(arg, "#"), 10, 64)
	if err != nil || no <= 0 {
		h.staffReply(ctx, m, esc(textCloseUsage), nil)
		return
	}
	h.setClosed(ctx, m, m.From, no, true)
}

// list answers /tickets: the tickets still open, oldest first.
func (h *handoff) list(ctx context.Context, m *models.Message) {
	ts, err := h.store.Tickets(time.Time{})
	if err != nil {
		h.log.Error("cannot read tickets", "err", err)
		h.staffReply(ctx, m, esc(textFailed), nil)
		return
	}
	var open []Ticket
	for _, t := range ts {
		if !t.closed() && (t.PostedMsg != 0 || t.Origin == originGap) {
			open = append(open, t)
		}
	}
	var segs []string
	if h.staffChat == 0 {
		segs = append(segs, esc(textNoStaffChat)+"\n\n")
	}
	if len(open) == 0 {
		h.out.replyAll(ctx, m, append(segs, esc(textTicketNoOpen)))
		return
	}
	segs = append(segs, fmt.Sprintf("<b>未处理的工单（%d 个）</b>", len(open)))
	for i, t := range open {
		if i == 30 {
			segs = append(segs, fmt.Sprintf("\n\n…… 还有 %d 个", len(open)-30))
			break
		}
		state := "未答复"
		if _, ok := t.answered(); ok {
			state = fmt.Sprintf("已答复 %d 次", len(t.Replies))
		} else if len(t.Replies) > 0 {
			state = "答复未送达"
		}
		where := "私聊"
		switch {
		case t.Origin == originGap:
			where = "/gaps"
		case isGroup(models.ChatType(t.ChatType)):
			where = "群「" + t.ChatTitle + "」"
		}
		segs = append(segs, fmt.Sprintf("\n\n#%d · %s · %s · %s\n%s", t.No, t.Opened.In(h.tz).Format("01-02 15:04"),
			esc(where), state, esc(shorten(t.Question, 60))))
	}
	segs = append(segs, "\n\n回复工单消息即可答复；关闭：/close 工单号。")
	h.out.replyAll(ctx, m, segs)
}

// save handles 存为问答 under a reply's report: the ticket's question and
// that reply become a Q&A entry, through the library (one journaled,
// audited step) and the watcher (indexed at once). The caller checked that
// staff pressed it.
func (h *handoff) save(ctx context.Context, cq *models.CallbackQuery, c callback) {
	msg := cq.Message.Message
	t, err := h.store.Ticket(c.Ticket)
	if err != nil || c.N > len(t.Replies) {
		h.out.ack(ctx, cq, textTicketGone)
		return
	}
	rep := t.Replies[c.N-1]
	if rep.SavedDoc != "" {
		h.out.ack(ctx, cq, textSavedAlready)
		return
	}
	h.out.ack(ctx, cq, "正在保存…")
	by := actor(&cq.From)
	var doc corpus.Document
	var replaced bool
	var saveErr error
	_, err = h.corpus.Change(ctx, func() error {
		doc, replaced, saveErr = h.lib.SaveAnswer(library.Answer{Question: t.question(), Answer: rep.Text, Ref: fmt.Sprintf("工单 #%d", t.No)}, by)
		return saveErr
	})
	if saveErr != nil && !errors.Is(saveErr, library.ErrDone) {
		h.log.Info("answer not saved", "ticket", t.No, "reason", saveErr)
		sayUnder(ctx, h.out, msg, esc(library.UserMessage(saveErr)), "")
		return
	}
	if _, uerr := h.store.UpdateTicket(t.No, func(t *Ticket) error {
		t.Replies[c.N-1].SavedDoc = doc.ID
		if t.Origin == originGap && !t.closed() { // answered for good: nothing more to do
			t.ClosedAt, t.ClosedBy = time.Now().UTC(), cmp.Or(cq.From.FirstName, by)
		}
		return nil
	}); uerr != nil {
		h.log.Warn("saved answer not recorded with its ticket", "ticket", t.No, "err", uerr)
	}
	if saveErr != nil { // the same answer was saved before
		sayUnder(ctx, h.out, msg, esc(textSavedAlready), doc.ID)
		return
	}
	h.metrics.saved.WithLabelValues("saved").Inc()
	h.metrics.staff.WithLabelValues("answer_saved").Inc()
	h.log.Info("answer saved as Q&A", "ticket", t.No, "doc", doc.ID, "replaced", replaced, "user", cq.From.ID)
	if err != nil {
		h.log.Error("index not updated after saving an answer", "err", err)
		sayUnder(ctx, h.out, msg, esc(textIndexFailed), doc.ID)
		return
	}
	verb := "已存为问答"
	if replaced {
		verb = "已更新问答"
	}
	sayUnder(ctx, h.out, msg, fmt.Sprintf("📌 %s：「%s」\nID：<code>%s</code>\n以后会员问到同样的问题（换个说法也行），会直接得到这个答复，注明“工会答复”。删除：/remove %s",
		verb, esc(shorten(t.question(), 60)), esc(doc.ID), esc(doc.ID)), doc.ID)
}

// rememberGaps keeps the groups a staff member's /gaps listed, for /answer N.
func (h *handoff) rememberGaps(user int64, groups []gapGroup) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.gaps == nil || len(h.gaps) > 1000 {
		h.gaps = map[int64][]gapGroup{}
	}
	h.gaps[user] = groups
}

// answerGap answers /answer N: a ticket for the N-th group of the staff
// member's last /gaps, with no member waiting; their reply to it can be
// saved as a Q&A entry.
func (h *handoff) answerGap(ctx context.Context, m *models.Message, arg string) {
	n, err := strconv.Atoi(strings.TrimSpace(arg))
	h.mu.Lock()
	groups := h.gaps[m.From.ID]
	h.mu.Unlock()
	if err != nil || n < 1 || n > len(groups) {
		h.staffReply(ctx, m, esc(textAnswerUsage), nil)
		return
	}
	g := groups[n-1]
	t, _, err := h.store.OpenTicket(Ticket{Opened: time.Now().UTC(), Origin: originGap, Question: g.Text}, 0, time.Time{})
	if err != nil {
		h.log.Error("cannot open ticket", "err", err)
		h.staffReply(ctx, m, esc(textFailed), nil)
		return
	}
	text := fmt.Sprintf("✍️ <b>工单 #%d</b>（/gaps 第 %d 类，问过 %d 次）\n<b>问：</b>%s\n", t.No, n, g.Count, esc(g.Text))
	if len(g.Others) > 0 {
		text += "<i>类似：" + esc(strings.Join(g.Others, "；")) + "</i>\n"
	}
	text += "\n请直接<b>回复这条消息</b>写下答复，再点「存为问答」存入资料库。"
	id, err := h.out.send.sendNow(ctx, outMessage{chatID: m.Chat.ID, text: text, replyTo: m.ID,
		markup: &models.ForceReply{ForceReply: true, InputFieldPlaceholder: "写下答复…"}})
	if err != nil {
		h.log.Error("gap ticket not sent", "reason", err)
		return
	}
	if _, err := h.posted(t, m.Chat.ID, id); err != nil {
		h.log.Error("gap ticket not recorded", "ticket", t.No, "err", err)
	}
	h.metrics.tickets.WithLabelValues("opened_gap").Inc()
}

// gapMarks says, for /gaps, whether a group already has a ticket or a
// saved answer.
func (h *handoff) gapMarks(groups []gapGroup) []string {
	ts, err := h.store.Tickets(time.Time{})
	if err != nil {
		h.log.Warn("cannot read tickets for /gaps", "err", err)
	}
	marks := make([]string, len(groups))
	for i, g := range groups {
		var notes []string
		var nos []string
		for _, t := range ts {
			if (t.QuestionID != 0 && slices.Contains(g.IDs, t.QuestionID)) || (t.Origin == originGap && t.Question == g.Text) {
				state := "未答复"
				if _, ok := t.answered(); ok {
					state = "已答复"
				}
				nos = append(nos, fmt.Sprintf("#%d %s", t.No, state))
			}
		}
		if len(nos) > 0 {
			notes = append(notes, "🎫 工单 "+strings.Join(nos, "、"))
		}
		if h.saved != nil {
			if c, ok := h.saved.SavedAnswer(g.Text); ok {
				notes = append(notes, "💬 已有工会答复（"+c.DocID+"）")
			}
		}
		if g.SavedDown > 0 {
			notes = append(notes, fmt.Sprintf("其中 %d 次是工会答复被点 👎", g.SavedDown))
		}
		if len(notes) > 0 {
			marks[i] = "\n   " + esc(strings.Join(notes, " · "))
		}
	}
	return marks
}

// staffChatHint tells staff, in a group, its chat ID for STAFF_CHAT_ID.
func staffChatHint(chatID int64) string {
	return fmt.Sprintf("\n本群的 ID 是 <code>%d</code>。要把会员转人工的问题发到这个群，请管理员设置 STAFF_CHAT_ID=%d，重启后生效。", chatID, chatID)
}

// ticketStats are the handoff's figures for /stats over the tickets
// opened since, and the questions answered from a saved answer.
func (h *handoff) ticketStats(since time.Time) []string {
	ts, err := h.store.Tickets(since)
	if err != nil {
		h.log.Warn("cannot read tickets for /stats", "err", err)
		return nil
	}
	qs, _ := h.store.Questions(since)
	used := 0
	for _, q := range qs {
		if q.Saved {
			used++
		}
	}
	var opened, answered, delivered, closed, gaps, saved int
	var waits []time.Duration
	for _, t := range ts {
		for _, r := range t.Replies {
			if r.SavedDoc != "" {
				saved++
			}
		}
		if t.Origin == originGap {
			if _, ok := t.answered(); ok {
				gaps++
			}
			continue
		}
		opened++
		for _, r := range t.Replies {
			if r.Outcome == outcomeDelivered {
				delivered++
			}
		}
		if r, ok := t.firstDelivered(); ok {
			answered++
			waits = append(waits, r.Sub(t.Opened))
		}
		if t.closed() {
			closed++
		}
	}
	if len(ts) == 0 && used == 0 {
		return nil
	}
	s := fmt.Sprintf("\n\n<b>转人工</b>\n会员转交 %d 个问题 · 已答复 %d 个 · 答复送达 %d 条 · 已关闭 %d 个", opened, answered, delivered, closed)
	if len(waits) > 0 {
		slices.Sort(waits)
		s += "\n首次答复用时（中位数）：" + humanDuration(waits[len(waits)/2])
	}
	if gaps > 0 {
		s += fmt.Sprintf("\n直接答复 /gaps 里的问题 %d 个", gaps)
	}
	s += fmt.Sprintf("\n存为问答 %d 条 · 工会答复回答了 %d 次提问", saved, used)
	return []string{s}
}

// humanDuration writes d as a member of staff reads it: 5 分钟, 3.5 小时, 2 天.
func humanDuration(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d 分钟", max(1, int(d.Round(time.Minute)/time.Minute)))
	case d < 48*time.Hour:
		return strconv.FormatFloat(d.Hours(), 'f', 1, 64) + " 小时"
	}
	return fmt.Sprintf("%d 天", int(d.Hours()/24))
}
