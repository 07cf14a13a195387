package bot

import (
	"context"
	"log/slog"
	"time"

	"github.com/go-telegram/bot/models"
)

// replier is how handlers talk back: replies to a message, the typing
// indicator and button acknowledgements, sent through the sender (paced,
// retried) with failures logged once here.
type replier struct {
	send *sender
	log  *slog.Logger
	// typingDelay is how long an answer may take before the typing
	// indicator shows (negative: at once).
	typingDelay time.Duration
}

// reply sends HTML text to the message's chat (in a group, as a reply to
// it), through the durable outbox (see sender.send).
func (o *replier) reply(ctx context.Context, m *models.Message, html string, markup models.ReplyMarkup) {
	o.replyAbout(ctx, m, html, markup, "")
}

// replyAbout is reply for a message about one document ("" for none): a
// file sent later as a reply to this message replaces that document.
func (o *replier) replyAbout(ctx context.Context, m *models.Message, html string, markup models.ReplyMarkup, about string) {
	out := outMessage{chatID: m.Chat.ID, group: isGroup(m.Chat.Type), text: html, markup: markup, about: about}
	if out.group {
		out.replyTo = m.ID
	}
	if err := o.send.send(ctx, out); err != nil {
		o.log.Error("message not queued", "chat", m.Chat.ID, "reason", err)
	}
}

// replyAll sends HTML segments packed into as few messages as fit.
func (o *replier) replyAll(ctx context.Context, m *models.Message, segs []string) {
	for _, t := range pack(segs, maxMessageUnits) {
		o.reply(ctx, m, t, nil)
	}
}

// ack acknowledges a button press, with an optional short notice.
func (o *replier) ack(ctx context.Context, cq *models.CallbackQuery, text string) {
	o.send.answerCallback(ctx, cq.ID, text)
}

// keepTyping shows the typing indicator once the work has taken longer
// than typingDelay (at once when it is negative), then every 4 s until
// stopped. A quick answer needs no indicator and saves a call. stop waits for
// an indicator in flight so that it cannot arrive after the answer.
func (o *replier) keepTyping(ctx context.Context, chatID int64) (stop func()) {
	quit := make(chan struct{})
	settled := make(chan struct{}) // the first indicator is sent, or never will be
	go func() {
		if d := o.typingDelay; d > 0 {
			t := time.NewTimer(d)
			select {
			case <-quit:
				t.Stop()
				close(settled)
				return
			case <-t.C:
			}
		}
		o.send.typing(ctx, chatID)
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
				o.send.typing(ctx, chatID)
			}
		}
	}()
	return func() {
		close(quit)
		<-settled
	}
}
