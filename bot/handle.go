package bot

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/go-telegram/bot/models"
)

// handle runs one update. It is marked begun in the store first (so that a
// death mid-answer counts as an attempt), its handler's messages are
// collected and queued in the outbox in the transaction that marks it
// answered. A panic is recovered: the member gets an apology, the stack is
// logged and the update is marked done so it is not retried forever.
func (r *runner) handle(j job) {
	defer r.metrics.inflight.Dec()
	u, ok := r.decode(j.update.Raw)
	if !ok {
		r.finish(j.update.ID, nil, nil)
		return
	}
	if err := r.store.Begin(j.update.ID); err != nil {
		r.log.Warn("cannot mark an update begun; a crash now would not count as an attempt", "update_id", j.update.ID, "err", err)
	}
	ctx, out := withReplies(r.hctx)
	defer func() {
		if p := recover(); p != nil {
			r.metrics.panics.Inc()
			r.log.Error("handler panicked", "update_id", j.update.ID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			out.take() // half an answer is not sent
			var apology []outMessage
			if chat := chatKey(u); chat != 0 {
				apology = append(apology, outMessage{chatID: chat, text: esc(textPanic)})
			}
			r.finish(j.update.ID, nil, apology)
		}
	}()
	done, rec := true, (*QuestionRecord)(nil)
	switch {
	case u.Message != nil:
		done, rec = r.route.message(ctx, j.update.ID, u.Message)
	case u.CallbackQuery != nil:
		done, rec = r.route.callback(ctx, j.update.ID, u.CallbackQuery)
	case u.MyChatMember != nil:
		if joinedGroup(u.MyChatMember) {
			r.route.members.greetGroup(ctx, u.MyChatMember.Chat.ID)
		}
	}
	if done {
		r.finish(j.update.ID, rec, out.take())
	} else {
		r.store.Abandon(j.update.ID)
	}
}

// finish marks an update answered, records its question and queues its
// messages, in one transaction, then hands the messages to the deliverer.
// When the store cannot take that (a full disk), the messages are delivered
// from memory and the update is finished later (runner.unfinished): if the
// process stops before the store takes it, the update is answered again
// after the restart, so each such answer is sent at most twice.
func (r *runner) finish(id int64, q *QuestionRecord, msgs []outMessage) {
	queued, err := r.store.Finish(id, q, msgs)
	if err != nil {
		r.log.Error("cannot record an answer; sending it anyway, and it may be sent again after a restart", "update_id", id, "err", err)
		r.send.out.add(memoryEntries(msgs))
		r.unfinished.add(id, q)
		return
	}
	r.send.out.add(queued)
}

// router hands each message and button press to the part of the bot it is
// for: members' questions and buttons to members, staff commands, uploads
// and buttons (once staffGate lets them through) to the staff's desks.
type router struct {
	me       identity
	commands commandSet
	out      *replier
	store    *Store // group migrations
	log      *slog.Logger

	menus     *menus
	members   *members
	staff     *staffGate
	reports   *reports
	uploads   *uploads   // nil without a CORPUS_DIR to manage
	documents *documents // nil without a CORPUS_DIR to manage
	handoff   *handoff   // tickets: the staff chat, staff replies, saved answers
}

// message hands a message to whoever it is for. It returns whether the
// update is done and, for a question, what to record.
func (r *router) message(ctx context.Context, id int64, m *models.Message) (done bool, rec *QuestionRecord) {
	if r.handoff.takes(m) {
		r.fromStaff(ctx, m)
		return true, nil
	}
	it, text := classify(m, r.me, r.commands)
	switch it {
	case intentQuestion:
		return r.members.answer(ctx, id, m, text)
	case intentCommand:
		r.runCommand(ctx, m, text)
	case intentUpload:
		if r.staff.allowUpload(ctx, m) && r.managed(ctx, m) {
			r.uploads.receive(ctx, m)
		}
	case intentEmptyAsk:
		r.out.reply(ctx, m, esc(textEmptyAsk), nil)
	case intentNonText:
		r.out.reply(ctx, m, esc(textNonText), nil)
	case intentJoined:
		r.members.greetGroup(ctx, m.Chat.ID)
	case intentMigrated:
		if err := r.store.SetMigrated(m.Chat.ID, m.MigrateToChatID); err != nil {
			r.log.Warn("cannot record group migration", "chat", m.Chat.ID, "err", err)
		}
	}
	return true, nil
}

// runCommand runs a command of the table: text is its name and arguments.
// Staff commands are checked here, once for all of them.
func (r *router) runCommand(ctx context.Context, m *models.Message, text string) {
	name, arg, _ := strings.Cut(text, " ")
	c, ok := r.commands.find(name)
	if !ok || c.run == nil {
		return
	}
	if c.staff && !r.staff.allowCommand(ctx, m) {
		return
	}
	if c.library && !r.managed(ctx, m) {
		return
	}
	c.run(r, ctx, m, strings.TrimSpace(arg))
}

// managed reports whether there is a CORPUS_DIR to manage, and tells the
// staff member who asked when there is not.
func (r *router) managed(ctx context.Context, m *models.Message) bool {
	if r.uploads == nil || r.documents == nil {
		r.out.reply(ctx, m, esc(textNoLibrary), nil)
		return false
	}
	return true
}

// callback handles a button press, by the kind of button. A question
// button asks its question: like a message, it returns whether the update
// is done and what to record.
func (r *router) callback(ctx context.Context, id int64, cq *models.CallbackQuery) (done bool, rec *QuestionRecord) {
	c, ok := parseCallback(cq.Data)
	if !ok {
		r.out.ack(ctx, cq, "")
		return true, nil
	}
	if c.Kind.staffOnly() {
		if !r.staff.allowButton(ctx, cq) {
			return true, nil
		}
		if c.Kind.needsLibrary() && (r.uploads == nil || r.documents == nil) {
			r.out.ack(ctx, cq, textNoLibrary)
			return true, nil
		}
		if cq.Message.Message == nil {
			r.out.ack(ctx, cq, "")
			return true, nil
		}
	}
	switch c.Kind {
	case cbAsk:
		return r.members.askTapped(ctx, id, cq, c)
	case cbPassage:
		r.members.showPassage(ctx, cq, c)
	case cbFeedback:
		r.members.feedback(ctx, cq, c)
	case cbUpload:
		r.uploads.decide(ctx, cq, c)
	case cbRemove:
		r.documents.decideRemove(ctx, cq, c)
	case cbHandoff:
		r.handoff.tap(ctx, cq, c)
	case cbSave:
		r.handoff.save(ctx, cq, c)
	case cbClose:
		r.handoff.decideClose(ctx, cq, c)
	default:
		r.out.ack(ctx, cq, "")
	}
	return true, nil
}
